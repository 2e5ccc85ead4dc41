/**
 * What a response schema costs or saves: one route answering a realistic order (15 fields, a
 * nested array of 10 items; see support/serialize-servers.ts) on Starwire and Fastify, each
 * without a response schema (`JSON.stringify`) and with one (a fast-json-stringify serializer
 * compiled at startup). Every system sends the same JSON (a serializer may order it differently). Reports requests per second and
 * server CPU per request, medians over rounds, and the ratios schema ÷ no schema and
 * Starwire ÷ Fastify. The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- http-serialize [--duration 5] [--rounds 5] [--warmup 3]
 *       [--connections 50] [--profile starwire-schema]`.
 */

import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { medianRows, parseHttpBenchOptions, printHttpReport, runHttpRounds } from './support/http-rounds';
import { ORDER, SERIALIZE_SYSTEMS, type SerializeSystem } from './support/serialize-servers';
import { round } from './support/stats';

const SERVER_SCRIPT = join(__dirname, 'support', 'serialize-servers.js');
const PATH = '/order';
const EXPECTED = JSON.stringify(ORDER);
/** A schema must make Starwire's JSON no slower; with one, Starwire should keep up with Fastify. */
const TARGETS = { schema_vs_none: 1.0, schema_vs_none_cpu: 1.0, starwire_vs_fastify_schema: 1.0, starwire_vs_fastify_schema_cpu: 1.0 };

async function checkResponse(system: SerializeSystem, port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}${PATH}`);
  const body = await response.text();
  // A serializer writes required properties first: the same bytes, not always in the same order.
  const same = body.length === EXPECTED.length && isDeepStrictEqual(JSON.parse(body), ORDER);
  if (response.status !== 200 || !same) throw new Error(`${system} answered ${response.status} ${body}`);
}

export async function main(args: string[]): Promise<void> {
  const options = parseHttpBenchOptions(args, SERIALIZE_SYSTEMS);
  const plan = { name: 'http-serialize', script: SERVER_SCRIPT, systems: SERIALIZE_SYSTEMS, path: PATH, check: checkResponse };
  const rows = medianRows(SERIALIZE_SYSTEMS, await runHttpRounds(plan, options));
  const rps = (system: SerializeSystem): number => rows.find((row) => row.system === system)!.rps;
  const cpu = (system: SerializeSystem): number => rows.find((row) => row.system === system)!.cpu;
  // Throughput ratios are a ÷ b; CPU ratios are b ÷ a, so above 1 always means "a is better".
  const ratios = {
    schema_vs_none: round(rps('starwire-schema') / rps('starwire'), 3),
    schema_vs_none_cpu: round(cpu('starwire') / cpu('starwire-schema'), 3),
    starwire_vs_fastify_schema: round(rps('starwire-schema') / rps('fastify-schema'), 3),
    starwire_vs_fastify_schema_cpu: round(cpu('fastify-schema') / cpu('starwire-schema'), 3),
    fastify_schema_vs_none: round(rps('fastify-schema') / rps('fastify'), 3),
    starwire_vs_fastify_none: round(rps('starwire') / rps('fastify'), 3),
  };
  printHttpReport(rows, ratios, TARGETS);
  console.log(
    JSON.stringify({ bench: 'http-serialize', rows: rows.map(({ system, rps, p99_ms, cpu }) => ({ system, rps, p99_ms, cpu })), ratios }),
  );
}
