import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from '../../../lib/app';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import { EventType } from '../../../lib/realtime/events';
import { RealtimeManager } from '../../../lib/realtime/manager';
import { MemoryRealtimeStore } from '../../../lib/realtime/memory-store';
import { TestClient } from '../../../lib/testing/test-client';
import { chatPeers, eachTransport, eventually, makeApp, nothingArrives, record } from '../../support/realtime-app';
import { liveUrl, openLive, within } from '../../support/ws-client';

describe('RealtimeManager', function () {
  this.timeout(5000);

  eachTransport((ctx) => {
    const { connect } = chatPeers(ctx);

    describe('direct and global sends', () => {
      it('sendToUser reaches every socket of that user and nobody else', async () => {
        const { realtime } = ctx().app;
        const [ann1, ann2, bob] = [await connect('ann'), await connect('ann', '/lobby'), await connect('bob')];
        assert.deepEqual(await realtime.sendToUser('ann', { type: 'dm' }), { delivered: 2, dropped: 0, remote: 'none' });
        assert.deepEqual(await ann1.receiveJson(), { type: 'dm' });
        assert.deepEqual(await ann2.receiveJson(), { type: 'dm' });
        await nothingArrives(bob);
        assert.deepEqual(await realtime.sendToUser('nobody', { type: 'dm' }), { delivered: 0, dropped: 0, remote: 'none' });
      });

      it('broadcastToAll reaches every registered socket; broadcastToPath those on one path', async () => {
        const { realtime } = ctx().app;
        const [ann, bob, cat] = [await connect('ann'), await connect('bob', '/lobby'), await connect('cat', '/lobby')];
        assert.deepEqual(await realtime.broadcastToAll({ type: 'all' }), { delivered: 3, dropped: 0, remote: 'none' });
        for (const peer of [ann, bob, cat]) assert.deepEqual(await peer.receiveJson(), { type: 'all' });
        assert.deepEqual(await realtime.broadcastToPath('/lobby', { type: 'lobby' }), { delivered: 2, dropped: 0, remote: 'none' });
        assert.deepEqual(await bob.receiveJson(), { type: 'lobby' });
        assert.deepEqual(await cat.receiveJson(), { type: 'lobby' });
        await nothingArrives(ann);
      });
    });

    describe('stats', () => {
      it('answers under its earlier name getStats() too', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'counted' });
        assert.deepEqual(await realtime.getStats(), await realtime.stats());
        assert.equal((await realtime.getStats()).rooms, 1);
      });

      it('counts rooms, channels, users, connections and deliveries', async () => {
        const { realtime } = ctx().app;
        const before = await realtime.stats();
        assert.deepEqual(before, {
          rooms: 0,
          channels: 0,
          users: 0,
          connections: 0,
          messagesPerSecond: 0,
          delivered: 0,
          dropped: 0,
          malformed: 0,
          unannounced: 0,
        });
        await realtime.createRoom({ id: 'a' });
        await realtime.createRoom({ id: 'b', isPrivate: true });
        await realtime.createChannel({ id: 'c' });
        const [ann] = [await connect('ann'), await connect('ann', '/lobby'), await connect('bob')];
        for (let i = 0; i < 10; i++) await realtime.broadcastToAll({ type: 'ping', i });
        const stats = await realtime.stats();
        assert.equal(stats.rooms, 2, 'private rooms count');
        assert.equal(stats.channels, 1);
        assert.equal(stats.users, 2);
        assert.equal(stats.connections, 3);
        assert.equal(stats.delivered, 30);
        assert.equal(stats.dropped, 0);
        assert.ok(stats.messagesPerSecond > 0, `messagesPerSecond is ${stats.messagesPerSecond} right after traffic`);
        await ann.close();
        await eventually(async () => (await realtime.stats()).connections === 2, 1000, 'the closed socket to be forgotten');
      });
    });
  });

  describe('options', () => {
    it('refuses an inboxCapacity that is not a whole number ≥ 1 when the manager is made, naming the option', () => {
      for (const inboxCapacity of [0, -1, 2.5, Number.NaN]) {
        assert.throws(
          () => new RealtimeManager(new InMemoryChannelLayer(), { inboxCapacity }),
          (error: Error) =>
            error instanceof RangeError && /RealtimeManager option inboxCapacity must be a whole number/.test(error.message),
        );
      }
    });
  });

  describe('event handlers that fail', () => {
    it('are reported through settings.logError, naming the event, and the others still run', async () => {
      const reported: { message: string; error: unknown }[] = [];
      const app = new App({
        routes: [],
        settings: {
          logError: (message, error) => {
            reported.push({ message, error });
          },
        },
      });
      try {
        const ran: string[] = [];
        app.realtime.on(EventType.ROOM_CREATED, () => {
          throw new Error('sync');
        });
        app.realtime.on(EventType.ROOM_CREATED, async () => {
          await sleep(1);
          throw new Error('async');
        });
        app.realtime.on(EventType.ROOM_CREATED, () => {
          ran.push('third');
        });
        await app.realtime.createRoom({ id: 'r' });
        await eventually(() => reported.length === 2, 1000, 'both failures to be reported');
        assert.deepEqual(ran, ['third']);
        assert.deepEqual(
          reported.map((r) => [r.message, (r.error as Error).message]),
          [
            ['Realtime event handler for room.created failed', 'sync'],
            ['Realtime event handler for room.created failed', 'async'],
          ],
        );
      } finally {
        await app.close();
      }
    });
  });

  describe('with a store that answers slowly', () => {
    /** Takes 100 ms to withdraw presence, as a distant Redis might; and records being closed. */
    class SlowStore extends MemoryRealtimeStore {
      dropping = false;
      closed = false;
      override async dropPresence(userId: string, processId: string): ReturnType<MemoryRealtimeStore['dropPresence']> {
        this.dropping = true;
        await sleep(100);
        return super.dropPresence(userId, processId);
      }
      override async close(): Promise<void> {
        this.closed = true;
      }
    }
    let app: App;
    let store: SlowStore;
    beforeEach(() => {
      store = new SlowStore();
      app = makeApp({ store });
    });
    afterEach(() => app.close());

    it('a reconnect while a leave is being written waits for it: LEFT, then JOINED, and the user stays online', async () => {
      const client = new TestClient(app);
      const events = record(app);
      const first = await client.websocket('/chat?user=ann');
      assert.deepEqual(await first.receiveJson(), { type: 'ready', user: 'ann' });
      await first.close();
      await eventually(() => store.dropping, 1000, 'the leave to start');
      const again = await client.websocket('/chat?user=ann');
      assert.deepEqual(await again.receiveJson(), { type: 'ready', user: 'ann' });
      assert.deepEqual(
        events.map((e) => e.type),
        [EventType.USER_JOINED, EventType.USER_LEFT, EventType.USER_JOINED],
      );
      assert.deepEqual(
        (await app.realtime.getOnlineUsers()).map((user) => user.id),
        ['ann'],
        'the late leave did not undo the reconnect',
      );
    });

    it('app.close() closes the store the manager was given', async () => {
      await app.realtime.start();
      await app.close();
      assert.equal(store.closed, true);
    });
  });

  describe('over a real socket that stops reading', () => {
    let app: App;
    let server: Server;
    afterEach(() => app?.close());

    it('drops nothing for a client that reads, however many broadcasts one turn of the event loop sends', async () => {
      app = makeApp();
      server = await app.listen(0);
      const fast = await openLive(liveUrl(server, '/chat?user=fast'));
      assert.deepEqual(await fast.receiveJson(), { type: 'ready', user: 'fast' });
      // 2 MiB in one turn: twice the default high-water mark, were the turn's writes all held back.
      const big = { type: 'big', data: 'x'.repeat(100 * 1024) };
      for (let i = 0; i < 20; i++) await app.realtime.broadcastToAll(big);
      for (let i = 0; i < 20; i++) assert.equal(((await fast.receiveJson()) as { type: string }).type, 'big');
      const stats = await app.realtime.stats();
      assert.deepEqual([stats.delivered, stats.dropped], [20, 0]);
    });

    it('counts deliveries the send-buffer policy dropped', async () => {
      const mark = 64 * 1024;
      app = makeApp({}, { websocket: { sendHighWaterMark: mark, sendOverflow: 'drop' } });
      server = await app.listen(0);
      const slow = await openLive(liveUrl(server, '/chat?user=slow'));
      assert.deepEqual(await slow.receiveJson(), { type: 'ready', user: 'slow' });
      slow.socket.pause();
      const big = { type: 'big', data: 'x'.repeat(256 * 1024) };
      let attempts = 0;
      while ((await app.realtime.stats()).dropped === 0 && attempts < 400) {
        await app.realtime.sendToUser('slow', big);
        attempts++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const stats = await app.realtime.stats();
      assert.ok(stats.dropped > 0, `nothing dropped after ${attempts} sends`);
      assert.equal(stats.delivered + stats.dropped, attempts);
      slow.socket.resume();
      await within(slow.close(), 5000, 'the slow socket to close');
    });
  });
});
