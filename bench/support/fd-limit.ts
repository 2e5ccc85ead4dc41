import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/**
 * Open-file limits for benches that hold many sockets. Node cannot raise its own limit, so a
 * child that needs more descriptors than this process may open is started through
 * `bash -c 'ulimit -n N && exec node ...'` (up to the hard limit), with an IPC channel like
 * `fork` gives.
 */
export interface FdLimits {
  soft: number;
  hard: number;
}

function parseLimit(text: string): number {
  return text.trim() === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text.trim());
}

/** This process's open-file limits (children inherit them). */
export function fdLimits(): FdLimits {
  const [soft, hard] = execFileSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
  return { soft: parseLimit(soft), hard: parseLimit(hard) };
}

/**
 * Starts `node [execArgv] script [args]` with an IPC channel and at least `fds` descriptors
 * allowed (capped at the hard limit: check `fdLimits()` first when the count matters).
 */
export function spawnNode(script: string, args: readonly string[], execArgv: readonly string[], fds: number): ChildProcess {
  const limits = fdLimits();
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
  const command = [...execArgv, script, ...args];
  if (limits.soft >= fds) return spawn(process.execPath, command, { stdio });
  const wanted = Math.min(fds, limits.hard);
  // "$0" "$@" keep every argument intact, whatever it contains.
  return spawn('bash', ['-c', `ulimit -n ${wanted} && exec "$0" "$@"`, process.execPath, ...command], { stdio });
}

/** Resolves with the child's first IPC message that satisfies `accept`; rejects if it exits first. */
export function nextMessage<T>(child: ChildProcess, accept: (message: unknown) => message is T, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!accept(message)) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new Error(`${what}: the process exited (code ${code}, signal ${signal})`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Disconnects the child (it should exit on that) and waits; kills it after `graceMs`. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}
