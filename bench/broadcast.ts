/**
 * Deliveries per second and delivery latency of a room broadcast to 10,000 WebSocket clients
 * (a 64-byte JSON message), one process: Starwire's `app.realtime.broadcastToRoom` (all sockets in one room)
 * against a plain `ws` loop that stringifies per client (`for (const c of clients)
 * c.send(JSON.stringify(msg))`), the same loop stringifying once (`ws-loop-once`), and
 * Socket.IO's `io.to(room).emit(...)` (websocket transport only). See
 * support/broadcast-servers.ts for the servers and support/broadcast-harness.ts for the method.
 *
 * Each server runs in its own process; the client sockets live in `--client-procs` separate
 * processes that count deliveries (delivery = one client socket received one broadcast), all
 * over 127.0.0.1. The server broadcasts in a loop for `--duration` seconds with windowed flow
 * control: at most `--window` broadcasts outstanding, each acked by the last-joined socket of
 * every client process; the round then waits until the clients have counted every delivery.
 * Systems alternate round by round after a warm-up; medians over rounds are reported, with the
 * server CPU per delivery (all server processes) as the client-independent measure. A last
 * round per system issues one broadcast at a time and reports the p50 and p99 latency from
 * issuing a broadcast to its arrival at the last socket of the room (measured at the server as
 * the last ack, so one small loopback message is included).
 * The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- broadcast [--duration 3] [--rounds 3] [--warmup 1] [--sockets 10000]
 *       [--client-procs 2] [--window 16] [--systems starwire,ws-loop,ws-loop-once,socketio]
 *       [--profile starwire]` (`--profile` writes a `--cpu-prof` profile of that server).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ask,
  type ClientProcess,
  describeSample,
  measureRound,
  type Sample,
  type ServerProcess,
  startClients,
  startServer,
  stopAll,
} from './support/broadcast-harness';
import { BROADCAST_SYSTEMS, type BroadcastSystem, isBroadcastSystem, MESSAGE_BYTES } from './support/broadcast-servers';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';

/** Starwire's deliveries per second over the plain `ws` send loops'. */
export const BROADCAST_TARGET = 2;

export interface BroadcastOptions {
  duration: number;
  rounds: number;
  warmup: number;
  sockets: number;
  clientProcs: number;
  window: number;
  systems: BroadcastSystem[];
  profile: BroadcastSystem | undefined;
  profileDir: string;
}

export function parseBroadcastOptions(
  args: string[],
  defaults: { systems: readonly BroadcastSystem[]; clientProcs: string; sockets: string },
): BroadcastOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      duration: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      sockets: { type: 'string', default: defaults.sockets },
      'client-procs': { type: 'string', default: defaults.clientProcs },
      window: { type: 'string', default: '16' },
      systems: { type: 'string', default: defaults.systems.join(',') },
      profile: { type: 'string' },
      'profile-dir': { type: 'string', default: join(tmpdir(), 'starwire-bench-profiles') },
    },
  });
  const systems = values.systems.split(',').map((name) => {
    if (!isBroadcastSystem(name) || !defaults.systems.includes(name))
      throw new Error(`--systems: ${name} is not one of ${defaults.systems.join(', ')}`);
    return name;
  });
  if (values.profile !== undefined && !systems.includes(values.profile as BroadcastSystem)) {
    throw new Error(`--profile must be one of ${systems.join(', ')}, got ${values.profile}`);
  }
  return {
    duration: positive('duration', values.duration),
    rounds: Math.round(positive('rounds', values.rounds)),
    warmup: Number(values.warmup),
    sockets: Math.round(positive('sockets', values.sockets)),
    clientProcs: Math.round(positive('client-procs', values['client-procs'])),
    window: Math.round(positive('window', values.window)),
    systems,
    profile: values.profile as BroadcastSystem | undefined,
    profileDir: resolve(values['profile-dir']),
  };
}

export function profileArgv(system: BroadcastSystem, options: BroadcastOptions): string[] {
  if (options.profile !== system) return [];
  mkdirSync(options.profileDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
}

/** One system under test: its server processes (the first drives) and its client processes. */
export interface Rig {
  driver: ServerProcess;
  others: ServerProcess[];
  clients: ClientProcess[];
}

export function rigChildren(rig: Rig): import('node:child_process').ChildProcess[] {
  return [...rig.clients.map((c) => c.child), rig.driver.child, ...rig.others.map((s) => s.child)];
}

/** Checks that every server holds the room sockets it should before anything is measured. */
export async function checkMembers(rig: Rig, expected: readonly number[]): Promise<void> {
  const servers = [rig.driver, ...rig.others];
  for (let i = 0; i < servers.length; i++) {
    const members = await ask(servers[i].child, 'members', 'members');
    if (members !== expected[i])
      throw new Error(`${servers[i].system} server ${i + 1} holds ${members} room sockets, expected ${expected[i]}`);
  }
}

/** Warm-up, then `rounds` rounds with the systems in rotating order; samples by system. */
export async function runRounds(rigs: Map<BroadcastSystem, Rig>, options: BroadcastOptions): Promise<Map<BroadcastSystem, Sample[]>> {
  const systems = [...rigs.keys()];
  const samples = new Map<BroadcastSystem, Sample[]>(systems.map((s) => [s, []]));
  if (options.warmup > 0) {
    for (const system of systems) {
      const rig = rigs.get(system)!;
      const sample = await measureRound(rig.driver, rig.others, rig.clients, { seconds: options.warmup, window: options.window });
      console.log(describeSample(`  warm-up    ${system.padEnd(12)}`, sample));
    }
  }
  for (let r = 0; r < options.rounds; r++) {
    const order = systems.map((_, i) => systems[(i + r) % systems.length]);
    for (const system of order) {
      const rig = rigs.get(system)!;
      const sample = await measureRound(rig.driver, rig.others, rig.clients, { seconds: options.duration, window: options.window });
      samples.get(system)!.push(sample);
      console.log(describeSample(`  round ${r + 1}/${options.rounds}  ${system.padEnd(12)}`, sample));
    }
  }
  return samples;
}

/**
 * Delivery latency apart from throughput: one broadcast outstanding at a time (window 1), so
 * a broadcast never queues behind others and the figure is the time for one broadcast to reach
 * the whole room. Under the throughput rounds' window a broadcast also waits for those ahead.
 */
export async function latencyRounds(rigs: Map<BroadcastSystem, Rig>, options: BroadcastOptions): Promise<Map<BroadcastSystem, Sample>> {
  const latency = new Map<BroadcastSystem, Sample>();
  for (const [system, rig] of rigs) {
    const sample = await measureRound(rig.driver, rig.others, rig.clients, { seconds: options.duration, window: 1 });
    latency.set(system, sample);
    console.log(
      `  latency    ${system.padEnd(12)} p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  (${sample.broadcasts} broadcasts, one at a time)`,
    );
  }
  return latency;
}

export interface ReportRow {
  system: BroadcastSystem;
  deliveries_per_s: number;
  server_us_per_delivery: number;
  /** Issue to last ack of a broadcast, ms, from the latency round (one broadcast outstanding at a time). */
  p50_ms: number;
  p99_ms: number;
  server_cpu_percent: number;
  client_cpu_percent: number;
  rounds: string;
  lost: number;
}

export function reportRows(samples: Map<BroadcastSystem, Sample[]>, latency: Map<BroadcastSystem, Sample>): ReportRow[] {
  return [...samples].map(([system, list]) => ({
    system,
    deliveries_per_s: Math.round(median(list.map((s) => s.deliveriesPerSecond))),
    server_us_per_delivery: round(median(list.map((s) => s.serverCpuPerDelivery)), 3),
    p50_ms: round(latency.get(system)?.p50Ms ?? Number.NaN, 2),
    p99_ms: round(latency.get(system)?.p99Ms ?? Number.NaN, 2),
    server_cpu_percent: Math.round(median(list.map((s) => s.serverCpuPercent))),
    client_cpu_percent: Math.round(median(list.map((s) => s.clientCpuPercent))),
    rounds: list.map((s) => Math.round(s.deliveriesPerSecond)).join(' '),
    lost: list.reduce((sum, s) => sum + s.lost, 0),
  }));
}

export function printTable(rows: readonly ReportRow[]): void {
  console.log('');
  console.log(
    formatTable(
      [
        'system',
        'deliveries/s (median)',
        'server µs cpu/delivery',
        'latency p50 ms',
        'latency p99 ms',
        'server cpu %',
        'client cpu %',
        'deliveries/s per round',
        'lost',
      ],
      rows.map((r) => [
        r.system,
        r.deliveries_per_s,
        r.server_us_per_delivery,
        r.p50_ms,
        r.p99_ms,
        r.server_cpu_percent,
        r.client_cpu_percent,
        r.rounds,
        r.lost,
      ]),
    ),
  );
  console.log('');
}

/** Throughput ratio and (inverted, higher is better) server-CPU ratio of Starwire against `peer`. */
export function ratio(rows: readonly ReportRow[], peer: BroadcastSystem): { throughput: number; cpu: number } | undefined {
  const starwire = rows.find((r) => r.system === 'starwire');
  const other = rows.find((r) => r.system === peer);
  if (!starwire || !other) return undefined;
  return {
    throughput: round(starwire.deliveries_per_s / other.deliveries_per_s, 3),
    cpu: round(other.server_us_per_delivery / starwire.server_us_per_delivery, 3),
  };
}

/** Prints one ratio; with a `target`, judged against it (the plain `ws` loops carry one, other peers are for reference). */
export function printRatio(name: string, value: { throughput: number; cpu: number }, target?: number): void {
  const verdict = target === undefined ? '' : ` (target ≥ ${target}) ${value.throughput >= target ? 'ok' : 'BELOW TARGET'}`;
  console.log(`${name}: ${value.throughput} deliveries/s${verdict}; by server cpu/delivery (peer ÷ starwire): ${value.cpu}`);
}

export async function main(args: string[]): Promise<void> {
  const options = parseBroadcastOptions(args, { systems: BROADCAST_SYSTEMS, clientProcs: '2', sockets: '10000' });
  const rigs = new Map<BroadcastSystem, Rig>();
  const perProc = Math.ceil(options.sockets / options.clientProcs);
  const total = options.systems.length * (options.warmup + options.rounds * (options.duration + 0.5)) + options.systems.length * 3;
  console.log(
    `broadcast bench: ${options.sockets} sockets in one room (${options.clientProcs} client process${options.clientProcs > 1 ? 'es' : ''}), ` +
      `${MESSAGE_BYTES} B JSON, window ${options.window} broadcasts, ${options.rounds} rounds × ${options.systems.length} systems × ${options.duration}s, ` +
      `warm-up ${options.warmup}s each (~${Math.ceil(total)}s)`,
  );
  try {
    for (const system of options.systems) {
      const driver = await startServer(system, { sockets: options.sockets, execArgv: profileArgv(system, options) });
      const rig: Rig = { driver, others: [], clients: [] };
      rigs.set(system, rig);
      for (let left = options.sockets; left > 0; left -= perProc) {
        rig.clients.push(await startClients(driver, driver, Math.min(perProc, left)));
      }
      await checkMembers(rig, [options.sockets]);
    }
    const samples = await runRounds(rigs, options);
    const rows = reportRows(samples, await latencyRounds(rigs, options));
    printTable(rows);
    const ratios: Record<string, number> = {};
    const cpuRatios: Record<string, number> = {};
    for (const [name, peer, target] of [
      ['starwire_vs_ws_loop', 'ws-loop', BROADCAST_TARGET],
      ['starwire_vs_ws_loop_once', 'ws-loop-once', BROADCAST_TARGET],
      ['starwire_vs_socketio', 'socketio', undefined],
    ] as const) {
      const value = ratio(rows, peer);
      if (!value) continue;
      ratios[name] = value.throughput;
      cpuRatios[name] = value.cpu;
      printRatio(name, value, target);
    }
    if (options.profile) console.log(`cpu profile of ${options.profile} written to ${options.profileDir}`);
    console.log(
      JSON.stringify({
        bench: 'broadcast',
        rows: rows.map(({ system, deliveries_per_s, server_us_per_delivery, p50_ms, p99_ms, lost }) => ({
          system,
          deliveries_per_s,
          server_us_per_delivery,
          p50_ms,
          p99_ms,
          lost,
        })),
        ratios,
        cpu_ratios: cpuRatios,
      }),
    );
  } finally {
    await stopAll([...rigs.values()].flatMap(rigChildren));
  }
}
