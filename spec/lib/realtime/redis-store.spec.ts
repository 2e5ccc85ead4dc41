import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisRealtimeStore } from '../../../lib/realtime/redis-store';
import { parseHistoryId } from '../../../lib/realtime/store';
import { realtimeStoreContract } from '../../support/realtime-store-contract';
import { connectAdmin, deleteKeys, REDIS_URL } from '../../support/redis-admin';

/** Every store here writes under this prefix, so runs never see each other's keys and cleanup finds them all. */
const PREFIX = `sw-test-rt-${randomBytes(4).toString('hex')}`;

describe('RedisRealtimeStore', function () {
  this.timeout(10000);
  let admin: Redis;

  before(async () => {
    // Fails (never skips) when Redis is down: these specs are the only proof the Redis store works.
    admin = await connectAdmin();
  });

  after(async () => {
    if (admin?.status !== 'ready') return admin?.disconnect();
    const deleted = await deleteKeys(admin, PREFIX);
    admin.disconnect();
    assert.ok(deleted > 0, 'the specs wrote keys under their prefix');
  });

  realtimeStoreContract('RedisRealtimeStore', (world) => new RedisRealtimeStore({ url: REDIS_URL, prefix: `${PREFIX}:${world}` }), {
    sharesAcrossInstances: true,
  });

  it('keeps every key under <prefix>:rt: and gives presence keys a TTL of two presence TTLs', async () => {
    const store = new RedisRealtimeStore({ url: REDIS_URL, prefix: `${PREFIX}:keys` });
    try {
      await store.createRoom({ id: 'r', name: 'R', description: '', maxUsers: 0, isPrivate: false, keepHistory: true });
      await store.joinRoom('r', 'ann');
      await store.touchPresence({ id: 'ann', name: 'Ann', status: 'online', metadata: {} }, 'p1', 5);
      await store.appendHistory('room:r', 'hi', 10);
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await admin.scan(cursor, 'MATCH', `${PREFIX}:keys:*`, 'COUNT', 100);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      for (const key of keys) assert.ok(key.startsWith(`${PREFIX}:keys:rt:`), key);
      for (const key of [`${PREFIX}:keys:rt:presence:ann`, `${PREFIX}:keys:rt:user:ann`]) {
        const ttl = await admin.pttl(key);
        // A TTL past the presence itself, for whoever sweeps a dead process to find the user.
        assert.ok(ttl > 5000 && ttl <= 10000, `${key} expires within two TTLs (PTTL ${ttl})`);
      }
      assert.equal(await admin.pttl(`${PREFIX}:keys:rt:room:r`), -1, 'rooms live until deleted');
    } finally {
      await store.close();
    }
  });

  it('keeps history as a stream whose entry ids are the offsets, beside its epoch and newest offset', async () => {
    const store = new RedisRealtimeStore({ url: REDIS_URL, prefix: `${PREFIX}:trim` });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await store.appendHistory('room:r', i, 2)).id);
      const stream = `${PREFIX}:trim:rt:history:room:r`;
      assert.deepEqual(
        (await admin.xrange(stream, '-', '+')).map(([id]) => id),
        ['3-0', '4-0'],
      );
      const { epoch } = parseHistoryId(ids[0]);
      assert.deepEqual(await admin.hgetall(`${PREFIX}:trim:rt:history-meta:room:r`), { e: epoch, s: '4' });
    } finally {
      await store.close();
    }
  });

  it('starts a new epoch when the record of one is lost (evicted, or Redis restarted empty), and tells readers of the old one', async () => {
    const store = new RedisRealtimeStore({ url: REDIS_URL, prefix: `${PREFIX}:evict` });
    try {
      const old = (await store.appendHistory('room:r', 'before', 10)).id;
      await admin.del(`${PREFIX}:evict:rt:history-meta:room:r`);
      const { id } = await store.appendHistory('room:r', 'after', 10);
      assert.notEqual(parseHistoryId(id).epoch, parseHistoryId(old).epoch);
      assert.equal(parseHistoryId(id).offset, 1);
      assert.deepEqual(await store.readHistory('room:r', old, 10), { entries: [{ id, message: 'after' }], complete: false, last: id });
      // The stream lost, its record kept: offsets go on, and a reader is told what is gone.
      await admin.del(`${PREFIX}:evict:rt:history:room:r`);
      const { id: next } = await store.appendHistory('room:r', 'next', 10);
      assert.deepEqual(await store.readHistory('room:r', id, 10), { entries: [{ id: next, message: 'next' }], complete: true, last: next });
      assert.deepEqual(await store.readHistory('room:r', old, 10), {
        entries: [{ id: next, message: 'next' }],
        complete: false,
        last: next,
      });
      await admin.del(`${PREFIX}:evict:rt:history:room:r`);
      assert.deepEqual(await store.readHistory('room:r', id, 10), { entries: [], complete: false, last: next }, `${next} is gone`);
    } finally {
      await store.close();
    }
  });

  it('rejects a bad prefix and names an unreachable Redis', async () => {
    assert.throws(() => new RedisRealtimeStore({ prefix: 'has space' }), TypeError);
    const store = new RedisRealtimeStore({
      url: 'redis://127.0.0.1:1',
      commandTimeoutMs: 300,
      redisOptions: { retryStrategy: () => null, lazyConnect: true },
    });
    try {
      await assert.rejects(store.ready(), /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    } finally {
      await store.close();
    }
  });
});
