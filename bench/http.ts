/**
 * Requests per second, p99 latency and server CPU per request of one JSON GET (an integer path
 * parameter, a request-scoped component, an `onRequest` hook checking an API key) on Starwire,
 * raw `node:http` and Fastify running the same logic (see support/http-servers.ts). Each server runs in its own process; autocannon loads
 * them from this process over 127.0.0.1, alternating systems round by round, and the medians
 * over rounds are reported. The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- http [--duration 5] [--rounds 5] [--warmup 3] [--connections 50]
 *       [--profile starwire]` (`--profile` writes a `--cpu-prof` profile of that server).
 */
import { join } from 'node:path';
import { medianRows, parseHttpBenchOptions, printHttpReport, runHttpRounds } from './support/http-rounds';
import { API_KEY, SYSTEMS, type System } from './support/http-servers';
import { round } from './support/stats';

const SERVER_SCRIPT = join(__dirname, 'support', 'http-servers.js');
const PATH = '/users/42';
const HEADERS = { 'x-api-key': API_KEY };
const EXPECTED_BODY = '{"id":42,"message":"hello user 42"}';
const TARGETS = {
  starwire_vs_node: 1.0,
  starwire_vs_fastify: 1.05,
  starwire_vs_node_cpu: 1.0,
  starwire_vs_fastify_cpu: 1.05,
  metrics_on_vs_off: 0.95,
  metrics_on_vs_off_cpu: 0.95,
};

/** Every system answers the same: the route with the key, and the hook's 401 without it. */
async function checkResponse(system: System, port: number): Promise<void> {
  const answer = async (headers: Record<string, string>): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${port}${PATH}`, { headers });
    return `${response.status} ${response.headers.get('content-type')} ${await response.text()}`;
  };
  const expected = [`200 application/json ${EXPECTED_BODY}`, '401 application/json {"detail":"Unauthorized"}'];
  const got = [await answer(HEADERS), await answer({})];
  // Fastify adds "; charset=utf-8" to the type; the media type is what must agree.
  const normal = got.map((line) => line.replace('; charset=utf-8', ''));
  if (normal[0] !== expected[0] || normal[1] !== expected[1]) throw new Error(`${system} answered ${JSON.stringify(got)}`);
}

export async function main(args: string[]): Promise<void> {
  const options = parseHttpBenchOptions(args, SYSTEMS);
  const samples = await runHttpRounds(
    { name: 'http', script: SERVER_SCRIPT, systems: SYSTEMS, path: PATH, headers: HEADERS, check: checkResponse },
    options,
  );
  const rows = medianRows(SYSTEMS, samples);
  const rps = (system: System): number => rows.find((row) => row.system === system)!.rps;
  const cpu = (system: System): number => rows.find((row) => row.system === system)!.cpu;
  const ratios = {
    starwire_vs_node: round(rps('starwire') / rps('node'), 3),
    starwire_vs_fastify: round(rps('starwire') / rps('fastify'), 3),
    // Server CPU per request, theirs ÷ ours: above 1 when Starwire spends less.
    starwire_vs_node_cpu: round(cpu('node') / cpu('starwire'), 3),
    starwire_vs_fastify_cpu: round(cpu('fastify') / cpu('starwire'), 3),
    // Metrics must cost under 5 %, in requests per second and in server CPU per request (off ÷ on).
    metrics_on_vs_off: round(rps('starwire-metrics') / rps('starwire'), 3),
    metrics_on_vs_off_cpu: round(cpu('starwire') / cpu('starwire-metrics'), 3),
  };
  printHttpReport(rows, ratios, TARGETS);
  console.log(JSON.stringify({ bench: 'http', rows: rows.map(({ system, rps, p99_ms }) => ({ system, rps, p99_ms })), ratios }));
}
