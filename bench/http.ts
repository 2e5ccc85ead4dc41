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
import { join } from 'node:path';
import { medianRows, parseHttpBenchOptions, printHttpReport, runHttpRounds } from './support/http-rounds';
import { SYSTEMS, type System } from './support/http-servers';
import { round } from './support/stats';

const SERVER_SCRIPT = join(__dirname, 'support', 'http-servers.js');
const PATH = '/hello?name=bench';
const EXPECTED_BODY = '{"message":"hello bench"}';
const TARGETS = { starwire_vs_node: 0.9, starwire_vs_fastify: 1.0, metrics_on_vs_off: 0.95, metrics_on_vs_off_cpu: 0.95 };

async function checkResponse(system: System, port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}${PATH}`);
  const body = await response.text();
  const handledBy = response.headers.get('x-handled-by');
  // The hook names the framework: both Starwire apps answer "starwire".
  if (response.status !== 200 || body !== EXPECTED_BODY || handledBy !== system.replace(/-metrics$/, '')) {
    throw new Error(`${system} answered ${response.status} ${JSON.stringify(body)} x-handled-by=${handledBy}`);
  }
}

export async function main(args: string[]): Promise<void> {
  const options = parseHttpBenchOptions(args, SYSTEMS);
  const samples = await runHttpRounds({ name: 'http', script: SERVER_SCRIPT, systems: SYSTEMS, path: PATH, check: checkResponse }, options);
  const rows = medianRows(SYSTEMS, samples);
  const rps = (system: System): number => rows.find((row) => row.system === system)!.rps;
  const cpu = (system: System): number => rows.find((row) => row.system === system)!.cpu;
  const ratios = {
    starwire_vs_node: round(rps('starwire') / rps('node'), 3),
    starwire_vs_fastify: round(rps('starwire') / rps('fastify'), 3),
    // Metrics must cost under 5 %, in requests per second and in server CPU per request (off ÷ on).
    metrics_on_vs_off: round(rps('starwire-metrics') / rps('starwire'), 3),
    metrics_on_vs_off_cpu: round(cpu('starwire') / cpu('starwire-metrics'), 3),
  };
  printHttpReport(rows, ratios, TARGETS);
  console.log(JSON.stringify({ bench: 'http', rows: rows.map(({ system, rps, p99_ms }) => ({ system, rps, p99_ms })), ratios }));
}
