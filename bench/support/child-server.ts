import { type ChildProcess, fork } from 'node:child_process';

/**
 * A server under test, running in its own process so that its event loop, GC and JIT never
 * share a thread with the load generator. Parent and child speak a tiny IPC protocol: the
 * child sends `{ port }` once listening, answers `'cpu'` with `{ cpu }` (its user + system
 * CPU time in µs), and exits when the parent disconnects.
 */
export interface ChildServer {
  readonly port: number;
  /** The child's CPU time so far, in µs; deltas around a load run give CPU per request. */
  cpuMicros(): Promise<number>;
  /** Asks the child to exit cleanly (so `--cpu-prof` can write its profile) and waits for it. */
  stop(): Promise<void>;
}

function hasNumber<K extends string>(message: unknown, key: K): message is Record<K, number> {
  return typeof message === 'object' && message !== null && typeof (message as Record<string, unknown>)[key] === 'number';
}

/** The child's half of the protocol; call it once the server listens on `port`. */
export function serveChildProtocol(port: number): void {
  const send = process.send?.bind(process);
  if (!send) return;
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ cpu: user + system });
    }
  });
  // A plain exit (not a signal) lets `--cpu-prof` write its profile.
  process.once('disconnect', () => process.exit(0));
  send({ port });
}

/** Forks `script` with `args` and resolves once it reports its port. */
export function startChildServer(script: string, args: readonly string[], execArgv: readonly string[] = []): Promise<ChildServer> {
  const child = fork(script, [...args], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const failed = (why: string): void => reject(new Error(`${script} ${args.join(' ')}: ${why}`));
    child.once('error', (error) => failed(error.message));
    child.once('exit', (code, signal) => failed(`exited before it was ready (code ${code}, signal ${signal})`));
    child.once('message', (message) => {
      if (!hasNumber(message, 'port')) return failed(`sent ${JSON.stringify(message)} instead of { port }`);
      child.removeAllListeners('exit');
      resolve({ port: message.port, cpuMicros: () => askCpu(child), stop: () => stopChild(child) });
    });
  });
}

function askCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!hasNumber(message, 'cpu')) return;
      child.off('message', onMessage);
      resolve(message.cpu);
    };
    child.on('message', onMessage);
    if (!child.send('cpu')) reject(new Error('server process is gone'));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A child that ignores the disconnect must not hang the bench.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}
