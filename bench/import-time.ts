/**
 * How long `require()` of each framework takes in a fresh process: Starwire (this build's
 * dist/index.js), Fastify and Express, against a bare `node` start. Each round runs every
 * system once, in turn, and the medians over rounds are reported, with the time beyond the
 * bare start. The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- import-time [--rounds 21]`
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';

/** What each process requires; `null` measures node's own start. */
const SYSTEMS: Record<string, string | null> = {
  node: null,
  starwire: join(__dirname, '..', 'index.js'),
  fastify: 'fastify',
  express: 'express',
};

/** Milliseconds from spawn to exit of a process that requires `target` and does nothing else. */
function timeOnce(target: string | null): number {
  const start = process.hrtime.bigint();
  const code = target === null ? '0' : `require(${JSON.stringify(target)})`;
  execFileSync(process.execPath, ['-e', code], { stdio: 'ignore', cwd: join(__dirname, '..', '..') });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '21' } } });
  const rounds = positive('rounds', values.rounds);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(SYSTEMS).map((name) => [name, []]));
  for (const target of Object.values(SYSTEMS)) timeOnce(target); // warm the file cache
  for (let i = 0; i < rounds; i += 1) {
    for (const [name, target] of Object.entries(SYSTEMS)) samples[name].push(timeOnce(target));
  }
  const base = median(samples.node);
  const result = Object.fromEntries(
    Object.entries(samples).map(([name, times]) => [
      name,
      { medianMs: round(median(times), 1), overNodeMs: round(median(times) - base, 1) },
    ]),
  );
  console.log(
    formatTable(
      ['system', 'median ms', 'beyond node ms'],
      Object.entries(result).map(([name, r]) => [name, r.medianMs, r.overNodeMs]),
    ),
  );
  console.log(JSON.stringify({ bench: 'import-time', rounds, result }));
}
