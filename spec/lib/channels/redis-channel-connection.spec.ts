import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import {
  ChannelLayerUnavailable,
  RedisChannelLayer,
  type RedisChannelLayerEvents,
  type RedisChannelLayerOptions,
} from '../../../lib/channels/redis-channel-layer';
import { within } from '../../support/channel-layer-contract';
import { freePort, startRedis, stopRedis } from '../../support/private-redis';
import { killClient, layerOpener, numsub, REDIS_URL } from '../../support/redis-layers';

const layers = layerOpener();
const PREFIX = layers.prefix;
const opened = layers.opened;
const openLayer = (options?: RedisChannelLayerOptions): Promise<RedisChannelLayer> => layers.open(options);

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

// The connections are tested through the layer they carry: their events are the layer's.
describe('RedisChannelConnection', function () {
  this.timeout(10000);

  afterEach(async () => {
    await layers.closeAll();
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

  it('counts a reconnect in stats() each time a killed connection is back and subscribed', async () => {
    const layer = await openLayer({ redisOptions: { retryStrategy: () => 20 } });
    layer.on('error', () => {});
    assert.equal(layer.stats().reconnects, 0);
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    try {
      for (const [round, side] of [
        [1, 'sub'],
        [2, 'pub'],
      ] as const) {
        const back = nextEvent(layer, 'reconnected', 5000);
        assert.equal(await killClient(admin, `${PREFIX}:${layer.processName}:${side}`), 1);
        await back;
        assert.equal(layer.stats().reconnects, round);
      }
    } finally {
      admin.disconnect();
    }
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
      assert.equal(a.stats().reconnects, 0, 'an outage is not a reconnect until it is over');
      const [backA] = await Promise.all(up);
      assert.equal(backA.lost, 6);
      assert.equal(a.stats().reconnects, 1);
      assert.equal(b.stats().reconnects, 1);
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
