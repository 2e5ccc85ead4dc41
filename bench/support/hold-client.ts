/**
 * Holds `count` idle WebSocket connections for bench/ws-handshake.ts (part B), forked with a
 * raised open-file limit: reports `{ ready: true }`, waits for `'go'`, opens the connections
 * with at most `concurrency` handshakes at a time, taking source addresses in turn from a
 * comma-separated list of 127.0.0.x (each source address has only ~28k ephemeral ports, and
 * the kernel's search for a free one slows as they fill), reports `{ opened, failed, seconds }`,
 * then keeps them open (answering pings) until the parent disconnects. Then it resets every
 * connection and exits: a reset leaves no TIME_WAIT behind to crowd the ports of the next run.
 *
 * Run: `node dist/bench/support/hold-client.js <port> <path> <count> <concurrency> <addresses>` (forked).
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { openRaw, type RawTarget, readFrames, upgradeRequest } from './raw-websocket';

const held: Socket[] = [];
let dropped = 0;

async function open(target: RawTarget, request: Buffer): Promise<boolean> {
  try {
    const { socket, rest } = await openRaw(target, request);
    socket.on('error', () => {});
    socket.once('close', () => dropped++);
    readFrames(socket, rest, () => {});
    held.push(socket);
    return true;
  } catch {
    return false;
  }
}

async function hold(target: RawTarget, addresses: string[], count: number, concurrency: number): Promise<void> {
  const request = upgradeRequest(target);
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const localAddress = addresses[next % addresses.length];
      next++;
      if (!(await open({ ...target, localAddress }, request))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  process.send?.({ opened: held.length, failed, seconds: (performance.now() - started) / 1000 });
}

function main(): void {
  const [portArg, path = '/', countArg, concurrencyArg = '100', addressList = '127.0.0.1'] = process.argv.slice(2);
  const target: RawTarget = { host: '127.0.0.1', port: Number(portArg), path };
  const addresses = addressList.split(',');
  const count = Number(countArg);
  const concurrency = Number(concurrencyArg);
  if (!(target.port > 0) || !(count > 0) || !(concurrency > 0)) {
    throw new Error('usage: hold-client.js <port> <path> <count> <concurrency> <addresses>');
  }
  process.on('message', (message) => {
    if (message === 'go') void hold(target, addresses, count, concurrency);
    if (message === 'dropped') process.send?.({ dropped });
  });
  process.once('disconnect', () => {
    for (const socket of held) socket.resetAndDestroy();
    process.exit(0);
  });
  process.send?.({ ready: true });
}

main();
