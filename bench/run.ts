/**
 * Runs one benchmark: `npm run bench -- <name> [options]` loads `dist/bench/<name>.js` and
 * calls its exported `main(args)` with the options. Every `.js` file directly in this folder
 * other than this one is a bench; helpers live in `support/`. `npm run bench` with no name runs
 * the performance set one after another, each with its defaults, each reporting its ratios
 * against their targets.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What a bench module exports. */
export type BenchMain = (args: string[]) => Promise<void>;

function availableBenches(): string[] {
  return readdirSync(__dirname)
    .filter((file) => file.endsWith('.js') && file !== 'run.js')
    .map((file) => file.slice(0, -'.js'.length))
    .sort();
}

function loadMain(name: string): BenchMain {
  const loaded: unknown = require(join(__dirname, `${name}.js`));
  const main = typeof loaded === 'object' && loaded !== null ? (loaded as { main?: unknown }).main : undefined;
  if (typeof main !== 'function') throw new Error(`bench/${name}.ts does not export main(args)`);
  return main as BenchMain;
}

/** What `npm run bench` runs with no name: every figure with a target, cheapest first. */
const PERFORMANCE_SET = [
  'routing',
  'import-time',
  'serve-ready',
  'http',
  'http-serialize',
  'ws-echo',
  'ws-idle',
  'ws-handshake',
  'broadcast',
];

async function run(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const benches = availableBenches();
  if (name === undefined) {
    for (const bench of PERFORMANCE_SET) {
      console.log(`\n=== ${bench} ===`);
      await loadMain(bench)([]);
    }
    return;
  }
  if (!benches.includes(name)) {
    console.error(`Unknown bench "${name}". Usage: npm run bench [-- <name> [options]]`);
    console.error(`Available: ${benches.join(', ') || '(none built)'}`);
    process.exitCode = 2;
    return;
  }
  await loadMain(name)(args);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
