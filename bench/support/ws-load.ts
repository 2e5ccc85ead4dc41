/**
 * A closed-loop WebSocket load generator for `bench/ws-echo.ts`: `connections` `ws` clients,
 * each keeping `inFlight` messages outstanding (a reply is answered at once by the next
 * message), latency measured per message from send to the matching reply (replies come back
 * in order on one connection, so a ring of send times per client is enough).
 *
 * The clients are made cheap on purpose so the load generator, which shares the machine with
 * the server, stays out of the way: the payload is encoded once, replies are not parsed or
 * UTF-8 validated, and frames are masked with a zero key (which `ws` sends without a masking
 * pass). The server's work is unchanged: it unmasks, validates and parses every frame.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket as WsClient } from 'ws';

export interface LoadOptions {
  url: string;
  payload: Buffer;
  seconds: number;
  connections: number;
  inFlight: number;
  /** Seconds of load before measuring starts (lets the loop reach a steady state). */
  rampSeconds?: number;
  /** Called just before and just after the measured window; e.g. reads the server's CPU time. */
  mark?: () => Promise<number>;
}

export interface LoadResult {
  messages: number;
  seconds: number;
  /** Sorted round-trip latencies (ms) of the replies received in the measured window. */
  latencies: Float64Array;
  /** `mark()` after minus before, or NaN without `mark`. */
  markDelta: number;
  failures: number;
}

const CLIENT_OPTIONS = {
  perMessageDeflate: false,
  skipUTF8Validation: true,
  maxPayload: 64 * 1024 * 1024,
  generateMask: (mask: Buffer): void => {
    mask.fill(0);
  },
} as const;

/** Opens one client; rejects if the handshake fails. */
export function connect(url: string): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const client = new WsClient(url, CLIENT_OPTIONS);
    client.once('open', () => {
      client.off('error', reject);
      resolve(client);
    });
    client.once('error', reject);
  });
}

/** Closes clients and waits until each has closed (or 3 s passed). */
export async function closeAll(clients: readonly WsClient[]): Promise<void> {
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.readyState === WsClient.CLOSED) return resolve();
          const timer = setTimeout(() => {
            client.terminate();
            resolve();
          }, 3000);
          client.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          client.close(1000);
        }),
    ),
  );
}

/** One message there and back; resolves with the reply as text. */
export async function roundTrip(url: string, payload: Buffer): Promise<string> {
  const client = await connect(url);
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${url}: no reply within 5 s`)), 5000);
      client.once('message', (data: Buffer) => {
        clearTimeout(timer);
        resolve(data.toString('utf8'));
      });
      client.once('close', (code) => reject(new Error(`${url}: closed with ${code} before replying`)));
      client.send(payload, { binary: false });
    });
  } finally {
    await closeAll([client]);
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { payload, inFlight } = options;
  const clients = await Promise.all(Array.from({ length: options.connections }, () => connect(options.url)));
  let running = true;
  let measuring = false;
  let messages = 0;
  let failures = 0;
  let latencies = new Float64Array(1 << 16);
  let pending = 0;
  let drained: (() => void) | undefined;

  for (const client of clients) {
    const sentAt = new Float64Array(inFlight);
    let sent = 0;
    let received = 0;
    const send = (): void => {
      sentAt[sent % inFlight] = performance.now();
      sent++;
      pending++;
      client.send(payload, { binary: false });
    };
    client.on('message', () => {
      const now = performance.now();
      const latency = now - sentAt[received % inFlight];
      received++;
      pending--;
      if (measuring) {
        if (messages === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[messages++] = latency;
      }
      if (running) send();
      else if (pending === 0) drained?.();
    });
    client.on('error', () => {
      failures++;
    });
    client.on('close', () => {
      if (running) failures++;
      pending -= sent - received;
      received = sent;
      if (!running && pending === 0) drained?.();
    });
    for (let i = 0; i < inFlight; i++) send();
  }

  await sleep((options.rampSeconds ?? 0.5) * 1000);
  const markBefore = options.mark ? await options.mark() : Number.NaN;
  measuring = true;
  const start = performance.now();
  await sleep(options.seconds * 1000);
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  const markDelta = options.mark ? (await options.mark()) - markBefore : Number.NaN;
  running = false;
  if (pending > 0) {
    await Promise.race([
      new Promise<void>((resolve) => {
        drained = resolve;
      }),
      sleep(5000),
    ]);
  }
  await closeAll(clients);
  return { messages, seconds, latencies: latencies.slice(0, messages).sort(), markDelta, failures };
}

export { percentile } from './stats';
