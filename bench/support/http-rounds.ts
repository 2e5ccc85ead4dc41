import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type ChildServer, startChildServer } from './child-server';
import { positive } from './options';
import { median, round } from './stats';
import { formatTable } from './table';

/**
 * The loop the HTTP benches share: each system's server in its own process, autocannon loading
 * them one after the other from this process over 127.0.0.1, round after round with the order
 * rotated, then medians over the rounds.
 */

export interface HttpBenchOptions<S extends string> {
  duration: number;
  rounds: number;
  warmup: number;
  connections: number;
  profile: S | undefined;
  profileDir: string;
}

export interface HttpSample {
  rps: number;
  p99: number;
  /** Server CPU time per answered request, µs: less sensitive than rps to a busy load generator. */
  cpuPerRequest: number;
  failures: number;
}

/** One system's medians over the rounds. */
export interface HttpRow<S extends string> {
  system: S;
  rps: number;
  p99_ms: number;
  cpu: number;
  rounds: string;
  failures: number;
}

/** `--duration 5 --rounds 5 --warmup 3 --connections 50 [--profile SYSTEM] [--profile-dir DIR]`. */
export function parseHttpBenchOptions<S extends string>(args: string[], systems: readonly S[]): HttpBenchOptions<S> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      duration: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      profile: { type: 'string' },
      'profile-dir': { type: 'string', default: join(tmpdir(), 'starwire-bench-profiles') },
    },
  });
  const profile = values.profile;
  if (profile !== undefined && !(systems as readonly string[]).includes(profile)) {
    throw new Error(`--profile must be one of ${systems.join(', ')}, got ${profile}`);
  }
  return {
    duration: positive('duration', values.duration),
    rounds: Math.round(positive('rounds', values.rounds)),
    warmup: Number(values.warmup),
    connections: Math.round(positive('connections', values.connections)),
    profile: profile as S | undefined,
    profileDir: resolve(values['profile-dir']),
  };
}

async function load(
  server: ChildServer,
  path: string,
  headers: Record<string, string> | undefined,
  seconds: number,
  connections: number,
): Promise<HttpSample> {
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${path}`,
    headers,
    connections,
    duration: seconds,
    pipelining: 1,
  });
  const cpu = (await server.cpuMicros()) - cpuBefore;
  // Only 2xx answers count towards throughput; anything else is reported as a failure.
  const answered = result['2xx'];
  return {
    rps: answered / result.duration,
    p99: result.latency.p99,
    cpuPerRequest: answered > 0 ? cpu / answered : Number.NaN,
    failures: result.errors + result.non2xx,
  };
}

export interface HttpRoundsPlan<S extends string> {
  /** The bench's name, for the first line. */
  name: string;
  /** The compiled server script, run as `node script <system> 0`. */
  script: string;
  systems: readonly S[];
  /** The path autocannon requests. */
  path: string;
  /** Headers every request carries. */
  headers?: Record<string, string>;
  /** One request before any load, so a server that answers wrongly is caught, not measured. */
  check(system: S, port: number): Promise<void>;
}

/** Starts every system, checks it, warms it up, runs the rounds; the samples by system. */
export async function runHttpRounds<S extends string>(
  plan: HttpRoundsPlan<S>,
  options: HttpBenchOptions<S>,
): Promise<Map<S, HttpSample[]>> {
  const { systems } = plan;
  const servers = new Map<S, ChildServer>();
  const samples = new Map<S, HttpSample[]>(systems.map((system) => [system, []]));
  try {
    for (const system of systems) {
      const execArgv = options.profile === system ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
      if (execArgv.length > 0) mkdirSync(options.profileDir, { recursive: true });
      const server = await startChildServer(plan.script, [system, '0'], execArgv);
      servers.set(system, server);
      await plan.check(system, server.port);
    }
    const total = systems.length * (options.warmup + options.rounds * options.duration);
    console.log(
      `${plan.name} bench: ${options.rounds} rounds × ${systems.length} systems × ${options.duration}s, ${options.connections} connections, warm-up ${options.warmup}s each (~${Math.ceil(total)}s)`,
    );
    if (options.warmup > 0) {
      for (const system of systems) await load(servers.get(system)!, plan.path, plan.headers, options.warmup, options.connections);
    }
    const width = Math.max(...systems.map((system) => system.length));
    for (let r = 0; r < options.rounds; r++) {
      // Rotating the order keeps any one system from always running right after the same neighbour.
      const order = systems.map((_, i) => systems[(i + r) % systems.length]);
      for (const system of order) {
        const sample = await load(servers.get(system)!, plan.path, plan.headers, options.duration, options.connections);
        samples.get(system)!.push(sample);
        console.log(
          `  round ${r + 1}/${options.rounds} ${system.padEnd(width)} ${Math.round(sample.rps)} req/s  p99 ${sample.p99} ms  ${sample.cpuPerRequest.toFixed(1)} µs cpu/req${sample.failures ? `  ${sample.failures} failures` : ''}`,
        );
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  if (options.profile) console.log(`cpu profile of ${options.profile} written to ${options.profileDir}`);
  return samples;
}

/** Each system's medians over its rounds, in `systems` order. */
export function medianRows<S extends string>(systems: readonly S[], samples: Map<S, HttpSample[]>): HttpRow<S>[] {
  return systems.map((system) => {
    const list = samples.get(system)!;
    return {
      system,
      rps: Math.round(median(list.map((s) => s.rps))),
      p99_ms: round(median(list.map((s) => s.p99)), 2),
      cpu: round(median(list.map((s) => s.cpuPerRequest)), 1),
      rounds: list.map((s) => Math.round(s.rps)).join(' '),
      failures: list.reduce((sum, s) => sum + s.failures, 0),
    };
  });
}

/** The table of medians, then each ratio against its target. */
export function printHttpReport<S extends string>(
  rows: readonly HttpRow<S>[],
  ratios: Readonly<Record<string, number>>,
  targets: Readonly<Record<string, number>>,
): void {
  console.log('');
  console.log(
    formatTable(
      ['system', 'req/s (median)', 'p99 ms (median)', 'server µs cpu/req', 'req/s per round', 'failures'],
      rows.map((row) => [row.system, row.rps, row.p99_ms, row.cpu, row.rounds, row.failures]),
    ),
  );
  console.log('');
  for (const [name, value] of Object.entries(ratios)) {
    const target = targets[name];
    console.log(
      target === undefined ? `${name}: ${value}` : `${name}: ${value} (target ≥ ${target}) ${value >= target ? 'ok' : 'BELOW TARGET'}`,
    );
  }
}
