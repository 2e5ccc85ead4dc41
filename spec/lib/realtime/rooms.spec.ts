import assert from 'node:assert/strict';
import { EventType } from '../../../lib/realtime/events';
import { RoomError } from '../../../lib/realtime/manager';
import { chatPeers, eachTransport, nothingArrives, record, withoutLast } from '../../support/realtime-app';

describe('Rooms and channels (RealtimeManager)', function () {
  this.timeout(5000);

  eachTransport((ctx) => {
    const { connect, command } = chatPeers(ctx);

    describe('rooms', () => {
      it('creates, reads and lists rooms, leaving private ones out of the list', async () => {
        const { realtime } = ctx().app;
        const events = record(ctx().app);
        const lobby = await realtime.createRoom({ id: 'lobby', name: 'Lobby', description: 'hi', maxUsers: 10 });
        assert.deepEqual(lobby, { id: 'lobby', name: 'Lobby', description: 'hi', maxUsers: 10, isPrivate: false, keepHistory: true });
        await realtime.createRoom({ id: 'staff', isPrivate: true });
        assert.deepEqual(await realtime.createRoom({ id: 'lobby', name: 'Again' }), lobby, 'creating again gives the existing room');
        assert.deepEqual(await realtime.getRoom('lobby'), lobby);
        assert.equal(await realtime.getRoom('nowhere'), undefined);
        assert.deepEqual(
          (await realtime.listRooms()).map((room) => room.id),
          ['lobby'],
        );
        assert.equal((await realtime.getRoom('staff'))?.isPrivate, true);
        assert.deepEqual(events, [
          { type: EventType.ROOM_CREATED, data: { roomId: 'lobby' } },
          { type: EventType.ROOM_CREATED, data: { roomId: 'staff' } },
        ]);
        await assert.rejects(realtime.createRoom({ id: '' }), TypeError);
      });

      it('members join and leave; a room broadcast reaches members only, skipping `except`', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'r' });
        const [ann, bob, cat] = [await connect('ann'), await connect('bob'), await connect('cat')];
        const events = record(ctx().app);
        assert.deepEqual(await command(ann, { op: 'join', room: 'r' }), { type: 'ok', op: 'join' });
        await realtime.joinRoom('r', 'bob');
        assert.deepEqual((await realtime.getRoomMembers('r')).sort(), ['ann', 'bob']);
        assert.deepEqual(events, [
          { type: EventType.USER_JOINED_ROOM, data: { roomId: 'r', userId: 'ann' } },
          { type: EventType.USER_JOINED_ROOM, data: { roomId: 'r', userId: 'bob' } },
        ]);

        assert.deepEqual(await command(ann, { op: 'say', room: 'r', text: 'hello' }), { type: 'ok', op: 'say' });
        const said = await bob.receiveJson();
        assert.ok(
          typeof said === 'object' && said !== null && 'id' in said && typeof said.id === 'string',
          'the message carries its history id',
        );
        assert.deepEqual(said, { type: 'said', from: 'ann', text: 'hello', id: said.id });
        await nothingArrives(cat);
        await nothingArrives(ann, 50);

        const delivery = await realtime.broadcastToRoom('r', { type: 'news' });
        assert.match(delivery.id ?? '', /^[0-9a-z]+:2$/, 'the history id the message was kept under: the offset after "hello"');
        assert.deepEqual(delivery, { delivered: 2, dropped: 0, remote: 'none', id: delivery.id });
        assert.deepEqual(await ann.receiveJson(), { type: 'news', id: delivery.id });
        assert.equal(((await bob.receiveJson()) as { type: string }).type, 'news');

        await realtime.leaveRoom('r', 'bob');
        assert.deepEqual(await realtime.getRoomMembers('r'), ['ann']);
        await realtime.broadcastToRoom('r', { type: 'after' });
        assert.equal(((await ann.receiveJson()) as { type: string }).type, 'after');
        await nothingArrives(bob);
        assert.deepEqual(events.at(-1), { type: EventType.USER_LEFT_ROOM, data: { roomId: 'r', userId: 'bob' } });
        await assert.rejects(
          realtime.broadcastToRoom('nowhere', {}),
          (error: unknown) => error instanceof RoomError && error.reason === 'missing',
        );
      });

      it('refuses a join past maxUsers as full, and a private room without an invitation', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'pair', maxUsers: 2 });
        await realtime.joinRoom('pair', 'ann');
        await realtime.joinRoom('pair', 'bob');
        await assert.rejects(
          realtime.joinRoom('pair', 'cat'),
          (error: unknown) => error instanceof RoomError && error.reason === 'full' && error.id === 'pair',
        );
        await realtime.joinRoom('pair', 'ann'); // a member joining again is no error

        const cat = await connect('cat');
        assert.deepEqual(await command(cat, { op: 'join', room: 'pair' }), { type: 'error', message: 'full' });

        await realtime.createRoom({ id: 'vip', isPrivate: true });
        await assert.rejects(
          realtime.joinRoom('vip', 'cat'),
          (error: unknown) => error instanceof RoomError && error.reason === 'forbidden',
        );
        await realtime.invite('vip', 'cat');
        assert.deepEqual(await command(cat, { op: 'join', room: 'vip' }), { type: 'ok', op: 'join' });
        assert.deepEqual(await realtime.getRoomMembers('vip'), ['cat']);
        await assert.rejects(
          realtime.joinRoom('nowhere', 'cat'),
          (error: unknown) => error instanceof RoomError && error.reason === 'missing',
        );
        await assert.rejects(realtime.invite('nowhere', 'cat'), RoomError);
      });

      it('deleting a room ends its membership: a new room of that id does not reach the old members', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'temp' });
        const ann = await connect('ann');
        await realtime.joinRoom('temp', 'ann');
        const events = record(ctx().app);
        await realtime.deleteRoom('temp');
        assert.deepEqual(events, [{ type: EventType.ROOM_DELETED, data: { roomId: 'temp' } }]);
        assert.equal(await realtime.getRoom('temp'), undefined);
        await assert.rejects(realtime.broadcastToRoom('temp', {}), RoomError);
        await realtime.createRoom({ id: 'temp' });
        const toNobody = await realtime.broadcastToRoom('temp', { type: 'x' });
        assert.deepEqual(toNobody, { delivered: 0, dropped: 0, remote: 'none', id: toNobody.id });
        await nothingArrives(ann);
        await realtime.deleteRoom('temp');
        await realtime.deleteRoom('temp'); // deleting a missing room does nothing
        assert.deepEqual(
          events.map((e) => e.type),
          [EventType.ROOM_DELETED, EventType.ROOM_CREATED, EventType.ROOM_DELETED],
        );
      });
    });

    describe('channels', () => {
      it('subscribers get channel broadcasts; unsubscribed users stop getting them', async () => {
        const { realtime } = ctx().app;
        const events = record(ctx().app);
        await realtime.createChannel({ id: 'news', name: 'News' });
        const [ann, bob] = [await connect('ann'), await connect('bob')];
        await realtime.subscribeToChannel('news', 'ann');
        await realtime.subscribeToChannel('news', 'bob');
        await realtime.subscribeToChannel('news', 'bob'); // no second event
        assert.deepEqual(await realtime.broadcastToChannel('news', { type: 'headline', text: 'a' }), {
          delivered: 2,
          dropped: 0,
          remote: 'none',
        });
        assert.deepEqual(await ann.receiveJson(), { type: 'headline', text: 'a' }, 'a non-persistent channel adds no id');
        assert.deepEqual(await bob.receiveJson(), { type: 'headline', text: 'a' });
        await realtime.unsubscribeFromChannel('news', 'bob');
        await realtime.broadcastToChannel('news', { type: 'headline', text: 'b' });
        assert.deepEqual(await ann.receiveJson(), { type: 'headline', text: 'b' });
        await nothingArrives(bob);
        assert.deepEqual(
          events.map((e) => e.type).filter((type) => type.startsWith('channel.')),
          [EventType.CHANNEL_CREATED, EventType.USER_SUBSCRIBED, EventType.USER_SUBSCRIBED, EventType.USER_UNSUBSCRIBED],
        );
        await assert.rejects(realtime.subscribeToChannel('nowhere', 'ann'), RoomError);
        await assert.rejects(realtime.broadcastToChannel('nowhere', {}), RoomError);
      });

      it('a persistent channel keeps history; a non-persistent one does not', async () => {
        const { realtime } = ctx().app;
        await realtime.createChannel({ id: 'log', isPersistent: true });
        await realtime.createChannel({ id: 'live' });
        const ann = await connect('ann');
        await realtime.subscribeToChannel('log', 'ann');
        await realtime.broadcastToChannel('log', { type: 'entry', n: 1 });
        await realtime.broadcastToChannel('live', { type: 'tick' });
        const delivered = (await ann.receiveJson()) as { id: string };
        const history = await realtime.getHistory('channel', 'log');
        assert.deepEqual(history, {
          entries: [{ id: delivered.id, message: { type: 'entry', n: 1 } }],
          complete: true,
          last: delivered.id,
        });
        assert.deepEqual(withoutLast(await realtime.getHistory('channel', 'live')), { entries: [], complete: true });
      });
    });

    describe('history replay', () => {
      it('gives what followed the last seen id, and complete: false once history was trimmed past it', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'r' });
        const ann = await connect('ann');
        await realtime.joinRoom('r', 'ann');
        const ids: string[] = [];
        for (let n = 0; n < 5; n++) {
          await realtime.broadcastToRoom('r', { type: 'm', n });
          ids.push(((await ann.receiveJson()) as { id: string }).id);
        }
        const kept = [2, 3, 4].map((n) => ({ id: ids[n], message: { type: 'm', n } }));
        const last = ids[4];
        assert.deepEqual(await realtime.getHistory('room', 'r', ids[3]), { entries: kept.slice(2), complete: true, last });
        assert.deepEqual(
          await realtime.getHistory('room', 'r', ids[1]),
          { entries: kept, complete: true, last },
          'only ids[0..1] were trimmed',
        );
        assert.deepEqual(await realtime.getHistory('room', 'r', ids[0]), { entries: kept, complete: false, last }, 'ids[1] was trimmed');
        assert.deepEqual(await realtime.getHistory('room', 'r'), { entries: kept, complete: false, last });
        assert.deepEqual(
          await realtime.getHistory('room', 'r', ids[2], 1),
          { entries: kept.slice(2), complete: false, last },
          'the limit left one out',
        );
        await assert.rejects(realtime.getHistory('room', 'r', 'garbage'), TypeError);
      });

      it('leaves a broadcast sent with history: false out of a history room, but still delivers it', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'chat' });
        const ann = await connect('ann');
        await realtime.joinRoom('chat', 'ann');
        const delivery = await realtime.broadcastToRoom('chat', { type: 'typing' }, { history: false });
        assert.deepEqual(delivery, { delivered: 1, dropped: 0, remote: 'none' }, 'no history id');
        assert.deepEqual(await ann.receiveJson(), { type: 'typing' }, 'delivered without an id');
        assert.deepEqual(withoutLast(await realtime.getHistory('room', 'chat')), { entries: [], complete: true });
      });

      it('a room made with keepHistory: false keeps none', async () => {
        const { realtime } = ctx().app;
        await realtime.createRoom({ id: 'quiet', keepHistory: false });
        await realtime.broadcastToRoom('quiet', { type: 'm' });
        assert.deepEqual(withoutLast(await realtime.getHistory('room', 'quiet')), { entries: [], complete: true });
      });
    });
  });
});
