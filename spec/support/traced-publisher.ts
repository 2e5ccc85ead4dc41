// A separate process for spec/lib/channels/traced-channel-layer.spec.ts: publishes one message
// on a traced RedisChannelLayer and prints its producer span's ids as one JSON line.
import { TracedChannelLayer } from '../../lib/channels/traced-channel-layer';
import { Tracing } from '../../lib/tracing/tracing';
import { layerOpener } from './redis-layers';
import { TracingSdk } from './tracing-sdk';

async function main(): Promise<void> {
  const [prefix, group] = process.argv.slice(2);
  const sdk = new TracingSdk();
  const layers = layerOpener(prefix);
  const layer = new TracedChannelLayer(await layers.open(), new Tracing({ tracer: sdk.tracer }));
  const result = await layer.groupSend(group, { type: 'job.start', pid: process.pid });
  const span = sdk.span(`publish ${group}`).spanContext();
  process.stdout.write(`${JSON.stringify({ remote: result.remote, traceId: span.traceId, spanId: span.spanId })}\n`);
  await layers.closeAll();
  await sdk.shutdown();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
