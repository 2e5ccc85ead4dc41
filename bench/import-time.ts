/**
 * How long `require()` of each framework takes in a fresh process: Starwire (this build's
 * dist/index.js), Fastify and Express, against a bare `node` start. Each round runs every
 * system once, in turn, and the medians over rounds are reported: the process's whole life
 * beyond the bare start, and the `require()` call itself timed inside the process, in wall time
 * and in CPU time (which a busy machine moves less). The last line printed is one JSON object
 * for tooling.
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

interface Timing {
  /** From spawn to exit, ms. */
  process: number;
  /** The `require()` call, wall ms and CPU ms (0 for the bare start). */
  require: number;
  requireCpu: number;
}

const TARGET = { starwire_vs_fastify_require_cpu: 1.0 };

/** One fresh process that requires `target` and does nothing else. */
function timeOnce(target: string | null): Timing {
  const start = process.hrtime.bigint();
  const code =
    target === null
      ? 'console.log(JSON.stringify({ ms: 0, cpuMs: 0 }))'
      : `const t = process.hrtime.bigint(); const c = process.cpuUsage(); require(${JSON.stringify(target)}); const u = process.cpuUsage(c);
         console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (u.user + u.system) / 1000 }));`;
  const out = execFileSync(process.execPath, ['-e', code], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  const inside = JSON.parse(out) as { ms: number; cpuMs: number };
  return { process: processMs, require: inside.ms, requireCpu: inside.cpuMs };
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '21' } } });
  const rounds = positive('rounds', values.rounds);
  const samples: Record<string, Timing[]> = Object.fromEntries(Object.keys(SYSTEMS).map((name) => [name, []]));
  for (const target of Object.values(SYSTEMS)) timeOnce(target); // warm the file cache
  for (let i = 0; i < rounds; i += 1) {
    for (const [name, target] of Object.entries(SYSTEMS)) samples[name].push(timeOnce(target));
  }
  const of = (name: string, figure: keyof Timing): number => median(samples[name].map((timing) => timing[figure]));
  const base = of('node', 'process');
  const result = Object.fromEntries(
    Object.keys(samples).map((name) => [
      name,
      {
        medianMs: round(of(name, 'process'), 1),
        overNodeMs: round(of(name, 'process') - base, 1),
        requireMs: round(of(name, 'require'), 1),
        requireCpuMs: round(of(name, 'requireCpu'), 1),
      },
    ]),
  );
  console.log(
    formatTable(
      ['system', 'process ms', 'beyond node ms', 'require() ms', 'require() cpu ms'],
      Object.entries(result).map(([name, r]) => [name, r.medianMs, r.overNodeMs, r.requireMs, r.requireCpuMs]),
    ),
  );
  const ratio = round(result.starwire.requireCpuMs / result.fastify.requireCpuMs, 3);
  const ok = ratio <= TARGET.starwire_vs_fastify_require_cpu;
  console.log(
    `\nstarwire_vs_fastify_require_cpu: ${ratio} (target ≤ ${TARGET.starwire_vs_fastify_require_cpu}) ${ok ? 'ok' : 'ABOVE TARGET'}`,
  );
  console.log(JSON.stringify({ bench: 'import-time', rounds, result, ratios: { starwire_vs_fastify_require_cpu: ratio } }));
}
