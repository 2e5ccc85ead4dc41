/**
 * How long `starwire serve` takes from spawn to its first answer: a fresh process serves the
 * hello sample on a free port while this one asks `GET /hello` every few milliseconds until it
 * gets a 200. Medians over rounds, against the 300 ms target. The last line printed is one JSON
 * object for tooling.
 *
 * Run: `npm run bench -- serve-ready [--rounds 11]`
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { positive } from './support/options';
import { median, round } from './support/stats';

const CLI = join(__dirname, '..', 'lib', 'server', 'cli.js');
const APP = `${join(__dirname, '..', 'samples', 'hello', 'app.js')}:createApp`;
const TARGET_MS = 300;

/** A port free now, for the next process to listen on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Milliseconds from spawning `starwire serve` to its first 200 for GET /hello. */
async function readyOnce(): Promise<number> {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', APP, '--port', String(port), '--no-access-log'], { stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`starwire serve exited with ${child.exitCode} before answering`);
      if (performance.now() - start > 10_000) throw new Error('starwire serve did not answer within 10 s');
      try {
        const response = await fetch(`http://127.0.0.1:${port}/hello`);
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - start;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string', default: '11' } } });
  const rounds = positive('rounds', values.rounds);
  await readyOnce(); // warm the file cache
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(await readyOnce());
  const ms = round(median(times), 1);
  console.log(`starwire serve, spawn to first 200 (hello sample): ${times.map((time) => round(time)).join(' ')} ms`);
  console.log(`serve_ready_ms: ${ms} (target < ${TARGET_MS}) ${ms < TARGET_MS ? 'ok' : 'ABOVE TARGET'}`);
  console.log(JSON.stringify({ bench: 'serve-ready', rounds, serve_ready_ms: ms }));
}
