import { fork, type ChildProcess } from 'node:child_process';

/**
 * A server under test, running in its own process so that its event loop, GC and JIT never
 * share a thread with the load generator.
 */
export interface ChildServer {
  readonly port: number;
  /** Asks the child to exit cleanly (so `--cpu-prof` can write its profile) and waits for it. */
  stop(): Promise<void>;
}

/** What a server script sends over IPC once it listens. */
export interface ReadyMessage {
  readonly port: number;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && typeof (message as { port?: unknown }).port === 'number';
}

/**
 * Forks `script` with `args` and resolves once it reports its port. The script must call
 * `process.send({ port })` when listening and exit when its IPC channel disconnects.
 */
export function startChildServer(script: string, args: readonly string[], execArgv: readonly string[] = []): Promise<ChildServer> {
  const child = fork(script, [...args], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const failed = (why: string): void => reject(new Error(`${script} ${args.join(' ')}: ${why}`));
    child.once('error', (error) => failed(error.message));
    child.once('exit', (code, signal) => failed(`exited before it was ready (code ${code}, signal ${signal})`));
    child.once('message', (message) => {
      if (!isReady(message)) return failed(`sent ${JSON.stringify(message)} instead of { port }`);
      child.removeAllListeners('exit');
      resolve({ port: message.port, stop: () => stopChild(child) });
    });
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
