/**
 * How long `starwire serve` takes from spawn to its first answer: a fresh process serves the
 * hello sample on a free port while this one asks `GET /hello` every few milliseconds until it
 * gets a 200. Against it, measured the same way in the same rounds, the floor: a bare
 * `node:http` server answering 200, i.e. node's own start plus listening. Medians over rounds of
 * the wall time (against the 300 ms target) and of the CPU time the served process had used by
 * its first response (which a busy machine moves less). The last line printed is one JSON
 * object for tooling.
 *
 * Run: `npm run bench -- serve-ready [--rounds 11]`
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FIRST_RESPONSE_CPU } from './support/first-response-cpu';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';

const CLI = join(__dirname, '..', 'lib', 'server', 'cli.js');
const APP = `${join(__dirname, '..', 'samples', 'hello', 'app.js')}:createApp`;
const PRELOAD = join(__dirname, 'support', 'first-response-cpu.js');
const TARGET_MS = 300;

/** What each row spawns to serve `GET /hello` on `port`, after node and the preload. */
const SYSTEMS: Record<string, (port: number) => string[]> = {
  'starwire serve': (port) => [CLI, 'serve', APP, '--port', String(port), '--no-access-log'],
  'node:http (floor)': (port) => ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
};

interface Ready {
  /** Spawn to first 200, ms. */
  wall: number;
  /** CPU the served process had used by then, ms. */
  cpu: number;
}

/** A port free now, for the next process to listen on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Spawns one system and times it to its first 200 for GET /hello. */
async function readyOnce(args: (port: number) => string[]): Promise<Ready> {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, ['-r', PRELOAD, ...args(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    let wall: number | undefined;
    while (wall === undefined) {
      if (child.exitCode !== null) throw new Error(`${args(port).join(' ')} exited with ${child.exitCode} before answering: ${stderr}`);
      if (performance.now() - start > 10_000) throw new Error(`${args(port).join(' ')} did not answer within 10 s`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/hello`);
        await response.arrayBuffer();
        if (response.status === 200) wall = performance.now() - start;
      } catch {
        // Not listening yet.
      }
      if (wall === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // The preload writes its line as the response finishes; it may arrive just after the body.
    const cpuLine = (): RegExpExecArray | null => new RegExp(`${FIRST_RESPONSE_CPU} ([0-9.]+)`).exec(stderr);
    for (let waited = 0; cpuLine() === null && waited < 1000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    const match = cpuLine();
    if (match === null) throw new Error(`no ${FIRST_RESPONSE_CPU} line from ${args(port).join(' ')}: ${stderr}`);
    return { wall, cpu: Number(match[1]) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '11' } } });
  const rounds = positive('rounds', values.rounds);
  const samples: Record<string, Ready[]> = Object.fromEntries(Object.keys(SYSTEMS).map((name) => [name, []]));
  for (const system of Object.values(SYSTEMS)) await readyOnce(system); // warm the file cache
  // Each round runs every system once, in turn, so that a busy spell weighs on all of them.
  for (let i = 0; i < rounds; i++) for (const [name, system] of Object.entries(SYSTEMS)) samples[name].push(await readyOnce(system));
  const of = (name: string, figure: keyof Ready): number => round(median(samples[name].map((ready) => ready[figure])), 1);
  console.log(
    formatTable(
      ['system', 'spawn to first 200 ms', 'cpu ms', 'rounds (wall ms)'],
      Object.keys(SYSTEMS).map((name) => [
        name,
        of(name, 'wall'),
        of(name, 'cpu'),
        samples[name].map((ready) => round(ready.wall)).join(' '),
      ]),
    ),
  );
  const ms = of('starwire serve', 'wall');
  const floor = of('node:http (floor)', 'wall');
  console.log(
    `\nserve_ready_ms: ${ms} (target < ${TARGET_MS}) ${ms < TARGET_MS ? 'ok' : 'ABOVE TARGET'}; floor ${floor} ms, beyond it ${round(ms - floor, 1)} ms`,
  );
  console.log(
    JSON.stringify({
      bench: 'serve-ready',
      rounds,
      serve_ready_ms: ms,
      serve_ready_cpu_ms: of('starwire serve', 'cpu'),
      floor_ms: floor,
      floor_cpu_ms: of('node:http (floor)', 'cpu'),
    }),
  );
}
