import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventType } from '../../../lib/realtime/events';
import { TestClient } from '../../../lib/testing/test-client';
import { chatPeers, eachTransport, eventually, GRACE, record } from '../../support/realtime-app';

describe('Presence (RealtimeManager)', function () {
  this.timeout(5000);

  eachTransport((ctx) => {
    const { connect } = chatPeers(ctx);

    describe('users and presence', () => {
      it('lists online users with status and metadata, and injects the manager into HTTP handlers', async () => {
        const { app } = ctx();
        await connect('ann', '/chat', 'busy');
        await connect('bob', '/lobby');
        const users = (await app.realtime.getOnlineUsers()).sort((a, b) => a.id.localeCompare(b.id));
        assert.deepEqual(users, [
          { id: 'ann', name: 'ANN', status: 'busy', metadata: { path: '/chat' } },
          { id: 'bob', name: 'BOB', status: 'online', metadata: { path: '/lobby' } },
        ]);
        assert.deepEqual(await app.realtime.getUser('bob'), users[1]);
        const response = await new TestClient(app).get('/online');
        assert.deepEqual(await response.json(), ['ann', 'bob']);
      });

      it('setStatus changes presence and fires STATUS_CHANGED', async () => {
        const { realtime } = ctx().app;
        await connect('ann');
        const events = record(ctx().app);
        await realtime.setStatus('ann', 'away', { since: 'lunch' });
        const away = { id: 'ann', name: 'ANN', status: 'away', metadata: { since: 'lunch' } };
        assert.deepEqual(await realtime.getUser('ann'), away);
        assert.deepEqual(events, [{ type: EventType.STATUS_CHANGED, data: { user: away } }]);
        await realtime.setStatus('nobody', 'away');
        assert.equal(events.length, 1, 'an offline user has no status to change');
      });

      it('a closing socket takes its user offline after the grace period', async () => {
        const { realtime } = ctx().app;
        const ann = await connect('ann');
        await connect('bob');
        await ann.close();
        await eventually(async () => (await realtime.getOnlineUsers()).length === 1, 1000, 'ann to go offline');
        assert.deepEqual(
          (await realtime.getOnlineUsers()).map((user) => user.id),
          ['bob'],
        );
        assert.equal(await realtime.getUser('ann'), undefined);
      });
    });

    describe('USER_JOINED and USER_LEFT fire once per user, not per socket', () => {
      const joinedAndLeft = (events: ReturnType<typeof record>): string[] =>
        events
          .filter((e) => e.type === EventType.USER_JOINED || e.type === EventType.USER_LEFT)
          .map((e) => `${e.type}:${(e.data as { user: { id: string } }).user.id}`);

      it('two sockets of one user: one JOINED; closing one fires nothing; closing both, one LEFT after the grace period', async () => {
        const events = record(ctx().app);
        const first = await connect('ann');
        const second = await connect('ann', '/lobby');
        assert.deepEqual(joinedAndLeft(events), ['user.joined:ann']);
        await first.close();
        await sleep(GRACE * 2);
        assert.deepEqual(joinedAndLeft(events), ['user.joined:ann'], 'the user still has a socket');
        const closedAt = Date.now();
        await second.close();
        await sleep(GRACE / 3);
        assert.deepEqual(joinedAndLeft(events), ['user.joined:ann'], 'not before the grace period');
        await eventually(() => joinedAndLeft(events).length === 2, 1000, 'USER_LEFT');
        assert.ok(Date.now() - closedAt >= GRACE, 'USER_LEFT waited for the grace period');
        await sleep(GRACE);
        assert.deepEqual(joinedAndLeft(events), ['user.joined:ann', 'user.left:ann']);
        // The record the first socket made: status and metadata stay while the user has any socket.
        assert.deepEqual((events.at(-1)?.data as { user: unknown } | undefined)?.user, {
          id: 'ann',
          name: 'ANN',
          status: 'online',
          metadata: { path: '/chat' },
        });
      });

      it('a reconnect within the grace period fires neither LEFT nor a second JOINED, and keeps rooms', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'r' });
        const events = record(ctx().app);
        const first = await connect('ann');
        await realtime.joinRoom('r', 'ann');
        await first.close();
        await sleep(GRACE / 5);
        const again = await connect('ann');
        await sleep(GRACE * 2);
        assert.deepEqual(joinedAndLeft(events), ['user.joined:ann']);
        assert.deepEqual(
          (await realtime.getOnlineUsers()).map((user) => user.id),
          ['ann'],
        );
        await realtime.broadcastToRoom('r', { type: 'still here' });
        assert.equal(((await again.receiveJson()) as { type: string }).type, 'still here');
      });

      it('a reconnect after the grace period is a new JOINED after the LEFT', async () => {
        const events = record(ctx().app);
        await (await connect('ann')).close();
        await eventually(() => joinedAndLeft(events).length === 2, 1000, 'USER_LEFT');
        await connect('ann');
        assert.deepEqual(joinedAndLeft(events), ['user.joined:ann', 'user.left:ann', 'user.joined:ann']);
      });
    });
  });
});
