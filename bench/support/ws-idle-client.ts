/**
 * Holds `count` idle WebSocket connections to `url` for `bench/ws-idle.ts`, opening at most
 * `concurrency` handshakes at a time. Reports `{ opened, failed }` over IPC once every attempt
 * has settled, keeps the connections open without sending anything, and exits (dropping them
 * all) when the parent disconnects.
 *
 * Run: `node dist/bench/support/ws-idle-client.js <url> <count> [concurrency]` (forked).
 */
import { WebSocket as WsClient } from 'ws';

const held: WsClient[] = [];

function open(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = new WsClient(url, { perMessageDeflate: false });
    client.once('open', () => {
      held.push(client);
      resolve(true);
    });
    client.on('error', () => resolve(false));
  });
}

async function run(): Promise<void> {
  const [url, countArg, concurrencyArg = '200'] = process.argv.slice(2);
  const count = Number(countArg);
  const concurrency = Number(concurrencyArg);
  if (!url || !(count > 0) || !(concurrency > 0)) throw new Error('usage: ws-idle-client.js <url> <count> [concurrency]');
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      if (!(await open(url))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  process.send?.({ opened: held.length, failed });
  process.once('disconnect', () => process.exit(0));
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
