import type { Hook } from '../inject/hook';
import type { MaybePromise } from '../inject/thenable';

/** A function run when the app starts or stops. */
export type LifespanHandler = () => MaybePromise<void>;

/**
 * Startup failed: the message names the handler; the cause is the error it threw.
 *
 * @example
 * async function openDatabase() { throw new Error('ECONNREFUSED'); }
 * const app = new App({ routes: [], onStartup: [openDatabase] });
 * await assert.rejects(app.startup(), (e) => e instanceof StartupError && /openDatabase/.test(e.message));
 */
export class StartupError extends Error {
  constructor(
    handler: string,
    override readonly cause: unknown,
  ) {
    super(`Startup failed in ${handler}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StartupError';
  }
}

interface Named {
  readonly name: string;
  readonly run: LifespanHandler;
}

/**
 * Startup and shutdown handlers, from `App({ onStartup, onShutdown })` and from hooks with
 * `onStartup`/`onShutdown` methods. Startup runs in order (app handlers, then hooks) once;
 * shutdown runs in reverse, every handler even if one fails.
 */
export class Lifespan {
  private readonly startups: Named[];
  private readonly shutdowns: Named[];
  private started: Promise<void> | undefined = undefined;
  /** True once every startup handler has succeeded. */
  finished = false;

  constructor(onStartup: readonly LifespanHandler[], onShutdown: readonly LifespanHandler[], hooks: readonly Hook[]) {
    const name = (fn: LifespanHandler, index: number, kind: string): string => fn.name || `${kind}[${index}]`;
    this.startups = [
      ...onStartup.map((run, i) => ({ name: name(run, i, 'onStartup'), run })),
      ...hooks
        .filter((hook) => typeof hook.onStartup === 'function')
        .map((hook) => ({ name: `${hook.constructor.name}.onStartup`, run: () => hook.onStartup!() as MaybePromise<void> })),
    ];
    this.shutdowns = [
      ...onShutdown.map((run, i) => ({ name: name(run, i, 'onShutdown'), run })),
      ...hooks
        .filter((hook) => typeof hook.onShutdown === 'function')
        .map((hook) => ({ name: `${hook.constructor.name}.onShutdown`, run: () => hook.onShutdown!() as MaybePromise<void> })),
    ];
  }

  /** Runs the startup handlers once; later calls wait for the same run. Rejects with `StartupError`. */
  startup(): Promise<void> {
    return (this.started ??= (async () => {
      for (const handler of this.startups) {
        try {
          await handler.run();
        } catch (error) {
          throw new StartupError(handler.name, error);
        }
      }
      this.finished = true;
    })());
  }

  /** Runs the shutdown handlers in reverse order; failures are reported, the rest still run. */
  async shutdown(report: (message: string, error: unknown) => void): Promise<void> {
    for (const handler of [...this.shutdowns].reverse()) {
      try {
        await handler.run();
      } catch (error) {
        report(`Shutdown handler ${handler.name} failed`, error);
      }
    }
  }
}
