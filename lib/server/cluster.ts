import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import * as status from '../errors/status';
import { modulePath } from './app-reference';
import { answerMetricsRequest } from './cluster-metrics';
import { EXIT, INTERRUPTED_AGAIN } from './exit-codes';
import { TreeWatcher } from './reload';
import { type ServeOptions, serveArgs } from './serve-options';
import { isLimitReached, isWorkerReport, servingLine, type WorkerCommand, type WorkerReport } from './worker-protocol';

/** Crashes within this window that make the primary give up instead of forking again. */
const CRASH_LIMIT = 3;
const CRASH_WINDOW_MS = 10_000;
/** How long past the workers' own shutdown timeout the primary waits before killing them. */
const KILL_GRACE_MS = 2000;

interface WorkerState {
  readonly worker: Worker;
  readonly generation: number;
  listening: boolean;
  /** The primary asked it to stop (shutdown or reload); its exit is expected. */
  stopping: boolean;
  /** A worker past `--limit-max-requests` that this one takes over from once it listens. */
  replaces: WorkerState | undefined;
  /** Forked to take over from this one (past `--limit-max-requests`). */
  replacement: WorkerState | undefined;
}

/** A free port on `host`: workers forked later (re-forks, reloads) must find the same one. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The `node:cluster` primary behind `--workers N` and `--reload`: forks the workers (each
 * loads the app and listens on the shared port), prints the serving line once all listen,
 * forks again after a crash or a replacement that fails to start (giving up after a few quick
 * ones; only the first generation failing to start stops everything), forwards SIGTERM/SIGINT
 * as a shutdown request, and on `--reload` starts a new generation of workers on a file change
 * and retires the old one (its WebSockets close with 1012) once the new one listens. While a
 * change fails to start, the old generation serves on and is not replaced from the broken code.
 *
 * @example
 * // What `starwire serve dist/app.js --workers 4` does in the primary (lib/server/cli.ts):
 * const options = parseServeArgs(['dist/app.js', '--workers', '4']);
 * if (options !== 'help') await ClusterPrimary.start(options);
 */
export class ClusterPrimary {
  private readonly states = new Map<number, WorkerState>();
  private readonly crashes: number[] = [];
  private generation = 0;
  /** The generation that serves; a newer one replaces it once all of its workers listen. */
  private current = 0;
  /** The generation being started, until it serves or fails. */
  private starting: number | undefined = undefined;
  private reloadPending = false;
  /** A reload's code failed to start: replacements would load it too, so none are forked until the next change. */
  private brokenOnDisk = false;
  private stopping = false;
  private exitCode: number = EXIT.OK;
  private watcher: TreeWatcher | undefined = undefined;

  private constructor(private readonly options: ServeOptions) {}

  /** Starts the workers; the process exits when they are all gone after a shutdown. */
  static async start(options: ServeOptions): Promise<ClusterPrimary> {
    let port = options.port;
    try {
      if (port === 0) port = await freePort(options.host);
    } catch (error) {
      process.stderr.write(`starwire: cannot listen on ${options.host}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT.FAILED);
    }
    // Every worker listens on this port: the primary picks one for --port 0, before forking.
    const resolved = { ...options, port };
    const primary = new ClusterPrimary(resolved);
    cluster.setupPrimary({ exec: join(__dirname, 'cli.js'), args: serveArgs(resolved) });
    process.on('SIGTERM', () => primary.shutdown(EXIT.OK));
    process.on('SIGINT', () => primary.interrupt());
    primary.forkGeneration();
    if (options.reload) primary.watch();
    return primary;
  }

  private watch(): void {
    const root = dirname(modulePath(this.options.app));
    this.watcher = new TreeWatcher(root, (file) => {
      if (this.stopping) return;
      process.stderr.write(`starwire: ${file} changed; restarting\n`);
      if (this.starting !== undefined) this.reloadPending = true;
      else this.forkGeneration();
    });
    process.stderr.write(`starwire: watching ${root} for changes\n`);
  }

  private forkGeneration(): void {
    this.brokenOnDisk = false;
    this.starting = ++this.generation;
    for (let i = 0; i < this.options.workers; i++) this.fork(this.generation);
  }

  private fork(generation: number, replaces?: WorkerState): WorkerState {
    const worker = cluster.fork();
    const state: WorkerState = { worker, generation, listening: false, stopping: false, replaces, replacement: undefined };
    this.states.set(worker.id, state);
    if (replaces) replaces.replacement = state;
    worker.on('message', (message: unknown) => {
      if (isLimitReached(message)) this.replace(state, message.requests);
      if (
        answerMetricsRequest(worker, message, () =>
          [...this.states.values()].filter((s) => s.listening && !s.stopping).map((s) => s.worker),
        )
      )
        return;
      if (!isWorkerReport(message)) return;
      state.listening = true;
      this.listened(state, message);
    });
    worker.on('exit', (code, signal) => this.exited(state, code, signal));
    // A worker whose IPC channel broke still exits; its 'exit' handles it.
    worker.on('error', () => {});
    return state;
  }

  /**
   * `--limit-max-requests`: forks the worker's replacement; the worker serves on until the
   * replacement listens, then finishes its connections (WebSockets get 1012) and exits.
   */
  private replace(state: WorkerState, requests: number): void {
    if (this.stopping || state.stopping || state.replacement) return;
    process.stderr.write(
      `starwire: worker ${state.worker.process.pid} served ${requests} requests (--limit-max-requests ${this.options.limitMaxRequests}); replacing it\n`,
    );
    this.fork(state.generation, state);
  }

  private generationWorkers(generation: number): WorkerState[] {
    return [...this.states.values()].filter((state) => state.generation === generation && !state.stopping);
  }

  private listened(state: WorkerState, report: WorkerReport): void {
    // Asked to stop before it listened: a worker still loading may have missed the request.
    if (this.stopping || state.stopping) {
      this.stop(state, this.stopping ? status.WS_1001_GOING_AWAY : status.WS_1012_SERVICE_RESTART);
      return;
    }
    const old = state.replaces;
    state.replaces = undefined;
    // Listening now, it takes the old one's place: the old one stops taking connections and drains.
    if (old && !old.stopping && this.states.has(old.worker.id)) this.stop(old, status.WS_1012_SERVICE_RESTART);
    const workers = this.generationWorkers(state.generation);
    if (state.generation !== this.starting || workers.length < this.options.workers || !workers.every((w) => w.listening)) return;
    // Every worker of a new generation listens: it takes over.
    const previous = this.current;
    this.current = state.generation;
    this.starting = undefined;
    if (previous === 0) {
      process.stdout.write(`${servingLine(this.options.host, this.options.port, this.options.workers)}\n`);
      if (this.options.workers > 1 && report.inMemoryLayer) {
        process.stderr.write(
          'starwire: warning: the app uses the in-memory channel layer, so with several workers rooms, presence and ' +
            'broadcasts are per process (a client sees only the clients of its own worker). Configure RedisChannelLayer ' +
            'and RedisRealtimeStore (docs/cli.md) to share them.\n',
        );
      }
    } else {
      process.stderr.write(`starwire: reloaded (${this.options.workers} worker${this.options.workers === 1 ? '' : 's'})\n`);
    }
    for (const old of this.generationWorkers(previous)) this.stop(old, status.WS_1012_SERVICE_RESTART);
    if (this.reloadPending) {
      this.reloadPending = false;
      this.forkGeneration();
    }
  }

  private exited(state: WorkerState, code: number | null, signal: string | null): void {
    this.states.delete(state.worker.id);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.stopping) {
      // Only the shutdown's own exits count: an old generation retired by a reload, or a
      // crashed worker, may have exited 3 before, while the primary was not stopping.
      if (code === EXIT.FORCED) this.exitCode = EXIT.FORCED;
      else if (code !== EXIT.OK && this.exitCode === EXIT.OK) this.exitCode = EXIT.FAILED;
      if (this.states.size === 0) this.finish();
      return;
    }
    if (state.stopping) return;
    // Past its limit, it already has a replacement on the way.
    if (state.replacement && this.states.has(state.replacement.worker.id)) return;
    if (!state.listening && state.generation === this.starting) {
      if (this.current > 0) {
        this.reloadFailed(state, how);
        return;
      }
      // The first generation: the app itself does not start, so nothing would ever serve.
      process.stderr.write(`starwire: worker ${state.worker.process.pid} failed to start (exited with ${how}); stopping\n`);
      this.shutdown(EXIT.FAILED);
      return;
    }
    if (!state.listening && this.options.reload) {
      // A replacement that does not start runs the code on disk, which changed: like a failed reload.
      this.brokenOnDisk = true;
      process.stderr.write(
        `starwire: worker ${state.worker.process.pid} (a replacement) failed to start (exited with ${how}); ` +
          `${this.stillServing()}, waiting for changes\n`,
      );
      return;
    }
    // A worker that crashed, or a replacement that failed to start: either way one crash.
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && this.crashes[0] < now - CRASH_WINDOW_MS) this.crashes.shift();
    const what = state.listening ? `exited with ${how}` : `failed to start (exited with ${how})`;
    if (this.crashes.length >= CRASH_LIMIT) {
      process.stderr.write(
        `starwire: workers crashed ${this.crashes.length} times within ${CRASH_WINDOW_MS / 1000} s ` +
          `(last: worker ${state.worker.process.pid}, ${how}); giving up\n`,
      );
      this.shutdown(EXIT.FAILED);
      return;
    }
    if (this.brokenOnDisk) {
      // A replacement would load the changed code, which does not start.
      process.stderr.write(
        `starwire: worker ${state.worker.process.pid} ${what}; not replacing it while the changed app ` +
          `fails to start (${this.stillServing()}), waiting for changes\n`,
      );
      return;
    }
    process.stderr.write(`starwire: worker ${state.worker.process.pid} ${what}; starting another\n`);
    this.fork(state.generation, state.replaces);
  }

  /** A reload whose code does not start: the serving generation goes on. */
  private reloadFailed(state: WorkerState, how: string): void {
    this.brokenOnDisk = true;
    for (const other of this.generationWorkers(state.generation)) this.stop(other, status.WS_1012_SERVICE_RESTART);
    this.starting = undefined;
    process.stderr.write(
      `starwire: the changed app failed to start (worker ${state.worker.process.pid} exited with ${how}); ` +
        `${this.stillServing()}, waiting for changes\n`,
    );
    if (this.reloadPending) {
      this.reloadPending = false;
      this.forkGeneration();
    }
  }

  /** What serves while the code on disk does not start. */
  private stillServing(): string {
    const left = this.generationWorkers(this.current).length;
    return left > 0 ? `still serving the previous version (${left} worker${left === 1 ? '' : 's'})` : 'nothing serves until it is fixed';
  }

  private stop(state: WorkerState, code: number): void {
    state.stopping = true;
    const command: WorkerCommand = { starwire: 'shutdown', code };
    // A closed channel does not throw: send() reports it to the callback (or as a later 'error').
    state.worker.send(command, (error: Error | null) => {
      if (error) state.worker.process.kill('SIGTERM');
    });
  }

  /** Asks every worker to shut down; exits once all have, killing them if they outlast the timeout. */
  shutdown(exitCode: number): void {
    if (exitCode !== EXIT.OK && this.exitCode === EXIT.OK) this.exitCode = exitCode;
    if (this.stopping) return;
    this.stopping = true;
    this.watcher?.close();
    for (const state of this.states.values()) this.stop(state, status.WS_1001_GOING_AWAY);
    if (this.states.size === 0) {
      this.finish();
      return;
    }
    setTimeout(
      () => {
        process.stderr.write(`starwire: ${this.states.size} worker(s) still running after the shutdown timeout; killing them\n`);
        this.exitCode = EXIT.FORCED;
        for (const state of this.states.values()) state.worker.process.kill('SIGKILL');
      },
      this.options.shutdownDelay + this.options.shutdownTimeout + KILL_GRACE_MS,
    );
  }

  /** SIGINT: the first shuts down; another during the shutdown kills the workers and exits at once. */
  interrupt(): void {
    if (!this.stopping) {
      this.shutdown(EXIT.OK);
      return;
    }
    process.stderr.write(`starwire: ${INTERRUPTED_AGAIN}\n`);
    for (const state of this.states.values()) state.worker.process.kill('SIGKILL');
    process.exit(EXIT.INTERRUPTED);
  }

  private finish(): void {
    process.exit(this.exitCode);
  }
}
