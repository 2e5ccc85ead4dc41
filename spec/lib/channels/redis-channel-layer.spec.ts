import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ChannelFull, type ChannelLayerOptions } from '../../../lib/channels/channel-layer';
import type { RedisChannelLayer, RedisChannelLayerOptions } from '../../../lib/channels/redis-channel-layer';
import { Logger } from '../../../lib/config/logger';
import { channelLayerContract, within } from '../../support/channel-layer-contract';
import { layerOpener, numsub, REDIS_URL } from '../../support/redis-layers';

const layers = layerOpener();
const PREFIX = layers.prefix;
const openLayer = (options?: RedisChannelLayerOptions): Promise<RedisChannelLayer> => layers.open(options);

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
    await layers.closeAll();
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

  it('logs an error nobody listens for as one channel-layer.error line through its logger, and reports reachable', async () => {
    const lines: string[] = [];
    const layer = await openLayer({ logger: new Logger({ level: 'warn', write: (line) => lines.push(line) }) });
    assert.equal(layer.reachable, true);
    await admin.publish(layer.inbox, 'not json');
    await within(
      (async () => {
        while (lines.length === 0) await sleep(10);
      })(),
      2000,
      'the log line',
    );
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.deepEqual([line.level, line.event, line.layer], [40, 'channel-layer.error', 'redis']);
    assert.match(String((line.err as { message: string }).message), /dropped a malformed message on .*:inbox:/);
    await layer.close();
    assert.equal(layer.reachable, false);
  });
});
