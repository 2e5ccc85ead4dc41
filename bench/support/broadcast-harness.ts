/**
 * Process plumbing and measurement shared by `bench/broadcast.ts` and `bench/broadcast-redis.ts`:
 * starts broadcast servers (support/broadcast-servers.ts) and client processes
 * (support/broadcast-clients.ts), and measures one round.
 *
 * A round: the driving server broadcasts in a loop for `seconds` with at most `window`
 * broadcasts outstanding (each acked by one designated socket per client process); then the
 * client processes' delivery counters are read until they reach broadcasts × room sockets (or
 * stop moving). Deliveries per second = deliveries counted by clients ÷ the server's window
 * (first broadcast → last ack). Server CPU per delivery sums every server process's CPU.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BROADCAST_PATH, type BroadcastSystem, clientKind, type RunResult } from './broadcast-servers';
import { nextMessage, spawnNode, stopProcess } from './fd-limit';

const SERVER_SCRIPT = join(__dirname, 'broadcast-servers.js');
const CLIENT_SCRIPT = join(__dirname, 'broadcast-clients.js');
/** Descriptors a process needs beyond its sockets. */
const FD_SLACK = 256;

function has<K extends string>(key: K): (message: unknown) => message is Record<K, unknown> {
  return (message: unknown): message is Record<K, unknown> => typeof message === 'object' && message !== null && key in message;
}

export interface ServerProcess {
  readonly system: BroadcastSystem;
  readonly child: ChildProcess;
  readonly port: number;
}

export interface ClientProcess {
  readonly child: ChildProcess;
  readonly sockets: number;
}

export async function startServer(
  system: BroadcastSystem,
  options: { redis?: boolean; history?: boolean; prefix?: string; execArgv?: string[]; sockets: number },
): Promise<ServerProcess> {
  const args: string[] = [system];
  if (options.redis) args.push('--redis');
  if (options.history) args.push('--history');
  if (options.prefix) args.push('--prefix', options.prefix);
  const child = spawnNode(SERVER_SCRIPT, args, options.execArgv ?? [], options.sockets + FD_SLACK);
  const { port } = await nextMessage(child, has('port'), `${system} server`);
  return { system, child, port: Number(port) };
}

/** The URL a client of `system` connects to. */
export function serverUrl(server: ServerProcess, role: 'member' | 'control'): string {
  if (clientKind(server.system) === 'socketio') return `http://127.0.0.1:${server.port}`;
  return `ws://127.0.0.1:${server.port}${BROADCAST_PATH}${role === 'control' ? '?role=control' : ''}`;
}

/** Opens `sockets` room sockets to `room` (plus a control connection to `control`) in a new process. */
export async function startClients(room: ServerProcess, control: ServerProcess, sockets: number): Promise<ClientProcess> {
  const child = spawnNode(
    CLIENT_SCRIPT,
    [clientKind(room.system), serverUrl(room, 'member'), serverUrl(control, 'control'), String(sockets)],
    [],
    sockets + FD_SLACK,
  );
  const { ready } = await nextMessage(child, has('ready'), `${room.system} clients`);
  const { opened, failed } = ready as { opened: number; failed: number };
  if (failed > 0 || opened !== sockets) {
    await stopProcess(child);
    throw new Error(`${room.system}: ${opened} of ${sockets} client sockets joined (${failed} failed)`);
  }
  return { child, sockets };
}

export async function ask<K extends string>(child: ChildProcess, request: string, key: K): Promise<number> {
  const reply = nextMessage(child, has(key), `'${request}'`);
  child.send(request);
  return Number((await reply)[key]);
}

export function stopAll(children: readonly ChildProcess[]): Promise<void[]> {
  return Promise.all(children.map((child) => stopProcess(child)));
}

export interface Sample {
  deliveriesPerSecond: number;
  broadcasts: number;
  deliveries: number;
  /** Deliveries the clients did not see (should be 0). */
  lost: number;
  seconds: number;
  /** CPU of every server process per delivery, µs. */
  serverCpuPerDelivery: number;
  /** The driving server's CPU use over the window, % of one core. */
  serverCpuPercent: number;
  /** The other server processes' CPU use over the window (summed), % of one core. */
  otherCpuPercent: number;
  /** All client processes' CPU use over the window, % of one core. */
  clientCpuPercent: number;
  stalled: boolean;
  /** Issue to last ack of a broadcast, ms (see `RunResult.latencyMs`). */
  p50Ms: number;
  p99Ms: number;
}

async function totalCount(clients: readonly ClientProcess[]): Promise<number> {
  const counts = await Promise.all(clients.map((c) => ask(c.child, 'count', 'count')));
  return counts.reduce((a, b) => a + b, 0);
}

async function totalCpu(children: readonly ChildProcess[]): Promise<number> {
  const cpus = await Promise.all(children.map((child) => ask(child, 'cpu', 'cpu')));
  return cpus.reduce((a, b) => a + b, 0);
}

/** One measured round; `driver` broadcasts, `others` are servers that deliver what it publishes. */
export async function measureRound(
  driver: ServerProcess,
  others: readonly ServerProcess[],
  clients: readonly ClientProcess[],
  options: { seconds: number; window: number },
): Promise<Sample> {
  const sockets = clients.reduce((sum, c) => sum + c.sockets, 0);
  const count0 = await totalCount(clients);
  const otherCpu0 = await totalCpu(others.map((s) => s.child));
  const clientCpu0 = await totalCpu(clients.map((c) => c.child));
  const reply = nextMessage(driver.child, has('result'), `${driver.system} run`);
  driver.child.send({ run: { seconds: options.seconds, window: options.window, ackers: clients.length } });
  const result = (await reply).result as RunResult;
  const expected = result.broadcasts * sockets;
  // Deliveries still in flight to non-acker sockets: wait until all arrive or the count stops moving.
  let delivered = (await totalCount(clients)) - count0;
  for (let still = 0, waited = 0; delivered < expected && still < 6 && waited < 60; waited++) {
    await sleep(50);
    const now = (await totalCount(clients)) - count0;
    still = now === delivered ? still + 1 : 0;
    delivered = now;
  }
  const clientCpu = (await totalCpu(clients.map((c) => c.child))) - clientCpu0;
  const otherCpu = (await totalCpu(others.map((s) => s.child))) - otherCpu0;
  return {
    deliveriesPerSecond: delivered / result.seconds,
    broadcasts: result.broadcasts,
    deliveries: delivered,
    lost: Math.max(0, expected - delivered),
    seconds: result.seconds,
    serverCpuPerDelivery: delivered > 0 ? (result.cpuMicros + otherCpu) / delivered : Number.NaN,
    serverCpuPercent: result.cpuMicros / 1e4 / result.seconds,
    otherCpuPercent: otherCpu / 1e4 / result.seconds,
    clientCpuPercent: clientCpu / 1e4 / result.seconds,
    stalled: result.stalled,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
  };
}

export function describeSample(label: string, sample: Sample): string {
  return (
    `${label}  ${Math.round(sample.deliveriesPerSecond)} deliveries/s  (${sample.broadcasts} broadcasts in ${sample.seconds.toFixed(2)} s)  ` +
    `p99 ${sample.p99Ms.toFixed(1)} ms  server ${sample.serverCpuPerDelivery.toFixed(3)} µs cpu/delivery, cpu ${Math.round(sample.serverCpuPercent)}%${Number.isNaN(sample.otherCpuPercent) || sample.otherCpuPercent === 0 ? '' : ` (B ${Math.round(sample.otherCpuPercent)}%)`}  client cpu ${Math.round(sample.clientCpuPercent)}%` +
    `${sample.lost ? `  LOST ${sample.lost}` : ''}${sample.stalled ? '  STALLED' : ''}`
  );
}
