import type { OffloadPool } from './offload-pool';

/** The names of `M`'s exports that are functions. */
export type ExportedFunction<M> = {
  [K in keyof M]: M[K] extends (...args: never[]) => unknown ? K : never;
}[keyof M] &
  string;

/** The parameters of export `K` of module `M`. */
export type ExportArgs<M, K extends keyof M> = M[K] extends (...args: infer A) => unknown ? A : never;

/** What export `K` of module `M` resolves to. */
export type ExportResult<M, K extends keyof M> = M[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * Runs CPU-heavy work in the app's worker-thread pool (the role of Channels' `sync_to_async`,
 * Starlette's thread pool), so the event loop keeps serving other connections. Inject it in a
 * handler; it is cancelled when the client leaves. `app.offload` is the same without a client.
 *
 * Give the module's type to check the arguments and the result: the export runs in another
 * thread, so it is named by the module's path (`require.resolve`) and its name; arguments and
 * results are structured-cloned.
 *
 * @example
 * // work.ts: export function hash(input: string): string { ... }
 * const route = new Route('/hash', 'POST', inject([Offload, Body()], (offload, body) =>
 *   offload.run<typeof import('./work'), 'hash'>(require.resolve('./work'), 'hash', [String(body)])));
 */
export class Offload {
  constructor(
    private readonly pool: OffloadPool,
    /** Aborts when the connection's client leaves; the running task is then terminated. */
    readonly signal?: AbortSignal,
  ) {}

  /**
   * Runs `exportName` of the module at `modulePath` in a worker thread. Rejects with
   * `HTTPException(503)` when the queue is full (HTTP 503, WebSocket close 1013), with
   * `ClientDisconnect` when the client left (never an unhandled rejection), with an Error naming
   * the export when it throws (500 or 1011 by the one table, no stack to the client).
   */
  run<M, K extends ExportedFunction<M> = ExportedFunction<M>>(
    modulePath: string,
    exportName: K,
    args: ExportArgs<M, K>,
  ): Promise<ExportResult<M, K>> {
    return this.pool.run(modulePath, exportName, args as readonly unknown[], this.signal) as Promise<ExportResult<M, K>>;
  }
}
