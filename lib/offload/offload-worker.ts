/*
 * The module every offload worker thread runs: piscina hands it one task, it loads the user's
 * module (once per thread, Node caches it) and calls the named export with the arguments.
 */

/** One task, as `OffloadPool.run` posts it (structured-cloned to the thread). */
export interface OffloadTask {
  readonly modulePath: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
}

/** Runs `task` in this worker thread; what it returns (or throws) goes back to the caller. */
export default function runTask(task: OffloadTask): unknown {
  const loaded = require(task.modulePath) as Record<string, unknown>;
  const fn = loaded[task.exportName];
  if (typeof fn !== 'function') {
    throw new TypeError(`Offload: ${task.modulePath} has no exported function ${JSON.stringify(task.exportName)}`);
  }
  return (fn as (...args: unknown[]) => unknown)(...task.args);
}
