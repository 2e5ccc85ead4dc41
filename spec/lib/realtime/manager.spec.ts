import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import type { SettingsInput } from '../../../lib/config/settings';
import { WebSocketDisconnect } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { type EventData, EventType } from '../../../lib/realtime/events';
import { RealtimeManager, type RealtimeOptions, RoomError } from '../../../lib/realtime/manager';
import { MemoryRealtimeStore } from '../../../lib/realtime/memory-store';
import type { HistoryReplay } from '../../../lib/realtime/store';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { liveTransport, liveUrl, openLive, type Peer, type Transport, testTransport, within } from '../../support/ws-client';

const GRACE = 100;
const HISTORY_LIMIT = 3;

type Command = { op: 'join'; room: string } | { op: 'say'; room: string; text: string };

function isCommand(value: unknown): value is Command {
  if (typeof value !== 'object' || value === null) return false;
  const { op, room } = value as Record<string, unknown>;
  return (op === 'join' || op === 'say') && typeof room === 'string';
}

/**
 * A chat socket: `?user=` names the user (`&status=` optionally). It registers with the
 * injected RealtimeManager, says `ready`, then runs commands: join a room, say something to it.
 */
const chat = inject([WebSocket, QueryParam('user'), QueryParam('status'), RealtimeManager], async (ws, userId, status, realtime) => {
  await ws.accept();
  if (!userId) return ws.close(4000, 'user required');
  await realtime.addUser({ id: userId, name: userId.toUpperCase(), status, metadata: { path: ws.path } }, ws);
  await ws.sendJson({ type: 'ready', user: userId });
  for await (const data of ws) {
    const command: unknown = JSON.parse(String(data));
    if (!isCommand(command)) {
      await ws.sendJson({ type: 'error', message: 'unknown command' });
      continue;
    }
    try {
      if (command.op === 'join') await realtime.joinRoom(command.room, userId);
      else await realtime.broadcastToRoom(command.room, { type: 'said', from: userId, text: command.text }, { except: [userId] });
      await ws.sendJson({ type: 'ok', op: command.op });
    } catch (error) {
      await ws.sendJson({ type: 'error', message: error instanceof RoomError ? error.reason : String(error) });
    }
  }
});

const online = inject([RealtimeManager], async (realtime) => (await realtime.getOnlineUsers()).map((user) => user.id).sort());

function makeApp(realtime: RealtimeOptions = {}, settings?: SettingsInput): App {
  return new App({
    routes: [new WebSocketRoute('/chat', chat), new WebSocketRoute('/lobby', chat), new Route('/online', 'GET', online)],
    realtime: { reconnectGrace: GRACE, historyLimit: HISTORY_LIMIT, ...realtime },
    settings,
  });
}

/** What `realtime.on` saw, in order. */
function record(app: App): { type: EventType; data: EventData[EventType] }[] {
  const seen: { type: EventType; data: EventData[EventType] }[] = [];
  for (const type of Object.values(EventType))
    app.realtime.on(type, (t, data) => {
      seen.push({ type: t, data });
    });
  return seen;
}

/** Fails unless nothing arrives on `peer` within `ms` (the socket staying open). */
async function nothingArrives(peer: Peer, ms = 150): Promise<void> {
  const outcome = await peer.receive(ms).then(
    (message) => ({ message }),
    (error: unknown) => ({ error }),
  );
  if ('message' in outcome) assert.fail(`expected nothing, got ${String(outcome.message)}`);
  assert.ok(!(outcome.error instanceof WebSocketDisconnect), 'the socket closed');
}

/** A history replay without its `last` (the epoch of an empty history is made up on the spot). */
function withoutLast({ entries, complete }: HistoryReplay): Pick<HistoryReplay, 'entries' | 'complete'> {
  return { entries, complete };
}

/** Polls `check` until it holds, for at most `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Runs `suite` through the TestClient and over real sockets, with a fresh app for every test
 * (rooms and presence must not leak from one test into the next).
 */
function eachTransport(suite: (ctx: () => { app: App; transport: Transport }) => void): void {
  for (const kind of ['TestClient', 'real sockets'] as const) {
    describe(`through ${kind === 'TestClient' ? 'the TestClient' : 'real sockets'}`, () => {
      let app: App;
      let transport: Transport;
      beforeEach(async () => {
        app = makeApp();
        transport = kind === 'TestClient' ? testTransport(app) : liveTransport(await app.listen(0));
      });
      afterEach(() => app.close());
      suite(() => ({ app, transport }));
    });
  }
}

describe('RealtimeManager', function () {
  this.timeout(5000);

  eachTransport((ctx) => {
    /** Opens a chat socket for `user` and waits until the app registered it. */
    async function connect(user: string, path = '/chat', status?: string): Promise<Peer> {
      const query = `user=${encodeURIComponent(user)}${status ? `&status=${status}` : ''}`;
      const peer = await ctx().transport.open(`${path}?${query}`);
      assert.deepEqual(await peer.receiveJson(), { type: 'ready', user });
      return peer;
    }

    async function command(peer: Peer, value: Command): Promise<unknown> {
      peer.sendJson(value);
      return peer.receiveJson();
    }

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
