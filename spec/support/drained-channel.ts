/**
 * Measures what drained channels cost, for spec/lib/channels/drained-channel.spec.ts: runs `CYCLES`
 * send-then-receive cycles on one channel of a layer (`LAYER=memory` or `LAYER=redis`, the
 * latter under `REDIS_PREFIX`), with a garbage collection before and after, and prints
 * `{ growth, deadlines, channels }` as one JSON line: the heap growth in bytes, the entries
 * left in the message-deadline queue, and the channels the layer still holds.
 * Run it with `node --expose-gc`.
 *
 * @example
 * execFile(process.execPath, ['--expose-gc', 'dist/spec/support/drained-channel.js'], { env: { LAYER: 'memory', CYCLES: '100000' } });
 */
import type { ChannelLayer } from '../../lib/channels/channel-layer';
import { InMemoryChannelLayer } from '../../lib/channels/in-memory-channel-layer';
import { RedisChannelLayer } from '../../lib/channels/redis-channel-layer';

/** The wrapped in-memory layer's private deadline queue: how many entries it still holds. */
function deadlines(layer: ChannelLayer): number {
  const inner = layer instanceof RedisChannelLayer ? (layer as unknown as { local: InMemoryChannelLayer }).local : layer;
  return (inner as unknown as { messageDeadlines: { length: number } }).messageDeadlines.length;
}

async function cycles(layer: ChannelLayer, channel: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await layer.send(channel, { type: 'tick', i });
    await layer.receive(channel);
  }
}

async function main(): Promise<void> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const count = Number(process.env.CYCLES ?? 100000);
  const layer: ChannelLayer =
    process.env.LAYER === 'redis'
      ? new RedisChannelLayer({ prefix: process.env.REDIS_PREFIX ?? 'sw-drained' })
      : new InMemoryChannelLayer();
  if (layer instanceof RedisChannelLayer) await layer.ready();
  const channel = await layer.newChannel();
  // A warm-up, so code caches and the layer's fixed structures are not counted as growth.
  await cycles(layer, channel, 1000);
  gc();
  const before = process.memoryUsage().heapUsed;
  await cycles(layer, channel, count);
  gc();
  const growth = process.memoryUsage().heapUsed - before;
  process.stdout.write(`${JSON.stringify({ growth, deadlines: deadlines(layer), channels: layer.stats().channels })}\n`);
  await layer.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
