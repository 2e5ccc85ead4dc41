import type { Piscina } from 'piscina';
import { ClientDisconnect, HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import type { OffloadTask } from './offload-worker';
import { loadPiscina } from './piscina-loader';

/**
 * The worker-thread pool behind `Offload` (`new App({ offload })`). The pool, and piscina with
 * it, is made on the first task, so an app that never offloads loads neither.
 *
 * @example
 * new App({ routes, offload: { maxThreads: 4, maxQueue: 64 } });
 */
export interface OffloadOptions {
  /** Worker threads at most. Default: piscina's (1.5 × the available CPUs). */
  maxThreads?: number;
  /** Worker threads kept alive when idle. Default: piscina's. */
  minThreads?: number;
  /**
   * Tasks waiting for a free thread at most; one more is refused with `HTTPException(503)`
   * (HTTP 503, WebSocket close 1013, by the one table). Default: maxThreads², piscina's `'auto'`.
   */
  maxQueue?: number;
  /** Milliseconds an idle thread above `minThreads` lives. Default: piscina's. */
  idleTimeout?: number;
}

const WORKER = require.resolve('./offload-worker');

/** piscina's error for a full queue (piscina exports no class for it). */
const QUEUE_FULL = 'Task queue is at limit';
const QUEUE_FULL_DETAIL = 'Offload queue is full';

/**
 * An app's worker-thread pool: runs a module's export in a thread, answers a full queue with
 * 503, cancels a task when its signal aborts (the thread running it is terminated). Closed by
 * `app.close()`.
 */
export class OffloadPool {
  private pool: Piscina | undefined = undefined;
  private closed = false;
  /** Tasks running or waiting: piscina's own bound also counts threads still starting, so this one is kept here. */
  private inflight = 0;
  private capacity = 0;

  constructor(private readonly options: OffloadOptions = {}) {
    for (const key of ['maxThreads', 'minThreads', 'maxQueue', 'idleTimeout'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        throw new TypeError(`new App({ offload }): ${key} must be a non-negative integer, got ${String(value)}`);
      }
    }
  }

  /** Tasks waiting for a thread, and threads running. */
  get stats(): { readonly queued: number; readonly threads: number } {
    return { queued: this.pool?.queueSize ?? 0, threads: this.pool?.threads.length ?? 0 };
  }

  /**
   * Runs `exportName` of the module at `modulePath` in a worker thread with `args` (structured-
   * cloned both ways). Rejects with `HTTPException(503)` when the queue is full, with
   * `ClientDisconnect` when `signal` aborts (a rejection already marked handled: nobody awaiting
   * it is fine), and with the worker's error, named, when the export throws.
   */
  run(modulePath: string, exportName: string, args: readonly unknown[], signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, 'Offload pool is closed'));
    const pool = this.piscina();
    if (this.inflight >= this.capacity) return Promise.reject(new HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, QUEUE_FULL_DETAIL));
    this.inflight++;
    const task: OffloadTask = { modulePath, exportName, args };
    const result = new Promise<unknown>((resolve, reject) => {
      pool
        .run(task, { signal: signal ?? null })
        .finally(() => this.inflight--)
        .then(resolve, (error: unknown) => {
          if (signal?.aborted) {
            // An ordinary event: a caller that forgot to await must not crash the process.
            result.catch(() => {});
            const reason = signal.reason;
            reject(
              reason instanceof ClientDisconnect
                ? reason
                : new ClientDisconnect('The client disconnected; the offloaded task was cancelled'),
            );
          } else if (error instanceof Error && error.message === QUEUE_FULL) {
            reject(new HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, QUEUE_FULL_DETAIL));
          } else {
            const message = error instanceof Error ? error.message : String(error);
            reject(new Error(`Offload ${exportName} in ${modulePath} failed: ${message}`, { cause: error }));
          }
        });
    });
    return result;
  }

  /** Terminates the threads; later tasks are refused with 503. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private piscina(): Piscina {
    if (this.pool) return this.pool;
    const Pool = loadPiscina('Offload');
    const { maxThreads, minThreads, maxQueue, idleTimeout } = this.options;
    const options = { filename: WORKER, maxThreads, minThreads, maxQueue: maxQueue ?? 'auto', idleTimeout };
    if (maxThreads !== undefined && minThreads === undefined) options.minThreads = Math.min(1, maxThreads);
    const pool = new Pool(Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)));
    this.capacity = pool.options.maxThreads + pool.options.maxQueue;
    this.pool = pool;
    return pool;
  }
}
