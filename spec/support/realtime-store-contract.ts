import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PresenceUser } from '../../lib/realtime/events';
import { compareIds, parseHistoryId, type RealtimeStore, type RoomInfo } from '../../lib/realtime/store';

export interface StoreContractOptions {
  /** Whether two stores made for one world share state (Redis) or are separate (memory). */
  sharesAcrossInstances: boolean;
}

/**
 * Makes a store. Stores made with the same `world` share state when the backend can; each test
 * uses a world of its own, so a backend that persists (Redis) starts every test empty.
 */
export type StoreFactory = (world: string) => RealtimeStore | Promise<RealtimeStore>;

const room = (id: string, extra: Partial<RoomInfo> = {}): RoomInfo => ({
  id,
  name: `Room ${id}`,
  description: '',
  maxUsers: 0,
  isPrivate: false,
  keepHistory: true,
  ...extra,
});

const user = (id: string, extra: Partial<PresenceUser> = {}): PresenceUser => ({
  id,
  name: `User ${id}`,
  status: 'online',
  metadata: {},
  ...extra,
});

const sorted = (values: readonly string[]): string[] => [...values].sort();

/**
 * Every behaviour of the `RealtimeStore` interface (lib/realtime/store.ts), run against one
 * backend: what `RealtimeManager` relies on, whichever store it is given.
 *
 * @example
 * realtimeStoreContract('MemoryRealtimeStore', () => new MemoryRealtimeStore(), { sharesAcrossInstances: false });
 */
export function realtimeStoreContract(name: string, makeStore: StoreFactory, { sharesAcrossInstances }: StoreContractOptions): void {
  describe(`${name} keeps the realtime store contract`, function () {
    this.timeout(5000);
    const made: RealtimeStore[] = [];
    let worlds = 0;
    let world = '';
    beforeEach(() => {
      world = `w${++worlds}`;
    });
    afterEach(async () => {
      await Promise.all(made.splice(0).map((store) => store.close()));
    });
    const make = async (): Promise<RealtimeStore> => {
      const store = await makeStore(world);
      made.push(store);
      return store;
    };

    describe('rooms', () => {
      it('creates a room once and reads back every setting', async () => {
        const store = await make();
        const lobby = room('lobby', { name: 'The lobby', description: 'Say hi', maxUsers: 7, isPrivate: true, keepHistory: false });
        assert.equal(await store.createRoom(lobby), true);
        assert.equal(await store.createRoom(room('lobby', { name: 'Another' })), false, 'a second create reports the room existed');
        assert.deepEqual(await store.getRoom('lobby'), lobby, 'the first settings stay');
        assert.equal(await store.getRoom('nowhere'), undefined);
      });

      it('lists every room, private ones included (the manager filters them)', async () => {
        const store = await make();
        await store.createRoom(room('a'));
        await store.createRoom(room('b', { isPrivate: true }));
        assert.deepEqual((await store.listRooms()).map((r) => r.id).sort(), ['a', 'b']);
      });

      it('joins, reports an existing member, and leaves', async () => {
        const store = await make();
        await store.createRoom(room('r'));
        assert.equal(await store.joinRoom('r', 'ann'), 'joined');
        assert.equal(await store.joinRoom('r', 'ann'), 'already');
        assert.equal(await store.joinRoom('r', 'bob'), 'joined');
        assert.deepEqual(sorted(await store.roomMembers('r')), ['ann', 'bob']);
        assert.equal(await store.leaveRoom('r', 'ann'), true);
        assert.equal(await store.leaveRoom('r', 'ann'), false, 'leaving twice reports nothing changed');
        assert.deepEqual(await store.roomMembers('r'), ['bob']);
        assert.equal(await store.joinRoom('nowhere', 'ann'), 'missing');
        assert.deepEqual(await store.roomMembers('nowhere'), []);
      });

      it('refuses a join past maxUsers with full, and admits again once a member leaves', async () => {
        const store = await make();
        await store.createRoom(room('small', { maxUsers: 2 }));
        assert.equal(await store.joinRoom('small', 'a'), 'joined');
        assert.equal(await store.joinRoom('small', 'b'), 'joined');
        assert.equal(await store.joinRoom('small', 'c'), 'full');
        assert.equal(await store.joinRoom('small', 'a'), 'already', 'a member is not refused as full');
        await store.leaveRoom('small', 'a');
        assert.equal(await store.joinRoom('small', 'c'), 'joined');
      });

      it('admits only invited users to a private room', async () => {
        const store = await make();
        await store.createRoom(room('secret', { isPrivate: true }));
        assert.equal(await store.joinRoom('secret', 'eve'), 'forbidden');
        await store.invite('secret', 'ann');
        assert.equal(await store.joinRoom('secret', 'ann'), 'joined');
        assert.equal(await store.joinRoom('secret', 'eve'), 'forbidden');
      });

      it('ignores an invitation to a room that does not exist yet', async () => {
        const store = await make();
        await store.invite('later', 'ann');
        await store.createRoom(room('later', { isPrivate: true }));
        assert.equal(await store.joinRoom('later', 'ann'), 'forbidden');
      });

      it('lets exactly maxUsers of many simultaneous joins in', async () => {
        const store = await make();
        await store.createRoom(room('rush', { maxUsers: 5 }));
        const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.joinRoom('rush', `u${i}`)));
        assert.equal(outcomes.filter((o) => o === 'joined').length, 5);
        assert.equal(outcomes.filter((o) => o === 'full').length, 15);
        assert.equal((await store.roomMembers('rush')).length, 5);
      });

      it('keeps the reverse index roomsOf in step with joins, leaves and deletes', async () => {
        const store = await make();
        for (const id of ['x', 'y', 'z']) await store.createRoom(room(id));
        await store.joinRoom('x', 'ann');
        await store.joinRoom('y', 'ann');
        await store.joinRoom('z', 'bob');
        assert.deepEqual(sorted(await store.roomsOf('ann')), ['x', 'y']);
        await store.leaveRoom('x', 'ann');
        assert.deepEqual(await store.roomsOf('ann'), ['y']);
        await store.deleteRoom('y');
        assert.deepEqual(await store.roomsOf('ann'), []);
        assert.deepEqual(await store.roomsOf('bob'), ['z']);
        assert.deepEqual(await store.roomsOf('nobody'), []);
      });

      it('deletes a room with its members, invitations and history; a new room of that id starts empty', async () => {
        const store = await make();
        await store.createRoom(room('gone', { isPrivate: true }));
        await store.invite('gone', 'ann');
        await store.joinRoom('gone', 'ann');
        await store.appendHistory('room:gone', { text: 'old' }, 10);
        assert.equal(await store.deleteRoom('gone'), true);
        assert.equal(await store.deleteRoom('gone'), false);
        assert.equal(await store.getRoom('gone'), undefined);
        assert.deepEqual(await store.listRooms(), []);
        const after = await store.readHistory('room:gone', undefined, 10);
        assert.deepEqual([after.entries, after.complete, parseHistoryId(after.last).offset], [[], true, 0]);
        await store.createRoom(room('gone', { isPrivate: true }));
        assert.deepEqual(await store.roomMembers('gone'), []);
        assert.equal(await store.joinRoom('gone', 'ann'), 'forbidden', 'the old invitation went with the old room');
      });

      it('keeps ids apart whatever characters they hold', async () => {
        const store = await make();
        const tricky = ['a', 'a:members', 'members:a', 'a b', 'ü/🙂', 'room:a'];
        for (const id of tricky) await store.createRoom(room(id));
        await store.joinRoom('a', 'only-in-a');
        for (const id of tricky.slice(1)) assert.deepEqual(await store.roomMembers(id), [], `room ${id}`);
        assert.deepEqual((await store.listRooms()).map((r) => r.id).sort(), [...tricky].sort());
        assert.equal((await store.getRoom('ü/🙂'))?.id, 'ü/🙂');
      });
    });

    describe('channels', () => {
      it('creates a channel once and reads it back', async () => {
        const store = await make();
        assert.equal(await store.createChannel({ id: 'news', name: 'News', isPersistent: true }), true);
        assert.equal(await store.createChannel({ id: 'news', name: 'Other', isPersistent: false }), false);
        await store.createChannel({ id: 'chatter', name: 'Chatter', isPersistent: false });
        assert.deepEqual(await store.getChannel('news'), { id: 'news', name: 'News', isPersistent: true });
        assert.equal(await store.getChannel('nowhere'), undefined);
        assert.deepEqual((await store.listChannels()).map((c) => c.id).sort(), ['chatter', 'news']);
      });

      it('subscribes and unsubscribes, reporting changes, with channelsOf in step', async () => {
        const store = await make();
        await store.createChannel({ id: 'news', name: 'News', isPersistent: false });
        await store.createChannel({ id: 'sport', name: 'Sport', isPersistent: false });
        assert.equal(await store.subscribe('news', 'ann'), true);
        assert.equal(await store.subscribe('news', 'ann'), false, 'already subscribed');
        assert.equal(await store.subscribe('nowhere', 'ann'), false, 'no such channel');
        await store.subscribe('sport', 'ann');
        await store.subscribe('news', 'bob');
        assert.deepEqual(sorted(await store.subscribers('news')), ['ann', 'bob']);
        assert.deepEqual(sorted(await store.channelsOf('ann')), ['news', 'sport']);
        assert.equal(await store.unsubscribe('news', 'ann'), true);
        assert.equal(await store.unsubscribe('news', 'ann'), false);
        assert.deepEqual(await store.subscribers('news'), ['bob']);
        assert.deepEqual(await store.channelsOf('ann'), ['sport']);
        assert.deepEqual(await store.channelsOf('nobody'), []);
        assert.deepEqual(await store.subscribers('nowhere'), []);
      });
    });

    describe('presence', () => {
      it('reports the first process to make a user present, and lists them with status and metadata', async () => {
        const store = await make();
        const ann = user('ann', { name: 'Ann', status: 'busy', metadata: { role: 'admin', tags: ['a'] } });
        assert.deepEqual(await store.touchPresence(ann, 'p1', 10), { first: true, user: ann });
        assert.deepEqual(await store.touchPresence(ann, 'p1', 10), { first: false, user: ann }, 'again from the same process');
        assert.deepEqual(await store.touchPresence(ann, 'p2', 10), { first: false, user: ann }, 'from a second process');
        await store.touchPresence(user('bob'), 'p2', 10);
        const online = await store.onlineUsers();
        assert.deepEqual(
          online.sort((a, b) => a.id.localeCompare(b.id)),
          [ann, user('bob')],
        );
        assert.deepEqual(await store.getPresence('ann'), ann);
        assert.equal(await store.getPresence('nobody'), undefined);
      });

      it('a user is gone only once every process dropped them', async () => {
        const store = await make();
        const ann = user('ann', { name: 'Ann' });
        await store.touchPresence(ann, 'p1', 10);
        await store.touchPresence(ann, 'p2', 10);
        const none = { rooms: [], channels: [] };
        assert.deepEqual(await store.dropPresence('ann', 'p1'), { gone: false, userId: 'ann', user: ann, ...none });
        assert.deepEqual(await store.getPresence('ann'), ann);
        assert.deepEqual(await store.dropPresence('ann', 'p2'), { gone: true, userId: 'ann', user: ann, ...none });
        assert.equal(await store.getPresence('ann'), undefined);
        assert.deepEqual(await store.onlineUsers(), []);
        assert.equal((await store.touchPresence(ann, 'p1', 10)).first, true, 'back again: first once more');
        assert.deepEqual(await store.dropPresence('nobody', 'p1'), { gone: true, userId: 'nobody', user: undefined, ...none });
      });

      it('a process that stops renewing loses its users within the TTL, with nobody cleaning up', async () => {
        const store = await make();
        await store.touchPresence(user('ann'), 'dead', 0.2);
        await store.touchPresence(user('bob'), 'alive', 10);
        assert.equal((await store.onlineUsers()).length, 2);
        await sleep(300);
        assert.deepEqual(
          (await store.onlineUsers()).map((u) => u.id),
          ['bob'],
        );
        assert.equal(await store.getPresence('ann'), undefined);
        assert.equal((await store.touchPresence(user('ann'), 'alive', 10)).first, true, 'nobody had ann any more');
      });

      it('keeps a user online while any process is live, whatever the others did', async () => {
        const store = await make();
        await store.touchPresence(user('ann'), 'short', 0.2);
        await store.touchPresence(user('ann'), 'long', 0.6);
        await sleep(300);
        assert.equal((await store.getPresence('ann'))?.id, 'ann', 'the longer-lived process still has ann');
        assert.deepEqual(
          (await store.onlineUsers()).map((u) => u.id),
          ['ann'],
        );
        assert.deepEqual(await store.dropPresence('ann', 'short'), {
          gone: false,
          userId: 'ann',
          user: user('ann'),
          rooms: [],
          channels: [],
        });
        await sleep(400);
        assert.equal(await store.getPresence('ann'), undefined);
        assert.deepEqual(await store.onlineUsers(), []);
      });

      it('renewPresence extends every listed user in one call', async () => {
        const store = await make();
        await store.touchPresence(user('ann'), 'p1', 0.5);
        await store.touchPresence(user('bob'), 'p1', 0.5);
        await sleep(300);
        await store.renewPresence([user('ann'), user('bob')], 'p1', 0.5);
        await sleep(300);
        // Past the first expiry, well before the renewed one.
        assert.deepEqual((await store.onlineUsers()).map((u) => u.id).sort(), ['ann', 'bob']);
        await store.renewPresence([], 'p1', 0.5);
      });

      it('renewPresence keeps a record another process changed, and restores one that lapsed', async () => {
        const store = await make();
        await store.touchPresence(user('ann'), 'p1', 10);
        await store.setPresence(user('ann', { status: 'away' }));
        await store.renewPresence([user('ann')], 'p1', 10);
        assert.equal((await store.getPresence('ann'))?.status, 'away', 'a live record is not overwritten');
        await store.touchPresence(user('bob', { status: 'busy' }), 'p1', 0.1);
        await sleep(200);
        assert.equal(await store.getPresence('bob'), undefined);
        await store.renewPresence([user('bob', { status: 'busy' })], 'p1', 10);
        assert.deepEqual(await store.getPresence('bob'), user('bob', { status: 'busy' }));
      });

      it('setPresence changes a present user and does nothing for an absent one', async () => {
        const store = await make();
        await store.touchPresence(user('ann'), 'p1', 10);
        const away = user('ann', { status: 'away', metadata: { since: 5 } });
        await store.setPresence(away);
        assert.deepEqual(await store.getPresence('ann'), away);
        assert.deepEqual(await store.onlineUsers(), [away]);
        await store.setPresence(user('ghost', { status: 'away' }));
        assert.equal(await store.getPresence('ghost'), undefined);
        assert.deepEqual(await store.onlineUsers(), [away]);
      });
    });

    describe('departures and dead processes', () => {
      it('a second process keeps the status the user set, and updates the name', async () => {
        const store = await make();
        await store.touchPresence(user('ann'), 'p1', 10);
        await store.setPresence(user('ann', { status: 'busy', metadata: { until: 5 } }));
        const second = await store.touchPresence(user('ann', { name: 'Annie' }), 'p2', 10);
        assert.deepEqual(second, { first: false, user: user('ann', { name: 'Annie', status: 'busy', metadata: { until: 5 } }) });
        assert.deepEqual(await store.getPresence('ann'), second.user);
      });

      it('the last drop takes the user out of every room and channel, freeing seats, in the same step', async () => {
        const store = await make();
        await store.createRoom(room('small', { maxUsers: 1 }));
        await store.createRoom(room('big'));
        await store.createChannel({ id: 'news', name: 'News', isPersistent: false });
        await store.touchPresence(user('ann'), 'p1', 10);
        await store.touchPresence(user('ann'), 'p2', 10);
        await store.joinRoom('small', 'ann');
        await store.joinRoom('big', 'ann');
        await store.subscribe('news', 'ann');
        assert.equal(await store.joinRoom('small', 'bob'), 'full');
        assert.deepEqual((await store.dropPresence('ann', 'p1')).rooms, [], 'still present in p2: rooms stay');
        assert.deepEqual(sorted(await store.roomsOf('ann')), ['big', 'small']);
        const last = await store.dropPresence('ann', 'p2');
        assert.deepEqual([last.gone, sorted(last.rooms), last.channels], [true, ['big', 'small'], ['news']]);
        assert.deepEqual([await store.roomMembers('small'), await store.roomMembers('big'), await store.subscribers('news')], [[], [], []]);
        assert.deepEqual([await store.roomsOf('ann'), await store.channelsOf('ann')], [[], []]);
        assert.equal(await store.joinRoom('small', 'bob'), 'joined', 'the seat is free again');
      });

      it('a heartbeat of a registered process holds; of an unknown (swept) one answers false and writes nothing', async () => {
        const store = await make();
        assert.equal(await store.heartbeat('p1', 10, false), false, 'never registered');
        assert.equal(await store.heartbeat('p1', 10, true), true);
        assert.equal(await store.heartbeat('p1', 10, false), true);
        assert.deepEqual(await store.sweepProcesses(), [], 'nobody is dead');
      });

      it("sweeping takes over a dead process's users: gone from presence, rooms and channels, each reported once", async () => {
        const store = await make();
        await store.createRoom(room('r', { maxUsers: 2 }));
        await store.createChannel({ id: 'c', name: 'C', isPersistent: false });
        await store.heartbeat('dead', 0.2, true);
        await store.heartbeat('alive', 10, true);
        const ann = user('ann', { status: 'busy' });
        await store.touchPresence(ann, 'dead', 0.2);
        await store.touchPresence(user('bob'), 'dead', 0.2);
        await store.touchPresence(user('bob'), 'alive', 10);
        await store.touchPresence(user('cat'), 'dead', 0.2);
        await store.joinRoom('r', 'ann');
        await store.subscribe('c', 'ann');
        await store.joinRoom('r', 'bob');
        // cat left the dead process before it died: reported then, not again.
        await store.dropPresence('cat', 'dead');
        assert.deepEqual(await store.sweepProcesses(), [], 'not dead yet');
        await sleep(300);
        const departures = await store.sweepProcesses();
        assert.deepEqual(departures, [{ userId: 'ann', user: ann, rooms: ['r'], channels: ['c'] }], 'bob is still in the live process');
        assert.deepEqual(await store.sweepProcesses(), [], 'once');
        assert.deepEqual(await store.roomMembers('r'), ['bob']);
        assert.deepEqual(await store.subscribers('c'), []);
        assert.deepEqual(
          (await store.onlineUsers()).map((u) => u.id),
          ['bob'],
        );
        assert.equal(await store.heartbeat('dead', 10, false), false, 'the dead process hears it was declared dead');
        assert.equal(await store.joinRoom('r', 'dan'), 'joined', "ann's seat is free");
      });

      if (sharesAcrossInstances) {
        it('two stores sweeping at once report each departure once between them', async () => {
          const [a, b] = [await make(), await make()];
          await a.createRoom(room('r'));
          for (let i = 0; i < 20; i++) {
            const process = `dead${i % 3}`;
            await a.heartbeat(process, 0.2, true);
            await a.touchPresence(user(`u${i}`), process, 0.2);
            await a.joinRoom('r', `u${i}`);
          }
          await sleep(300);
          const [fromA, fromB] = await Promise.all([a.sweepProcesses(), b.sweepProcesses()]);
          const ids = [...fromA, ...fromB].map((d) => d.userId);
          assert.equal(ids.length, 20);
          assert.equal(new Set(ids).size, 20);
          assert.deepEqual(await a.roomMembers('r'), []);
        });
      }
    });

    describe('history', () => {
      /** Appends each message in turn; their ids. */
      const append = async (store: RealtimeStore, key: string, messages: readonly unknown[], limit: number): Promise<string[]> => {
        const ids: string[] = [];
        for (const message of messages) ids.push((await store.appendHistory(key, message, limit)).id);
        return ids;
      };

      it('gives each message the next offset, 1, 2, 3…, in one epoch, and reads everything back in order', async () => {
        const store = await make();
        const ids = await append(
          store,
          'room:r',
          [0, 1, 2, 3, 4].map((i) => ({ i })),
          10,
        );
        const positions = ids.map(parseHistoryId);
        assert.deepEqual(
          positions.map((p) => p.offset),
          [1, 2, 3, 4, 5],
        );
        assert.equal(new Set(positions.map((p) => p.epoch)).size, 1, 'one epoch');
        for (let i = 1; i < ids.length; i++) assert.ok(compareIds(ids[i], ids[i - 1]) > 0, `${ids[i]} follows ${ids[i - 1]}`);
        const all = await store.readHistory('room:r', undefined, 10);
        assert.deepEqual(all, { entries: ids.map((id, i) => ({ id, message: { i } })), complete: true, last: ids[4] });
      });

      it('reads what followed a given id, exclusive of it', async () => {
        const store = await make();
        const ids = await append(store, 'channel:c', ['m0', 'm1', 'm2', 'm3'], 10);
        assert.deepEqual(await store.readHistory('channel:c', ids[1], 10), {
          entries: [
            { id: ids[2], message: 'm2' },
            { id: ids[3], message: 'm3' },
          ],
          complete: true,
          last: ids[3],
        });
        assert.deepEqual(await store.readHistory('channel:c', ids[3], 10), { entries: [], complete: true, last: ids[3] });
      });

      it('keeps the last `limit` entries and says a read reaching before them is incomplete', async () => {
        const store = await make();
        const ids = await append(
          store,
          'room:r',
          [0, 1, 2, 3, 4].map((i) => ({ i })),
          3,
        );
        const kept = ids.slice(2).map((id, k) => ({ id, message: { i: k + 2 } }));
        const last = ids[4];
        assert.deepEqual(await store.readHistory('room:r', undefined, 10), { entries: kept, complete: false, last });
        assert.deepEqual(await store.readHistory('room:r', ids[0], 10), { entries: kept, complete: false, last }, 'ids[1] was lost');
        assert.deepEqual(
          await store.readHistory('room:r', ids[1], 10),
          { entries: kept, complete: true, last },
          'nothing after ids[1] was lost',
        );
        assert.deepEqual(await store.readHistory('room:r', ids[3], 10), { entries: kept.slice(2), complete: true, last });
      });

      it('gives the newest entries when the read limit leaves some out, and says so', async () => {
        const store = await make();
        const ids = await append(store, 'room:r', [0, 1, 2, 3, 4], 10);
        const newest = [
          { id: ids[3], message: 3 },
          { id: ids[4], message: 4 },
        ];
        assert.deepEqual(await store.readHistory('room:r', undefined, 2), { entries: newest, complete: false, last: ids[4] });
        assert.deepEqual(
          await store.readHistory('room:r', ids[1], 2),
          { entries: newest, complete: false, last: ids[4] },
          'ids[2] left out',
        );
        assert.deepEqual(await store.readHistory('room:r', ids[2], 2), { entries: newest, complete: true, last: ids[4] });
      });

      it('answers a reader of another epoch with everything kept, and complete: false', async () => {
        const store = await make();
        const ids = await append(store, 'room:r', ['a', 'b'], 10);
        const { epoch } = parseHistoryId(ids[0]);
        const elsewhere = `${epoch === 'zz' ? 'yy' : 'zz'}:1`;
        assert.deepEqual(await store.readHistory('room:r', elsewhere, 10), {
          entries: [
            { id: ids[0], message: 'a' },
            { id: ids[1], message: 'b' },
          ],
          complete: false,
          last: ids[1],
        });
      });

      it('starts a history when it is first read: an empty read says where appends will begin', async () => {
        const store = await make();
        const empty = await store.readHistory('room:new', undefined, 10);
        assert.deepEqual([empty.entries, empty.complete], [[], true]);
        const start = parseHistoryId(empty.last);
        assert.equal(start.offset, 0);
        const [id] = await append(store, 'room:new', ['first'], 10);
        assert.deepEqual(parseHistoryId(id), { epoch: start.epoch, offset: 1 }, 'the first append follows on from the empty read');
        assert.deepEqual(await store.readHistory('room:new', empty.last, 10), {
          entries: [{ id, message: 'first' }],
          complete: true,
          last: id,
        });
      });

      it('keeps a copy of each message as JSON, whatever its shape', async () => {
        const store = await make();
        const message = { text: 'hi', nested: { list: [1, 'two', null] } };
        const values: unknown[] = [message, 'plain', 42, null, [1, 2], true];
        await append(store, 'room:r', values, 10);
        message.text = 'changed later';
        const read = await store.readHistory('room:r', undefined, 10);
        assert.deepEqual(
          read.entries.map((e) => e.message),
          [{ text: 'hi', nested: { list: [1, 'two', null] } }, 'plain', 42, null, [1, 2], true],
        );
      });

      it('keeps histories apart, and refuses a malformed id', async () => {
        const store = await make();
        await store.appendHistory('room:a', 'in a', 10);
        await store.appendHistory('channel:a', 'in channel a', 10);
        assert.deepEqual(
          (await store.readHistory('room:a', undefined, 10)).entries.map((e) => e.message),
          ['in a'],
        );
        for (const bad of ['', 'abc', '1-2', 'e:', ':1', 'e:1:2', 'E:1', 'e:0x1', 'e:-1']) {
          await assert.rejects(store.readHistory('room:a', bad, 10), TypeError, JSON.stringify(bad));
        }
      });
    });

    if (sharesAcrossInstances) {
      describe('across instances (processes)', () => {
        it('two stores see one set of rooms, channels, members and history', async () => {
          const [a, b] = [await make(), await make()];
          await a.createRoom(room('shared', { maxUsers: 3 }));
          assert.equal(await b.createRoom(room('shared')), false);
          assert.equal((await b.getRoom('shared'))?.maxUsers, 3);
          await a.joinRoom('shared', 'ann');
          assert.deepEqual(await b.roomMembers('shared'), ['ann']);
          assert.deepEqual(await b.roomsOf('ann'), ['shared']);
          await b.createChannel({ id: 'news', name: 'News', isPersistent: true });
          await a.subscribe('news', 'bob');
          assert.deepEqual(await b.subscribers('news'), ['bob']);
          const { id } = await a.appendHistory('room:shared', 'hello', 10);
          assert.deepEqual(await b.readHistory('room:shared', undefined, 10), {
            entries: [{ id, message: 'hello' }],
            complete: true,
            last: id,
          });
        });

        it('simultaneous appends through two stores take offsets 1…n, each once, in one epoch', async () => {
          const [a, b] = [await make(), await make()];
          const appended = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).appendHistory('room:busy', i, 100)));
          const positions = appended.map(({ id }) => parseHistoryId(id));
          assert.deepEqual(
            positions.map((p) => p.offset).sort((x, y) => x - y),
            Array.from({ length: 40 }, (_, i) => i + 1),
          );
          assert.equal(new Set(positions.map((p) => p.epoch)).size, 1);
          const read = await b.readHistory('room:busy', undefined, 100);
          assert.deepEqual(
            read.entries.map((e) => parseHistoryId(e.id).offset),
            Array.from({ length: 40 }, (_, i) => i + 1),
          );
        });

        it('simultaneous joins through two stores never pass maxUsers', async () => {
          const [a, b] = [await make(), await make()];
          await a.createRoom(room('rush', { maxUsers: 4 }));
          const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).joinRoom('rush', `u${i}`)));
          assert.equal(outcomes.filter((o) => o === 'joined').length, 4);
          assert.equal((await a.roomMembers('rush')).length, 4);
        });

        it('presence from two processes is one presence, and lapses only with the last', async () => {
          const [a, b] = [await make(), await make()];
          assert.equal((await a.touchPresence(user('ann'), 'pa', 10)).first, true);
          assert.equal((await b.touchPresence(user('ann'), 'pb', 0.2)).first, false);
          await b.touchPresence(user('bob'), 'pb', 0.2);
          assert.deepEqual((await a.onlineUsers()).map((u) => u.id).sort(), ['ann', 'bob']);
          await sleep(300);
          assert.deepEqual(
            (await a.onlineUsers()).map((u) => u.id),
            ['ann'],
            "process pb's users lapsed, ann is still in pa",
          );
          assert.deepEqual(await a.dropPresence('ann', 'pa'), { gone: true, userId: 'ann', user: user('ann'), rooms: [], channels: [] });
          assert.deepEqual(await b.onlineUsers(), []);
        });
      });
    }
  });
}
