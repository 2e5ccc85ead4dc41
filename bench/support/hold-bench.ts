/**
 * Part B of bench/ws-handshake.ts: one Starwire server process (support/handshake-servers.ts,
 * `--expose-gc`, open-file limit raised) holds `connections` idle WebSocket connections opened
 * by client processes (support/hold-client.ts) of at most `perClient` each, spread over source
 * addresses 127.0.0.2, 127.0.0.3, ... (loopback has about 28k ephemeral ports per address).
 * Reports the setup rate (connections per second from 'go' until every client has opened its
 * share), the server's CPU per connection set up, and its heap and RSS in total and per
 * connection (after full GCs, against a baseline taken once a warm-up batch has come and gone).
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fdLimits, nextMessage, spawnNode, stopProcess } from './fd-limit';
import { HANDSHAKE_PATH } from './handshake-servers';
import type { MemorySample } from './ws-servers';

const SERVER_SCRIPT = join(__dirname, 'handshake-servers.js');
const CLIENT_SCRIPT = join(__dirname, 'hold-client.js');
/** Descriptors a process needs beyond its sockets (stdio, IPC, libuv, the listener...). */
const FD_SLACK = 256;
/** Connections per client process at most. */
const MAX_PER_CLIENT = 25_000;
/**
 * Connections per source address: loopback has ~28k ephemeral ports per address, and binding a
 * free one costs more the fuller they are, so each address carries only a few thousand.
 */
const PER_ADDRESS = 4000;

export interface HoldOptions {
  connections: number;
  perClient: number;
  concurrency: number;
  idle: number;
  warmup: number;
}

export interface HoldResult {
  /** What was asked for, before fitting to the open-file limit. */
  asked: number;
  connections: number;
  clients: number;
  setupSeconds: number;
  setupPerSecond: number;
  cpuPerConnection: number;
  baseline: MemorySample;
  loaded: MemorySample;
  heapPerConnection: number;
  rssPerConnection: number;
}

function is<K extends string>(key: K) {
  return (message: unknown): message is Record<K, unknown> =>
    typeof message === 'object' && message !== null && (message as Record<string, unknown>)[key] !== undefined;
}

/** Lowers the counts to what the open-file hard limit allows, saying so. */
export function fitHold(options: HoldOptions): HoldOptions {
  const { soft, hard } = fdLimits();
  let { connections, perClient } = options;
  if (connections + FD_SLACK > hard) {
    const fitted = Math.max(100, hard - FD_SLACK);
    console.log(
      `NOTE: the open-file hard limit (ulimit -Hn) is ${hard}, too low for ${connections} sockets in one server process; ` +
        `holding ${fitted} connections instead (raise the hard limit, e.g. in /etc/security/limits.conf or with --ulimit nofile, to hold ${connections}).`,
    );
    connections = fitted;
  }
  perClient = Math.min(perClient, MAX_PER_CLIENT, Math.max(100, hard - FD_SLACK));
  console.log(`open-file limits: soft ${soft}, hard ${hard}; children raise their soft limit with ulimit -n`);
  return { ...options, connections, perClient };
}

async function ask<K extends string>(child: ChildProcess, request: string, key: K): Promise<Record<K, unknown>> {
  const reply = nextMessage(child, is(key), `${request} from ${key}`);
  child.send(request);
  return reply;
}

async function memoryOf(server: ChildProcess): Promise<MemorySample> {
  const { memory } = (await ask(server, 'memory', 'memory')) as { memory: MemorySample };
  if (!memory.collected) throw new Error('the server was not started with --expose-gc');
  return memory;
}

async function cpuOf(server: ChildProcess): Promise<number> {
  return (await ask(server, 'cpu', 'cpu')).cpu as number;
}

/** Starts the clients (each with source addresses of its own from 127.0.0.`first` on), waits until all are ready. */
async function startClients(port: number, count: number, options: HoldOptions, first: number): Promise<ChildProcess[]> {
  const clients: ChildProcess[] = [];
  let address = first;
  for (let left = count; left > 0; left -= options.perClient) {
    const share = Math.min(left, options.perClient);
    const addresses = Array.from({ length: Math.ceil(share / PER_ADDRESS) }, () => `127.0.0.${address++}`);
    const args = [String(port), HANDSHAKE_PATH, String(share), String(options.concurrency), addresses.join(',')];
    clients.push(spawnNode(CLIENT_SCRIPT, args, [], share + FD_SLACK));
  }
  await Promise.all(clients.map((client) => nextMessage(client, is('ready'), 'hold client')));
  return clients;
}

/** Sends 'go' to every client; resolves with what they opened once all have settled. */
async function openAll(clients: ChildProcess[]): Promise<{ opened: number; failed: number }> {
  const reports = clients.map((client) => nextMessage(client, is('opened'), 'hold client') as Promise<{ opened: number; failed: number }>);
  for (const client of clients) client.send('go');
  const settled = await Promise.all(reports);
  return { opened: settled.reduce((sum, r) => sum + r.opened, 0), failed: settled.reduce((sum, r) => sum + r.failed, 0) };
}

/** Runs part B with options already fitted by `fitHold`. */
export async function holdIdle(options: HoldOptions, asked: number): Promise<HoldResult> {
  const n = options.connections;
  const server = spawnNode(SERVER_SCRIPT, ['starwire'], ['--expose-gc'], n + FD_SLACK);
  let clients: ChildProcess[] = [];
  try {
    const { port } = (await nextMessage(server, is('port'), 'starwire server')) as { port: number };
    if (options.warmup > 0) {
      // A batch that comes and goes first, so what the first connections warm up (code, pools)
      // is in the baseline rather than counted per connection. From an address part B does not use.
      const warm = await startClients(port, options.warmup, options, 250);
      await openAll(warm);
      await Promise.all(warm.map((client) => stopProcess(client)));
      await sleep(1000);
    }
    const baseline = await memoryOf(server);
    // 127.0.0.1 is left out: other loopback traffic crowds its ports.
    clients = await startClients(port, n, options, 2);
    const cpuBefore = await cpuOf(server);
    const started = performance.now();
    const { opened, failed } = await openAll(clients);
    const setupSeconds = (performance.now() - started) / 1000;
    const cpu = (await cpuOf(server)) - cpuBefore;
    if (failed > 0 || opened !== n) throw new Error(`starwire: opened ${opened} of ${n} connections (${failed} failed)`);
    await sleep(options.idle * 1000);
    const loaded = await memoryOf(server);
    const dropped = await Promise.all(clients.map(async (client) => (await ask(client, 'dropped', 'dropped')).dropped as number));
    const lost = dropped.reduce((sum, d) => sum + d, 0);
    if (lost > 0) throw new Error(`starwire: ${lost} of ${n} held connections closed while idle`);
    return {
      asked,
      connections: n,
      clients: clients.length,
      setupSeconds,
      setupPerSecond: n / setupSeconds,
      cpuPerConnection: cpu / n,
      baseline,
      loaded,
      heapPerConnection: (loaded.heapUsed - baseline.heapUsed) / n,
      rssPerConnection: (loaded.rss - baseline.rss) / n,
    };
  } finally {
    await Promise.all(clients.map((client) => stopProcess(client)));
    await stopProcess(server);
  }
}
