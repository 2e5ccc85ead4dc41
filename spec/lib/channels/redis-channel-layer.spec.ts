import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ChannelFull, type ChannelLayerOptions } from '../../../lib/channels/channel-layer';
import {
  ChannelLayerUnavailable,
  RedisChannelLayer,
  type RedisChannelLayerEvents,
  type RedisChannelLayerOptions,
} from '../../../lib/channels/redis-channel-layer';
import { channelLayerContract, within } from '../../support/channel-layer-contract';
import { freePort, startRedis, stopRedis } from '../../support/private-redis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every layer here publishes under this prefix, so runs never see each other's traffic. */
const PREFIX = `sw-test-${randomBytes(4).toString('hex')}`;

const opened: RedisChannelLayer[] = [];
async function openLayer(options: RedisChannelLayerOptions = {}): Promise<RedisChannelLayer> {
  const layer = new RedisChannelLayer({ url: REDIS_URL, prefix: PREFIX, connectTimeoutMs: 3000, ...options });
  opened.push(layer);
  await layer.ready();
  return layer;
}

/** The next `event` from `layer`, or a failure after `ms`; unlike events.once, an 'error' does not reject it. */
function nextEvent<K extends 'disconnected' | 'reconnected'>(
  layer: RedisChannelLayer,
  event: K,
  ms: number,
): Promise<RedisChannelLayerEvents[K][0]> {
  // The untyped view: TypeScript cannot narrow the typed listener for a generic event name.
  const emitter: EventEmitter = layer;
  return within(new Promise((resolve) => emitter.once(event, resolve)), ms, `'${event}' from process ${layer.processName}`);
}

async function numsub(client: Redis, channel: string): Promise<number> {
  const reply = await client.call('PUBSUB', 'NUMSUB', channel);
  assert.ok(Array.isArray(reply) && reply.length === 2, `PUBSUB NUMSUB replied ${String(reply)}`);
  return Number(reply[1]);
}

describe('RedisChannelLayer', function () {
  this.timeout(10000);
  let admin: Redis;

  before(async () => {
    admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
    admin.on('error', () => {});
    try {
      await admin.connect();
      await admin.ping();
    } catch (error) {
      // Fail, never skip: these specs are the only proof the Redis backend works.
      throw new Error(
        `Redis at ${REDIS_URL} is unreachable (${error instanceof Error ? error.message : String(error)}); start it or set REDIS_URL`,
      );
    }
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((layer) => layer.close()));
  });

  after(async () => {
    if (admin.status !== 'ready') return admin.disconnect(); // before() already failed, saying why
    // Closed layers leave no subscriptions (and the layer never writes keys) under this run's prefix.
    const left = await admin.pubsub('CHANNELS', `${PREFIX}:*`);
    admin.disconnect();
    assert.deepEqual(left, [], 'subscriptions left behind');
  });

  channelLayerContract('RedisChannelLayer', (options?: ChannelLayerOptions) => openLayer(options), { sharesAcrossInstances: true });

  it('subscribes once per group per process, however many local members, and unsubscribes after the last', async () => {
    const [a, b] = [await openLayer(), await openLayer()];
    const group = a.groupChannel('room');
    const inA = [await a.newChannel(), await a.newChannel(), await a.newChannel()];
    const inB = [await b.newChannel(), await b.newChannel(), await b.newChannel()];
    for (const channel of inA) await a.groupAdd('room', channel);
    assert.equal(await numsub(admin, group), 1);
    for (const channel of inB) await b.groupAdd('room', channel);
    assert.equal(await numsub(admin, group), 2, 'one subscription per process');
    assert.equal(await numsub(admin, a.inbox), 1);
    assert.equal((await b.groupSend('room', { type: 'x' })).processes, 2);
    await a.groupDiscard('room', inA[0]);
    await a.groupDiscard('room', inA[1]);
    assert.equal(await numsub(admin, group), 2, 'still a member left in process a');
    await a.groupDiscard('room', inA[2]);
    assert.equal(await numsub(admin, group), 1);
    for (const channel of inB) await b.groupDiscard('room', channel);
    assert.equal(await numsub(admin, group), 0);
  });

  it('unsubscribes when the last membership lapses by groupExpiry', async () => {
    const layer = await openLayer({ groupExpiry: 0.15 });
    await layer.groupAdd('lapsing', await layer.newChannel());
    assert.equal(await numsub(admin, layer.groupChannel('lapsing')), 1);
    await sleep(350);
    assert.equal(await numsub(admin, layer.groupChannel('lapsing')), 0);
  });

  it('counts a direct send to a process that is gone as unroutable', async () => {
    const [a, b] = [await openLayer(), await openLayer()];
    const orphan = await b.newChannel();
    await b.close();
    await a.send(orphan, { type: 'x' });
    assert.equal(a.stats().unroutable, 1);
  });

  it('a send to a full channel of another process throws ChannelFull at the sender, as in memory; nothing is dropped there', async () => {
    const [a, b] = [await openLayer(), await openLayer({ capacity: 1 })];
    const channel = await b.newChannel();
    await a.send(channel, { type: 'first' });
    await assert.rejects(
      a.send(channel, { type: 'second' }),
      (error: Error) => error instanceof ChannelFull && error.capacity === 1 && error.message.includes(channel),
    );
    assert.equal(b.stats().dropped, 0, 'the sender was told, so the receiver counts no drop');
    assert.equal(a.stats().sent, 1);
    assert.deepEqual(await b.receive(channel), { type: 'first' });
    await a.send(channel, { type: 'third' });
    assert.deepEqual(await b.receive(channel), { type: 'third' });
  });

  it('drops, counts and reports garbage, truncated and wrong-shape payloads on its inbox and group channels, and goes on delivering', async () => {
    const layer = await openLayer();
    const errors: Error[] = [];
    layer.on('error', (error) => errors.push(error));
    const member = await layer.newChannel();
    await layer.groupAdd('room', member);
    const bad = ['not json', '{"c":"x","m":{"type":"tru', 'null', '[]', '{"m":"text"}', '{"m":{"type":""}}', '{"m":{"type":5}}'];
    for (const payload of bad) await admin.publish(layer.groupChannel('room'), payload);
    for (const payload of [...bad, JSON.stringify({ c: 'elsewhere.p!1', m: { type: 'x' } }), JSON.stringify({ m: { type: 'x' } })]) {
      await admin.publish(layer.inbox, payload);
    }
    const total = bad.length * 2 + 2;
    await within(
      (async () => {
        while (errors.length < total) await sleep(10);
      })(),
      2000,
      `${total} errors`,
    );
    assert.equal(layer.stats().malformed, total);
    assert.match(errors[0].message, /dropped a malformed message on .*:group:room/);
    assert.ok(errors.some((error) => /belongs to process/.test(error.message)));
    await admin.publish(layer.groupChannel('room'), JSON.stringify({ o: 'elsewhere', m: { type: 'fine' } }));
    assert.deepEqual(await within(layer.receive(member), 2000, 'a good message after the bad ones'), { type: 'fine' });
  });

  it('rejects ready() naming the URL when Redis is unreachable, and counts what it could not publish', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const layer = new RedisChannelLayer({ url, prefix: PREFIX, connectTimeoutMs: 300, redisOptions: { retryStrategy: () => 100 } });
    opened.push(layer);
    layer.on('error', () => {});
    await assert.rejects(layer.ready(), (error: Error) => error.message.includes(url));
    const result = await layer.groupSend('room', { type: 'x' });
    assert.equal(result.remote, 'failed');
    await assert.rejects(layer.send('specific.elsewhere!1', { type: 'x' }), ChannelLayerUnavailable);
    assert.equal(layer.stats().lost, 2);
  });

  describe('across a Redis restart', () => {
    let server: ChildProcess | undefined;
    after(async () => {
      if (server) await stopRedis(server);
    });

    it("tells the sender 'unknown' while Redis is stalled (SIGSTOP) and 'failed' once it is dead (SIGKILL)", async () => {
      const port = await freePort();
      server = await startRedis(port);
      const options = { url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300, redisOptions: { retryStrategy: () => 50 } };
      const [a, b] = [await openLayer(options), await openLayer(options)];
      for (const layer of [a, b]) layer.on('error', () => {});
      const member = await b.newChannel();
      await b.groupAdd('room', member);
      assert.equal((await a.groupSend('room', { type: 'before' })).remote, 'sent');
      server.kill('SIGSTOP');
      try {
        const stalled = await a.groupSend('room', { type: 'stalled' });
        assert.deepEqual({ remote: stalled.remote, processes: stalled.processes }, { remote: 'unknown', processes: 0 });
        await assert.rejects(
          a.send(member, { type: 'stalled' }),
          (error: Error) => error instanceof ChannelLayerUnavailable && error.outcome === 'unknown',
        );
        assert.equal(a.stats().unconfirmed, 2);
        assert.equal(a.stats().lost, 0, 'nothing is reported lost that Redis may still deliver');
      } finally {
        server.kill('SIGCONT');
      }
      await stopRedis(server);
      await nextEvent(a, 'disconnected', 3000).catch(() => undefined);
      let outcome = '';
      for (let i = 0; i < 20 && outcome !== 'failed'; i++) outcome = (await a.groupSend('room', { type: 'dead' })).remote;
      assert.equal(outcome, 'failed');
      assert.ok(a.stats().lost >= 1);
    });

    it('reports the outage, counts what was lost, and restores subscriptions', async () => {
      const port = await freePort();
      server = await startRedis(port);
      const options = { url: `redis://127.0.0.1:${port}`, redisOptions: { retryStrategy: () => 50 } };
      const [a, b] = [await openLayer(options), await openLayer(options)];
      for (const layer of [a, b]) layer.on('error', () => {});
      const member = await b.newChannel('room');
      await b.groupAdd('room', member);

      for (let i = 0; i < 5; i++) assert.equal((await a.groupSend('room', { type: 'before', i })).remote, 'sent');
      for (let i = 0; i < 5; i++) assert.deepEqual(await within(b.receive(member), 2000, 'traffic'), { type: 'before', i });

      const down = [nextEvent(a, 'disconnected', 3000), nextEvent(b, 'disconnected', 3000)];
      await stopRedis(server);
      await Promise.all(down);
      for (let i = 0; i < 5; i++) assert.equal((await a.groupSend('room', { type: 'during', i })).remote, 'failed');
      await assert.rejects(a.send(member, { type: 'during' }), ChannelLayerUnavailable);
      assert.equal(a.stats().lost, 6);

      const up = [nextEvent(a, 'reconnected', 5000), nextEvent(b, 'reconnected', 5000)];
      server = await startRedis(port);
      const [backA] = await Promise.all(up);
      assert.equal(backA.lost, 6);
      assert.ok(backA.downtimeMs > 0);

      const fresh = new Redis(options.url, { maxRetriesPerRequest: 0 });
      try {
        assert.equal(await numsub(fresh, a.groupChannel('room')), 1, 'group subscription restored');
        assert.equal(await numsub(fresh, b.inbox), 1, 'inbox subscription restored');
      } finally {
        fresh.disconnect();
      }
      assert.equal((await a.groupSend('room', { type: 'after' })).remote, 'sent');
      assert.deepEqual(await within(b.receive(member), 2000, 'traffic after the restart'), { type: 'after' });
      await a.send(member, { type: 'direct' });
      assert.deepEqual(await within(b.receive(member), 2000, 'a direct send after the restart'), { type: 'direct' });
    });
  });
});
