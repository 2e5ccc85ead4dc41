/**
 * Requests per second and p99 latency of one JSON route (a `QueryParam`, a request-scoped
 * component, an `onResponse` hook) on Starwire, raw `node:http` and Fastify running the same
 * logic (see support/http-servers.ts). Each server runs in its own process; autocannon loads
 * them from this process over 127.0.0.1, alternating systems round by round, and the medians
 * over rounds are reported. The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- http [--duration 5] [--rounds 5] [--warmup 3] [--connections 50]
 *       [--profile starwire]` (`--profile` writes a `--cpu-prof` profile of that server).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type ChildServer, startChildServer } from './support/child-server';
import { isSystem, SYSTEMS, type System } from './support/http-servers';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';

const SERVER_SCRIPT = join(__dirname, 'support', 'http-servers.js');
const PATH = '/hello?name=bench';
const EXPECTED_BODY = '{"message":"hello bench"}';
const TARGETS = { starwire_vs_node: 0.9, starwire_vs_fastify: 1.0, metrics_on_vs_off: 0.95, metrics_on_vs_off_cpu: 0.95 };

interface Options {
  duration: number;
  rounds: number;
  warmup: number;
  connections: number;
  profile: System | undefined;
  profileDir: string;
}

interface Sample {
  rps: number;
  p99: number;
  /** Server CPU time per answered request, µs: less sensitive than rps to a busy load generator. */
  cpuPerRequest: number;
  failures: number;
}

function parseOptions(args: string[]): Options {
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
  if (values.profile !== undefined && !isSystem(values.profile)) {
    throw new Error(`--profile must be one of ${SYSTEMS.join(', ')}, got ${values.profile}`);
  }
  return {
    duration: positive('duration', values.duration),
    rounds: Math.round(positive('rounds', values.rounds)),
    warmup: Number(values.warmup),
    connections: Math.round(positive('connections', values.connections)),
    profile: values.profile,
    profileDir: resolve(values['profile-dir']),
  };
}

/** One request before any load, so a server that answers wrongly is caught, not measured. */
async function checkResponse(system: System, port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}${PATH}`);
  const body = await response.text();
  const handledBy = response.headers.get('x-handled-by');
  // The hook names the framework: both Starwire apps answer "starwire".
  if (response.status !== 200 || body !== EXPECTED_BODY || handledBy !== system.replace(/-metrics$/, '')) {
    throw new Error(`${system} answered ${response.status} ${JSON.stringify(body)} x-handled-by=${handledBy}`);
  }
}

async function load(server: ChildServer, seconds: number, connections: number): Promise<Sample> {
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({ url: `http://127.0.0.1:${server.port}${PATH}`, connections, duration: seconds, pipelining: 1 });
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

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const servers = new Map<System, ChildServer>();
  const samples = new Map<System, Sample[]>(SYSTEMS.map((system) => [system, []]));
  try {
    for (const system of SYSTEMS) {
      const execArgv = options.profile === system ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
      if (execArgv.length > 0) mkdirSync(options.profileDir, { recursive: true });
      const server = await startChildServer(SERVER_SCRIPT, [system, '0'], execArgv);
      servers.set(system, server);
      await checkResponse(system, server.port);
    }
    const total = SYSTEMS.length * (options.warmup + options.rounds * options.duration);
    console.log(
      `http bench: ${options.rounds} rounds × ${SYSTEMS.length} systems × ${options.duration}s, ${options.connections} connections, warm-up ${options.warmup}s each (~${Math.ceil(total)}s)`,
    );
    if (options.warmup > 0) {
      for (const system of SYSTEMS) await load(servers.get(system)!, options.warmup, options.connections);
    }
    for (let r = 0; r < options.rounds; r++) {
      // Rotating the order keeps any one system from always running right after the same neighbour.
      const order = SYSTEMS.map((_, i) => SYSTEMS[(i + r) % SYSTEMS.length]);
      for (const system of order) {
        const sample = await load(servers.get(system)!, options.duration, options.connections);
        samples.get(system)!.push(sample);
        console.log(
          `  round ${r + 1}/${options.rounds} ${system.padEnd(8)} ${Math.round(sample.rps)} req/s  p99 ${sample.p99} ms  ${sample.cpuPerRequest.toFixed(1)} µs cpu/req${sample.failures ? `  ${sample.failures} failures` : ''}`,
        );
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  if (options.profile) console.log(`cpu profile of ${options.profile} written to ${options.profileDir}`);
  report(samples);
}

function report(samples: Map<System, Sample[]>): void {
  const rows = SYSTEMS.map((system) => {
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
  const rps = (system: System): number => rows.find((row) => row.system === system)!.rps;
  const cpu = (system: System): number => rows.find((row) => row.system === system)!.cpu;
  const ratios = {
    starwire_vs_node: round(rps('starwire') / rps('node'), 3),
    starwire_vs_fastify: round(rps('starwire') / rps('fastify'), 3),
    // Metrics must cost under 5 %, in requests per second and in server CPU per request (off ÷ on).
    metrics_on_vs_off: round(rps('starwire-metrics') / rps('starwire'), 3),
    metrics_on_vs_off_cpu: round(cpu('starwire') / cpu('starwire-metrics'), 3),
  };
  console.log('');
  console.log(
    formatTable(
      ['system', 'req/s (median)', 'p99 ms (median)', 'server µs cpu/req', 'req/s per round', 'failures'],
      rows.map((row) => [row.system, row.rps, row.p99_ms, row.cpu, row.rounds, row.failures]),
    ),
  );
  console.log('');
  for (const [name, target] of Object.entries(TARGETS) as [keyof typeof TARGETS, number][]) {
    console.log(`${name}: ${ratios[name]} (target ≥ ${target}) ${ratios[name] >= target ? 'ok' : 'BELOW TARGET'}`);
  }
  console.log(JSON.stringify({ bench: 'http', rows: rows.map(({ system, rps, p99_ms }) => ({ system, rps, p99_ms })), ratios }));
}
