// Apps decorated with tsyringe's decorators need the polyfill before they load, as index.ts does.
import 'reflect-metadata';
import type { Server } from 'node:http';
import { App } from '../app';
import * as status from '../errors/status';
import { loadApp } from './app-loader';
import { serveWorkerMetrics } from './cluster-metrics';
import { EXIT, INTERRUPTED_AGAIN } from './exit-codes';
import { describeFailure } from './failure-message';
import { installListenGuard } from './listen-guard';
import { watchRequestLimit } from './request-limit';
import type { ServeOptions } from './serve-options';
import { isWorkerCommand, servingLine, type WorkerLimitReached, type WorkerReport } from './worker-protocol';

/**
 * Serves the app in this process until SIGTERM or SIGINT (or, in a cluster worker, until the
 * primary asks), then shuts down gracefully and exits: 0 when done within the shutdown
 * timeout, 3 when it had to cut connections off, 130 on a second SIGINT. A failed start
 * prints why and exits 1, as does an app module that calls `listen()` itself.
 */
export async function serveProcess(options: ServeOptions, worker: boolean): Promise<void> {
  let serving: Serving | undefined;
  const stop = (code: number, drain = true): void => {
    if (serving) void serving.shutdown(code, drain);
    // Asked to stop while still starting (an onStartup may never finish): nothing serves yet.
    else process.exit(EXIT.OK);
  };
  process.on('SIGTERM', () => stop(status.WS_1001_GOING_AWAY));
  // Ctrl-C twice: whoever presses it again does not want to wait for the shutdown.
  process.on('SIGINT', () => (serving?.stopping ? serving.interrupt() : stop(status.WS_1001_GOING_AWAY)));
  if (worker)
    process.on('message', (message) => {
      // A retired worker (reload, --limit-max-requests) has its replacement serving: no drain delay.
      if (isWorkerCommand(message)) stop(message.code, message.code !== status.WS_1012_SERVICE_RESTART);
    });

  let app: App | undefined;
  let ownListen = false;
  installListenGuard((listening, port, host, stack) => {
    // While loading, any listen() is the module's; later, another app (metrics, say) is the user's to serve.
    if (ownListen || (app !== undefined && listening !== app)) return;
    process.stderr.write(`starwire: ${listenedItself(options, port, host, stack)}\n`);
    process.exit(EXIT.FAILED);
  });
  let server: Server;
  try {
    app = await loadApp(options.app);
    ownListen = true;
    const listening = app.listen(options.port, options.host);
    ownListen = false;
    server = await listening;
  } catch (error) {
    process.stderr.write(`starwire: ${describeFailure(error)}\n`);
    process.exit(EXIT.FAILED);
  }
  applyKeepAliveTimeout(server, options.keepAliveTimeout);
  const served = new Serving(app, server, options);
  serving = served;
  const limit = options.limitMaxRequests;
  if (limit !== undefined) {
    const stats = app.stats.bind(app);
    watchRequestLimit(server, stats, limit, (requests) => {
      // A worker serves on until the primary has its replacement listening, then is told to stop.
      if (worker) {
        const report: WorkerLimitReached = { starwire: 'limit-reached', requests };
        process.send?.(report);
        return;
      }
      // Alone, as uvicorn does: drain and exit 0, for the process manager to start it again.
      process.stderr.write(`starwire: served ${requests} requests (--limit-max-requests ${limit}); shutting down\n`);
      void served.shutdown(status.WS_1012_SERVICE_RESTART);
    });
  }
  if (worker) {
    serveWorkerMetrics(app);
    const report: WorkerReport = { starwire: 'listening', inMemoryLayer: usesInMemoryLayer(app) };
    process.send?.(report);
  } else {
    process.stdout.write(`${servingLine(options.host, App.portOf(server), 1)}\n`);
  }
}

/**
 * `--keep-alive-timeout`: how long an idle keep-alive connection stays open. `headersTimeout`
 * stays above it, so a request that arrives just as the connection would time out is not cut
 * off by the headers timer instead (and `requestTimeout`, in turn, not below that).
 */
export function applyKeepAliveTimeout(server: Server, ms: number | undefined): void {
  if (ms === undefined) return;
  server.keepAliveTimeout = ms;
  server.headersTimeout = Math.max(server.headersTimeout, ms + 1000);
  if (server.requestTimeout > 0) server.requestTimeout = Math.max(server.requestTimeout, server.headersTimeout);
}

/** Why an app module must not call `listen()` under `starwire serve`, and where it did. */
function listenedItself(options: ServeOptions, port: number, host: string, stack: string): string {
  // The frames are the Error, reportListen, App.listen, then the caller.
  const caller = stack.split('\n')[3]?.trim().replace(/^at /, '') ?? 'unknown';
  return (
    `${options.appText} calls app.listen(${port}, ${JSON.stringify(host)}) itself (at ${caller}); ` +
    'starwire serve listens for the app (--host/--port, HOST/PORT), so it would be served on two ports. ' +
    `Remove that call, or run it only when the module is run directly: if (require.main === module) { ... }`
  );
}

/** True for the default channel layer, which reaches only this process's sockets. */
function usesInMemoryLayer(app: App): boolean {
  // By name too: an app built with another copy of Starwire has its own class.
  return app.channelLayer.constructor.name === 'InMemoryChannelLayer';
}

/** One listening app and its shutdown. */
class Serving {
  stopping = false;

  constructor(
    private readonly app: App,
    private readonly server: Server,
    private readonly options: Pick<ServeOptions, 'shutdownDelay' | 'shutdownTimeout'>,
  ) {}

  /**
   * Flips readiness to 503, serves on for `--shutdown-delay` (when `drain`), then stops accepting, closes the
   * app (WebSockets get `code`) and exits; forced once `--shutdown-timeout` has run after the delay.
   */
  async shutdown(code: number, drain = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const shutdownDelay = drain ? this.options.shutdownDelay : 0;
    const { shutdownTimeout } = this.options;
    const forced = setTimeout(() => {
      process.stderr.write(`starwire: shutdown took longer than ${shutdownTimeout} ms; closing what is left\n`);
      this.server.closeAllConnections();
      process.exit(EXIT.FORCED);
    }, shutdownDelay + shutdownTimeout);
    // app.close() stops the server, ends keep-alive connections and closes the WebSockets.
    let exitCode: number = EXIT.OK;
    try {
      await this.app.close({ code, drainDelay: shutdownDelay });
    } catch (error) {
      process.stderr.write(`starwire: shutdown failed: ${describeFailure(error)}\n`);
      exitCode = EXIT.FAILED;
    }
    clearTimeout(forced);
    process.exit(exitCode);
  }

  /** A second SIGINT: exit now, cutting off whatever the shutdown is still waiting for. */
  interrupt(): void {
    process.stderr.write(`starwire: ${INTERRUPTED_AGAIN}\n`);
    this.server.closeAllConnections();
    process.exit(EXIT.INTERRUPTED);
  }
}
