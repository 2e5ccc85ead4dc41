/**
 * Where `starwire serve` learns of `app.listen()` calls it did not make. Keyed on the global
 * symbol registry, so that an App from another copy of Starwire (a project's own
 * `node_modules/starwire` served by a global CLI) reports to it too.
 */
const GUARD = Symbol.for('starwire.listenGuard');

/**
 * The app whose `listen()` was called. The guard only compares it with the app it loaded, so
 * any object will do: naming `App` here would tie this file and app.ts, which calls it, in a cycle.
 */
export type ListeningApp = object;

/** Told of every `listen(port, host)` call; `stack` locates the caller. */
export type ListenGuard = (app: ListeningApp, port: number, host: string, stack: string) => void;

/** Called first thing by `App.listen()`: a process that `starwire serve` runs hears of it. */
export function reportListen(app: ListeningApp, port: number, host: string): void {
  const guard = (globalThis as Record<symbol, ListenGuard | undefined>)[GUARD];
  guard?.(app, port, host, new Error('listen() called').stack ?? '');
}

/** Installs the guard `starwire serve` uses; one per process. */
export function installListenGuard(guard: ListenGuard): void {
  (globalThis as Record<symbol, ListenGuard | undefined>)[GUARD] = guard;
}
