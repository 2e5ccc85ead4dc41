/**
 * What `npm test` needs besides node_modules, made sure of before the suite runs, so that a
 * fresh clone's `npm install && npm test` passes (and CI runs exactly that):
 *
 * - `node dist/scripts/test-env.js ensure` (npm's `pretest`): Chromium for the browser spec,
 *   a `redis-server` (the Redis specs start private ones), Python 3 with venv and ensurepip
 *   for the interop specs. What is missing is installed with apt-get when this runs as root;
 *   otherwise it stops before the suite with one line saying what to install.
 * - `node dist/scripts/test-env.js run [mocha args]` (`npm test`): runs mocha with REDIS_URL
 *   naming a Redis that answers, starting a `redis-server` of its own on a free port when none
 *   does (and stopping it afterwards), and PYTHON naming an interpreter that has venv.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** What the machine has, as `ensure` and `run` find it. */
export interface Probe {
  /** Where the browser spec looks for Chromium (CHROMIUM_PATH, else Debian's /usr/bin/chromium). */
  readonly chromiumPath: string;
  readonly chromium: boolean;
  /** A Python with venv and ensurepip (PYTHON or python3 on PATH, else /usr/bin/python3), if any. */
  readonly python: string | undefined;
  /** `redis-server` on PATH. */
  readonly redisServer: boolean;
  /** Root with apt-get on PATH: what is missing can be installed here. */
  readonly canInstall: boolean;
}

/** What `ensure` does about a probe: install Debian packages, stop with one line, or nothing. */
export type Decision =
  | { readonly action: 'ready' }
  | { readonly action: 'install'; readonly packages: readonly string[] }
  | { readonly action: 'stop'; readonly message: string };

/** Each requirement: whether the probe meets it, its Debian package, and how to say it is missing. */
const NEEDS: readonly { met: (probe: Probe) => boolean; apt: string; describe: (probe: Probe) => string }[] = [
  { met: (probe) => probe.chromium, apt: 'chromium', describe: (probe) => `Chromium at ${probe.chromiumPath} (or set CHROMIUM_PATH)` },
  { met: (probe) => probe.redisServer, apt: 'redis-server', describe: () => 'redis-server on PATH' },
  { met: (probe) => probe.python !== undefined, apt: 'python3-venv', describe: () => 'Python 3 with venv and ensurepip' },
];

/**
 * Decides what `ensure` does: nothing when everything is there, apt-get install when it can,
 * else one line naming what is missing and the command that installs it.
 *
 * @example
 * decide({ chromiumPath: '/usr/bin/chromium', chromium: false, python: 'python3', redisServer: true, canInstall: false });
 * // { action: 'stop', message: 'npm test needs Chromium at /usr/bin/chromium ...; install as root: apt-get install -y chromium' }
 */
export function decide(probe: Probe): Decision {
  const missing = NEEDS.filter((need) => !need.met(probe));
  if (missing.length === 0) return { action: 'ready' };
  const packages = missing.map((need) => need.apt);
  if (probe.canInstall) return { action: 'install', packages };
  return {
    action: 'stop',
    message: `npm test needs ${missing.map((need) => need.describe(probe)).join(', ')}; install as root: apt-get install -y ${packages.join(' ')}`,
  };
}

/** The first executable `name` in the directories of `path`. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasVenv(python: string): boolean {
  return spawnSync(python, ['-c', 'import venv, ensurepip'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** Looks at this machine, with `env`'s PATH, CHROMIUM_PATH and PYTHON. */
export function probe(env: NodeJS.ProcessEnv = process.env): Probe {
  const chromiumPath = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const pythons = [env.PYTHON ?? findOnPath('python3', env.PATH), '/usr/bin/python3'];
  return {
    chromiumPath,
    chromium: isExecutable(chromiumPath),
    python: pythons.find((python): python is string => python !== undefined && hasVenv(python)),
    redisServer: findOnPath('redis-server', env.PATH) !== undefined,
    canInstall: process.getuid?.() === 0 && findOnPath('apt-get', env.PATH) !== undefined,
  };
}

function aptGet(args: readonly string[]): number {
  // Waits for another apt run's lock rather than failing at once; noninteractive because
  // chromium's dependencies (tzdata among them) may ask debconf questions.
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status ?? 1;
}

/** `ensure`: installs what is missing or says what to install; true when the suite can run. */
export function ensure(
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): boolean {
  const decision = decide(probe(env));
  if (decision.action === 'ready') return true;
  if (decision.action === 'stop') {
    say(decision.message);
    return false;
  }
  say(`npm test: installing ${decision.packages.join(' ')} with apt-get`);
  const code = aptGet(['update', '-qq']) || aptGet(['install', '-y', '-qq', ...decision.packages]);
  const after = decide({ ...probe(env), canInstall: false });
  if (after.action === 'stop') {
    say(code === 0 ? after.message : `apt-get install ${decision.packages.join(' ')} failed (exit ${code}); ${after.message}`);
    return false;
  }
  return true;
}

/** Whether a Redis answers PING at `url` within two seconds. */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname.replace(/^\[|\]$/g, ''));
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(String(data).startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

/** A `redis-server` of the suite's own: nothing saved, loopback only, stopped with the suite. */
async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}

/** `run`: mocha with `args`, REDIS_URL and PYTHON set; resolves with mocha's exit code. */
export async function run(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const suiteEnv: NodeJS.ProcessEnv = { ...env, REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
  let redis: ChildProcess | undefined;
  if (!(await redisAnswers(suiteEnv.REDIS_URL!))) {
    const own = await startRedis();
    redis = own.child;
    process.stderr.write(`npm test: no Redis answers at ${suiteEnv.REDIS_URL}; started redis-server at ${own.url}\n`);
    suiteEnv.REDIS_URL = own.url;
  }
  suiteEnv.PYTHON ??= probe(env).python;
  const stopRedis = (): void => {
    redis?.kill('SIGTERM');
  };
  // Ctrl-C reaches mocha too; this process only has to take its redis-server down with it.
  const onSignal = (): void => stopRedis();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const mocha = spawn(process.execPath, [require.resolve('mocha/bin/mocha.js'), ...args], { stdio: 'inherit', env: suiteEnv });
    return await new Promise<number>((resolve) => mocha.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (redis && redis.exitCode === null) {
      const exited = new Promise((resolve) => redis!.once('exit', resolve));
      stopRedis();
      await exited;
    }
  }
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'ensure') {
    process.exitCode = ensure() ? 0 : 1;
  } else if (command === 'run') {
    run(args).then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.stderr.write(`npm test: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  } else {
    process.stderr.write('usage: node dist/scripts/test-env.js ensure | run [mocha args]\n');
    process.exitCode = 2;
  }
}
