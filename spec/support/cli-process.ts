import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseServingLine } from '../../lib/server/worker-protocol';
import { within } from './ws-client';

/** The package root, where `starwire` runs in these specs. */
export const ROOT = join(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'lib', 'server', 'cli.js');

/** How a `starwire` process ended. */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds from `exitedWithin` being called (or the signal sent) to the exit. */
  readonly ms: number;
}

const running = new Set<StarwireProcess>();

/**
 * A `node dist/lib/server/cli.js ...` child with its output collected. Every one started is killed
 * by `killAll()` (call it in `afterEach`), whatever a spec left behind.
 */
export class StarwireProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    // 'exit' can come before the last output is read: wait for the pipes to close too, briefly
    // (workers of a killed primary hold them until they notice).
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.exit = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        const late = setTimeout(() => resolve({ code, signal }), 500);
        void closed.then(() => {
          clearTimeout(late);
          resolve({ code, signal });
        });
      }),
    );
    running.add(this);
    void this.exit.then(() => running.delete(this));
  }

  /** Resolves with the port of the serving line; rejects if the process exits first. */
  async port(timeout = 5000): Promise<number> {
    const port = await within(
      new Promise<number>((resolve, reject) => {
        const check = (): void => {
          const serving = parseServingLine(this.stdout);
          if (serving) {
            resolve(serving.port);
            return;
          }
          if (this.child.exitCode !== null || this.child.signalCode !== null) {
            reject(new Error(`starwire exited (${this.child.exitCode ?? this.child.signalCode}) before serving:\n${this.stderr}`));
            return;
          }
          setTimeout(check, 20);
        };
        check();
      }),
      timeout,
      `the serving line (stderr so far: ${this.stderr.slice(0, 500)})`,
    );
    return port;
  }

  /** Waits until `pattern` shows up on standard error. */
  async stderrMatching(pattern: RegExp, timeout = 5000): Promise<string> {
    return within(
      new Promise<string>((resolve) => {
        const check = (): void => {
          const match = pattern.exec(this.stderr);
          if (match) resolve(match[0]);
          else setTimeout(check, 20);
        };
        check();
      }),
      timeout,
      `${pattern} on stderr (so far: ${this.stderr.slice(0, 800)})`,
    );
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The exit, bounded by `timeout`. */
  async exitedWithin(timeout: number): Promise<Ended> {
    const start = Date.now();
    const { code, signal } = await within(this.exit, timeout, `starwire to exit (stderr: ${this.stderr.slice(-800)})`);
    return { code, signal, ms: Date.now() - start };
  }
}

/** Runs `starwire args` to its end (help, usage errors, failed starts). */
export async function runStarwire(args: readonly string[], timeout = 5000, cwd?: string): Promise<StarwireProcess & { ended: Ended }> {
  const process = new StarwireProcess(args, { cwd });
  const ended = await process.exitedWithin(timeout);
  return Object.assign(process, { ended });
}

/** Kills every process a spec started and has not seen exit (SIGKILL reaches cluster primaries; their workers exit when it goes). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (starwire) => {
      starwire.child.kill('SIGKILL');
      await starwire.exitedWithin(2000).catch(() => {});
    }),
  );
}

/**
 * GET, parsed as JSON: over a fresh connection by default (so cluster workers take turns), or
 * over a keep-alive `agent`, whose connection a shutting-down server must still let go of.
 */
export function getJson(
  port: number,
  path: string,
  agent?: Agent,
): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  return within(
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, agent: agent ?? false, headers: agent ? {} : { connection: 'close' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    }),
    3000,
    `GET ${path}`,
  );
}
