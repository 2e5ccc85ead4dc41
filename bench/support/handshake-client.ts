/**
 * The load generator of bench/ws-handshake.ts, forked: `concurrency` loops, each repeating one
 * cycle (open a connection, send one text message, receive its echo, close, wait for the TCP
 * close) over support/raw-websocket.ts. The parent sends `{ run, ramp }` (seconds); the child
 * loads for `ramp` seconds, reports `{ mark: 'start' }`, counts the cycles completed over the
 * next `run` seconds, reports `{ mark: 'end', handshakes, failures, seconds }`, lets the cycles
 * in flight finish, and reports `{ settled: true }`. It exits when the parent disconnects.
 *
 * Run: `node dist/bench/support/handshake-client.js <port> <path> <concurrency>` (forked).
 */
import { performance } from 'node:perf_hooks';
import { CLOSE_FRAME, clientFrame, openRaw, type RawTarget, readFrames, upgradeRequest } from './raw-websocket';

const MESSAGE = Buffer.from('{"type":"hello","n":1}');
const MESSAGE_FRAME = clientFrame(0x1, MESSAGE);
/** A cycle that takes longer than this counts as failed (and its socket is dropped). */
const CYCLE_TIMEOUT_MS = 10_000;

/** One connect → message → echo → close cycle; resolves true when it went as it should. */
async function cycle(target: RawTarget, request: Buffer): Promise<boolean> {
  let opened: Awaited<ReturnType<typeof openRaw>>;
  try {
    opened = await openRaw(target, request);
  } catch {
    return false;
  }
  const { socket, rest } = opened;
  return new Promise<boolean>((resolve) => {
    let echoed = false;
    const timer = setTimeout(() => socket.destroy(), CYCLE_TIMEOUT_MS);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(echoed);
    });
    readFrames(socket, rest, (frame) => {
      if (frame.opcode === 0x1 && !echoed) {
        echoed = frame.payload.equals(MESSAGE);
        socket.write(CLOSE_FRAME);
      }
    });
    socket.write(MESSAGE_FRAME);
  });
}

async function load(target: RawTarget, concurrency: number, ramp: number, run: number): Promise<void> {
  const request = upgradeRequest(target);
  const send = (message: object): void => {
    process.send?.(message);
  };
  let counting = false;
  let stopping = false;
  let handshakes = 0;
  let failures = 0;
  const loop = async (): Promise<void> => {
    while (!stopping) {
      const ok = await cycle(target, request);
      if (!counting) continue;
      if (ok) handshakes++;
      else failures++;
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((resolve) => setTimeout(resolve, ramp * 1000));
  counting = true;
  const started = performance.now();
  send({ mark: 'start' });
  await new Promise((resolve) => setTimeout(resolve, run * 1000));
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  send({ mark: 'end', handshakes, failures, seconds });
  stopping = true;
  await Promise.all(loops);
  send({ settled: true });
}

function main(): void {
  const [portArg, path = '/', concurrencyArg = '50'] = process.argv.slice(2);
  const target: RawTarget = { host: '127.0.0.1', port: Number(portArg), path };
  const concurrency = Number(concurrencyArg);
  if (!(target.port > 0) || !(concurrency > 0)) throw new Error('usage: handshake-client.js <port> <path> <concurrency>');
  process.on('message', (message: { run?: number; ramp?: number }) => {
    if (typeof message?.run !== 'number') return;
    void load(target, concurrency, message.ramp ?? 0, message.run);
  });
  process.once('disconnect', () => process.exit(0));
  process.send?.({ ready: true });
}

main();
