import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import type { ChannelLayer } from '../../../lib/channels/channel-layer';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import { RedisChannelLayer } from '../../../lib/channels/redis-channel-layer';
import { inject } from '../../../lib/inject/inject';
import { EventType } from '../../../lib/realtime/events';
import { RealtimeManager, RoomError } from '../../../lib/realtime/manager';
import { MemoryRealtimeStore } from '../../../lib/realtime/memory-store';
import { RedisRealtimeStore } from '../../../lib/realtime/redis-store';
import type { RealtimeStore } from '../../../lib/realtime/store';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { connectAdmin, deleteKeys, REDIS_URL } from '../../support/redis-admin';
import { type LiveSocket, liveUrl, openLive } from '../../support/ws-client';

const GRACE = 150;
const PREFIX = `sw-test-rooms-${randomBytes(4).toString('hex')}`;

/**
 * `/rt?user=<id>[&status=<s>]`: registers the socket and says `{type: 'ready', user}` with the
 * record presence kept, or `{type: 'error', message}` when the manager refused the id.
 */
const rt = inject([WebSocket, QueryParam('user'), QueryParam('status'), RealtimeManager], async (ws, userId, status, realtime) => {
  await ws.accept();
  try {
    const user = await realtime.addUser({ id: userId ?? '', status }, ws);
    await ws.sendJson({ type: 'ready', user });
  } catch (error) {
    await ws.sendJson({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    return ws.close(4000);
  }
  for await (const data of ws) void data;
});

/** Polls `check` until it holds, for at most `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Messages arriving on `socket` within `ms`, parsed. */
async function collect(socket: LiveSocket, ms: number): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return seen;
    const message = await socket.receiveJson(left).catch(() => undefined);
    if (message === undefined) return seen;
    seen.push(message as Record<string, unknown>);
  }
}

/** One app process: listening on loopback, over the backend's store and layer. */
interface Node {
  readonly app: App;
  readonly realtime: RealtimeManager;
  readonly server: Server;
  connect(user: string, status?: string): Promise<LiveSocket>;
}

type Backend = 'memory' | 'redis';

for (const backend of ['memory', 'redis'] as const satisfies Backend[]) {
  describe(`Rooms and presence stay true (${backend === 'memory' ? 'MemoryRealtimeStore, in-memory layer' : 'Redis store and layer'})`, function () {
    this.timeout(20000);
    let admin: Redis | undefined;
    let world = 0;
    let prefix = '';
    const nodes: Node[] = [];
    const sockets: LiveSocket[] = [];
    let shared: { store: RealtimeStore; layer: ChannelLayer } | undefined;

    before(async () => {
      if (backend === 'redis') admin = await connectAdmin();
    });
    beforeEach(() => {
      prefix = `${PREFIX}-${backend}-${++world}`;
      shared = undefined;
    });
    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.socket.terminate();
      await Promise.all(nodes.splice(0).map((node) => node.app.close()));
    });
    after(async () => {
      if (admin) {
        await deleteKeys(admin, PREFIX);
        admin.disconnect();
      }
    });

    /** A process of this world: its own store and layer over Redis; in memory, one store and layer shared by all. */
    async function node(presenceTtl = 10): Promise<Node> {
      let store: RealtimeStore;
      let layer: ChannelLayer;
      if (backend === 'redis') {
        store = new RedisRealtimeStore({ url: REDIS_URL, prefix });
        layer = new RedisChannelLayer({ url: REDIS_URL, prefix });
      } else {
        shared ??= { store: new MemoryRealtimeStore(), layer: new InMemoryChannelLayer() };
        ({ store, layer } = shared);
      }
      const app = new App({
        routes: [new WebSocketRoute('/rt', rt)],
        channelLayer: layer,
        realtime: { store, reconnectGrace: GRACE, presenceTtl },
      });
      await app.realtime.start();
      const server = await app.listen(0, '127.0.0.1');
      const made: Node = {
        app,
        server,
        realtime: app.realtime,
        async connect(user, status) {
          const socket = await openLive(liveUrl(server, `/rt?user=${encodeURIComponent(user)}${status ? `&status=${status}` : ''}`));
          sockets.push(socket);
          const ready = (await socket.receiveJson()) as { type: string; user?: { id: string } };
          assert.equal(ready.type, 'ready', JSON.stringify(ready));
          assert.equal(ready.user?.id, user);
          return socket;
        },
      };
      nodes.push(made);
      return made;
    }

    /** Every Redis key of this world (none in memory). */
    async function keys(): Promise<string[]> {
      if (!admin) return [];
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found.map((key) => key.slice(prefix.length + 1)).sort();
    }

    describe('memberships end with the last socket', () => {
      it('100 users who joined and left leave 0 members, in the store and in Redis, and give their seats back', async () => {
        const a = await node();
        const left: string[] = [];
        a.realtime.on(EventType.USER_LEFT_ROOM, (_type, { roomId, userId }) => {
          left.push(`${roomId}:${userId}`);
        });
        await a.realtime.createRoom({ id: 'seats', maxUsers: 100 });
        const users = Array.from({ length: 100 }, (_, i) => `one-off-${i}`);
        const socketsOf: LiveSocket[] = [];
        for (let i = 0; i < users.length; i += 20) {
          socketsOf.push(...(await Promise.all(users.slice(i, i + 20).map((user) => a.connect(user)))));
        }
        for (const user of users) await a.realtime.joinRoom('seats', user);
        await assert.rejects(
          a.realtime.joinRoom('seats', 'newcomer'),
          (error: unknown) => error instanceof RoomError && error.reason === 'full',
        );
        for (const socket of socketsOf) socket.socket.close();

        await eventually(async () => (await a.realtime.getRoomMembers('seats')).length === 0, GRACE + 5000, 'the members to be gone');
        assert.equal(left.length, 100, 'USER_LEFT_ROOM once per user');
        assert.deepEqual(await a.realtime.getOnlineUsers(), []);
        for (const user of users.slice(0, 5)) assert.deepEqual(await a.realtime.store.roomsOf(user), []);
        // Nothing per user is left behind in Redis: rooms, the room, and the live processes.
        if (backend === 'redis') assert.deepEqual(await keys(), ['rt:processes', 'rt:room:seats', 'rt:rooms']);
        await a.realtime.joinRoom('seats', 'newcomer');
        assert.deepEqual(await a.realtime.getRoomMembers('seats'), ['newcomer']);
      });

      it('a reconnect within the grace keeps the seat; the user only leaves rooms once gone from every process', async () => {
        const [a, b] = [await node(), await node()];
        await a.realtime.createRoom({ id: 'pair', maxUsers: 1 });
        const first = await a.connect('ann');
        const other = await b.connect('ann');
        await a.realtime.joinRoom('pair', 'ann');
        first.socket.close();
        await sleep(GRACE * 3);
        assert.deepEqual(await a.realtime.getRoomMembers('pair'), ['ann'], 'still connected to B');
        other.socket.close();
        await sleep(GRACE / 3);
        const back = await b.connect('ann');
        await sleep(GRACE * 3);
        assert.deepEqual(await a.realtime.getRoomMembers('pair'), ['ann'], 'back within the grace');
        await a.realtime.broadcastToRoom('pair', { type: 'still' });
        assert.equal(((await back.receiveJson()) as { type: string }).type, 'still');
      });
      it("fires the user's room and channel leaves before USER_LEFT, so member lists agree when it fires", async () => {
        const a = await node();
        await a.realtime.createRoom({ id: 'r' });
        await a.realtime.createChannel({ id: 'c' });
        const seen: string[] = [];
        a.realtime.on(EventType.USER_LEFT_ROOM, (_type, { roomId }) => {
          seen.push(`left-room:${roomId}`);
        });
        a.realtime.on(EventType.USER_UNSUBSCRIBED, (_type, { channelId }) => {
          seen.push(`unsubscribed:${channelId}`);
        });
        a.realtime.on(EventType.USER_LEFT, async (_type, { user }) => {
          seen.push(`left:${user.id}:${(await a.realtime.getRoomMembers('r')).length}`);
        });
        const ann = await a.connect('ann');
        await a.realtime.joinRoom('r', 'ann');
        await a.realtime.subscribeToChannel('c', 'ann');
        ann.socket.close();
        await eventually(() => seen.length === 3, GRACE + 3000, 'the leave events');
        assert.deepEqual(seen, ['left-room:r', 'unsubscribed:c', 'left:ann:0']);
      });

      if (backend === 'redis') {
        it('a process closed for good: another process reports its users leaving once the TTL passed', async () => {
          const [a, b] = [await node(0.3), await node(0.3)];
          const seen: string[] = [];
          b.realtime.on(EventType.USER_LEFT_ROOM, (_type, { roomId, userId }) => {
            seen.push(`left-room:${roomId}:${userId}`);
          });
          b.realtime.on(EventType.USER_LEFT, (_type, { user }) => {
            seen.push(`left:${user.id}`);
          });
          await a.realtime.createRoom({ id: 'r', maxUsers: 1 });
          await a.connect('ann');
          await a.realtime.joinRoom('r', 'ann');
          await a.app.close();
          await eventually(() => seen.length === 2, 3000, 'B to sweep A');
          assert.deepEqual(seen, ['left-room:r:ann', 'left:ann']);
          await b.realtime.joinRoom('r', 'bob');
        });
      }
    });

    describe('status', () => {
      it('a status the user set survives a second tab on another process and a reconnect within the grace', async () => {
        const [a, b] = [await node(), await node()];
        const changes: string[] = [];
        for (const n of [a, b])
          n.realtime.on(EventType.STATUS_CHANGED, (_type, { user }) => {
            changes.push(`${user.id}:${user.status}`);
          });
        const tab1 = await a.connect('ann');
        await a.realtime.setStatus('ann', 'busy', { note: 'in a call' });
        const tab2 = await b.connect('ann');
        assert.equal((await b.realtime.getUser('ann'))?.status, 'busy', 'the second tab kept it');
        tab1.socket.close();
        tab2.socket.close();
        await sleep(GRACE / 3);
        await a.connect('ann');
        await sleep(GRACE * 2);
        assert.deepEqual(await a.realtime.getUser('ann'), { id: 'ann', name: 'ann', status: 'busy', metadata: { note: 'in a call' } });
        assert.deepEqual(changes, ['ann:busy']);
      });

      it('a socket that brings a status of its own announces the change with STATUS_CHANGED', async () => {
        const a = await node();
        const changes: string[] = [];
        a.realtime.on(EventType.STATUS_CHANGED, (_type, { user }) => {
          changes.push(`${user.id}:${user.status}`);
        });
        await a.connect('ann');
        await a.realtime.setStatus('ann', 'busy');
        await a.connect('ann', 'away');
        assert.equal((await a.realtime.getUser('ann'))?.status, 'away');
        assert.deepEqual(changes, ['ann:busy', 'ann:away']);
      });
    });

    describe('a join racing a leave', () => {
      it('ends with delivery agreeing with the store, in every interleaving', async () => {
        const [a, b] = [await node(), await node()];
        const ann = await b.connect('ann');
        const rooms = Array.from({ length: 64 }, (_, i) => `race-${i}`);
        for (const room of rooms) await a.realtime.createRoom({ id: room });
        // Half start as members; the join and the leave go through different processes, either first, a few turns apart.
        for (const [i, room] of rooms.entries()) if (i % 2) await b.realtime.joinRoom(room, 'ann');
        await Promise.all(
          rooms.map(async (room, i) => {
            const [joiner, leaver] = i % 4 < 2 ? [a, b] : [b, a];
            const gap = (i >> 2) % 8;
            await Promise.all([
              (async () => {
                await ticks(i % 3 ? 0 : gap);
                await joiner.realtime.joinRoom(room, 'ann');
              })(),
              (async () => {
                await ticks(i % 3 ? gap : 0);
                await leaver.realtime.leaveRoom(room, 'ann');
              })(),
            ]);
          }),
        );
        await sleep(backend === 'redis' ? 500 : 100); // membership messages in flight land
        await collect(ann, 50);
        for (const room of rooms) await a.realtime.broadcastToRoom(room, { type: 'probe', room }, { history: false });
        const delivered = (await collect(ann, 1000)).map((message) => String(message.room)).sort();
        const members: string[] = [];
        for (const room of rooms) if ((await a.realtime.getRoomMembers(room)).includes('ann')) members.push(room);
        assert.deepEqual(delivered, members.sort(), 'ann receives exactly the rooms the store lists her in');
        assert.ok(members.length > 0 && members.length < rooms.length, `both outcomes occurred (${members.length} of ${rooms.length})`);
      });
    });

    describe('every id the API accepts works end to end', () => {
      const tenantUser = `${randomUUID()}:${randomUUID()}`;
      const users = [
        tenantUser, // 73 bytes
        '张'.repeat(85), // 255 UTF-8 bytes
        '😀'.repeat(128), // 256 UTF-16 units, 512 bytes: the longest user id
        'a:b.c*?[x] {}', // Redis glob and key separators
      ];
      const rooms = ['房间'.repeat(32), 'r:1.*?[]'];

      it('CJK, emoji and `tenant:user` ids join, receive room and direct messages, and leave without a trace', async () => {
        assert.equal(Buffer.byteLength(tenantUser), 73);
        const [a, b] = [await node(), await node()];
        for (const room of rooms) await a.realtime.createRoom({ id: room });
        const socketOf = new Map<string, LiveSocket>();
        for (const [i, user] of users.entries()) socketOf.set(user, await (i % 2 ? a : b).connect(user));
        for (const room of rooms) for (const user of users) await a.realtime.joinRoom(room, user);
        for (const room of rooms) {
          await a.realtime.broadcastToRoom(room, { type: 'room', room });
          for (const user of users)
            assert.deepEqual(
              await socketOf.get(user)?.receiveJson(),
              { type: 'room', room, id: (await a.realtime.getHistory('room', room)).entries.at(-1)?.id },
              `${user} in ${room}`,
            );
        }
        for (const user of users) {
          await b.realtime.sendToUser(user, { type: 'direct', to: user });
          assert.deepEqual(await socketOf.get(user)?.receiveJson(), { type: 'direct', to: user });
        }
        for (const socket of socketOf.values()) socket.socket.close();
        await eventually(async () => (await a.realtime.getOnlineUsers()).length === 0, GRACE + 5000, 'everyone to leave');
        for (const room of rooms) assert.deepEqual(await a.realtime.getRoomMembers(room), []);
        if (backend === 'redis') {
          const left = (await keys()).filter(
            (key) => !key.startsWith('rt:history') && !key.startsWith('rt:room:') && !['rt:rooms', 'rt:processes'].includes(key),
          );
          assert.deepEqual(left, []);
        }
      });

      it('refuses an id it cannot carry before writing anything, naming the function and the parameter', async () => {
        const a = await node();
        await a.realtime.createRoom({ id: 'r' });
        const tooLong = 'x'.repeat(257);
        await assert.rejects(a.realtime.joinRoom('r', tooLong), /RealtimeManager\.joinRoom: userId must be a string of 1–256 characters/);
        await assert.rejects(a.realtime.joinRoom('r', 'ok\uD800'), /RealtimeManager\.joinRoom: userId .* lone surrogates/);
        await assert.rejects(a.realtime.joinRoom('r', ''), TypeError);
        await assert.rejects(
          a.realtime.joinRoom('x'.repeat(65), 'ann'),
          /RealtimeManager\.joinRoom: roomId must be a string of 1–64 characters/,
        );
        await assert.rejects(a.realtime.sendToUser(tooLong, {}), /RealtimeManager\.sendToUser: userId/);
        await assert.rejects(a.realtime.subscribeToChannel('c', tooLong), /RealtimeManager\.subscribeToChannel: userId/);
        assert.deepEqual(await a.realtime.getRoomMembers('r'), []);

        const refused = await openLive(liveUrl(a.server, `/rt?user=${encodeURIComponent(tooLong)}`));
        sockets.push(refused);
        assert.match(String(((await refused.receiveJson()) as { message: string }).message), /RealtimeManager\.addUser: user\.id must be/);
        assert.deepEqual(await a.realtime.getOnlineUsers(), []);
        assert.equal((await a.realtime.stats()).connections, 0, 'no socket half-registered');
        if (backend === 'redis') assert.deepEqual(await keys(), ['rt:processes', 'rt:room:r', 'rt:rooms']);
      });
    });
  });
}
