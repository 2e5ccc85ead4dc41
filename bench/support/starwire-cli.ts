import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'lib', 'server', 'cli.js');

/** The port in the serving line the CLI prints once it listens (docs/cli.md). */
const SERVING = /starwire: serving http:\/\/\S+:(\d+) \(/;

/** A `starwire serve` process started by a bench: its port, its CPU time, and a timed SIGTERM. */
export interface StarwireServer {
  readonly port: number;
  /** User + system CPU time of the primary and its workers so far, in µs (Linux /proc). */
  cpuMicros(): Promise<number>;
  /** Sends SIGTERM; resolves with the exit code and the milliseconds until the process exited. */
  terminate(): Promise<{ code: number | null; ms: number }>;
}

/** Starts `node dist/lib/server/cli.js serve <args>` and resolves once it prints its serving line. */
export function startStarwire(args: readonly string[]): Promise<StarwireServer> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`starwire serve ${args.join(' ')}: no serving line within 10 s\n${stderr}`));
    }, 10_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`starwire serve ${args.join(' ')} exited (${code}) before serving\n${stderr}`));
    });
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const serving = SERVING.exec(stdout);
      if (!serving) return;
      clearTimeout(timer);
      resolve({
        port: Number(serving[1]),
        cpuMicros: async () => treeCpuMicros(child.pid!),
        terminate: async () => {
          const start = performance.now();
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const code = await exited;
          return { code, ms: performance.now() - start };
        },
      });
    });
  });
}

let ticksPerSecond: number | undefined;

/** CPU time of `pid` and its children (cluster workers), from /proc; NaN where there is no /proc. */
function treeCpuMicros(pid: number): number {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = statFields(entry);
      // After "pid (comm)": state, ppid, ..., utime and stime are the 12th and 13th.
      if (fields && (Number(entry) === pid || Number(fields[1]) === pid)) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks / ticksPerSecond) * 1e6;
  } catch {
    return Number.NaN;
  }
}

function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // Gone since the directory was listed.
  }
}
