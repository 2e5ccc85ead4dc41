import type { DependencyContainer } from 'tsyringe';
import type { ChannelLayer } from './channels/channel-layer';
import type { AppLogger } from './config/logger';
import type { SettingsInput } from './config/settings';
import type { ExceptionHandlerEntry } from './errors/exception-handlers';
import type { HttpStats } from './http/http-stats';
import type { Response } from './http/response';
import type { ComponentDefinition } from './inject/component';
import type { HookLike } from './inject/hook';
import type { MaybePromise } from './inject/thenable';
import type { OffloadOptions } from './offload/offload-pool';
import type { RealtimeOptions } from './realtime/manager';
import type { RouteLike } from './routing/routes';
import type { MetricsOptions } from './server/app-metrics';
import type { LifespanHandler } from './server/lifespan';
import type { TracingOption } from './tracing/tracing';
import type { WebSocketStats } from './websocket/websocket-stats';

// What `new App()` takes, and the shapes of `app.stats()` and `app.close()`'s options.
export interface AppOptions {
  /** The app's configuration: every route, nested with `Include`. */
  routes: readonly RouteLike[];
  /** Component definitions from `component(...)`; they override built-ins with the same token. */
  components?: readonly ComponentDefinition[];
  /** Hooks wrapping every route, instances or classes. */
  hooks?: readonly HookLike[];
  settings?: SettingsInput;
  /** The app's logger (a pino instance, say); the same as `settings.logger`. Default: Starwire's JSON `Logger`. */
  logger?: AppLogger;
  /** The tsyringe container services are resolved from; default: a child of tsyringe's global one. */
  container?: DependencyContainer;
  /** How consumers and the real-time manager reach each other. Default: an `InMemoryChannelLayer`. */
  channelLayer?: ChannelLayer;
  /** Options of `app.realtime` (rooms, presence, history): its store, presence TTL, reconnect grace. */
  realtime?: RealtimeOptions;
  /** Run in order before the app serves (`listen()` runs them; so does `startup()`); a failure stops the start. */
  onStartup?: readonly LifespanHandler[];
  /** Run in reverse order by `close()`, once connections have closed. */
  onShutdown?: readonly LifespanHandler[];
  /**
   * Handlers by error class, Starlette's `exception_handlers`: `[[NotFound, handler], ...]`. The
   * handler of the thrown error's nearest class answers it instead of the one table (docs/errors.md).
   */
  exceptionHandlers?: readonly ExceptionHandlerEntry[];
  /** The worker-thread pool handlers reach by injecting `Offload` (docs/offload.md); made on first use. */
  offload?: OffloadOptions;
  /**
   * Prometheus metrics in `app.metrics.registry`, served by `metricsRoutes()` (docs/metrics.md).
   * Needs the optional peer dependency `prom-client`, loaded only when this is set. Default off.
   */
  metrics?: boolean | MetricsOptions;
  /**
   * OpenTelemetry spans for HTTP requests, WebSocket connections and messages, and channel-layer
   * publishes (docs/tracing.md); needs `@opentelemetry/api`. Decided once here: off (the default),
   * the request path makes no span and allocates nothing for tracing.
   */
  tracing?: TracingOption;
}

/**
 * `app.stats()`: the WebSocket counters, and the HTTP figures under `http`.
 *
 * @example
 * const { open, accepted, http } = app.stats();
 * console.log(`${open} sockets open, ${http.inFlight} requests in flight, p99 ${http.p99Ms} ms`);
 */
export interface AppStats extends WebSocketStats {
  http: HttpStats;
}

/** How `app.close()` ends WebSocket connections. */
export interface CloseOptions {
  /** 1001 going away (default), or 1012 service restart. */
  code?: number;
  reason?: string;
  /**
   * Milliseconds to keep serving, with `readiness()` (and `/readyz`) reporting `'draining'`,
   * before anything is closed: time for a load balancer to stop sending new connections.
   * Default 0.
   */
  drainDelay?: number;
}

/** What `app.dispatch` returns: the response, `finish` to call once it is sent, the request id. */
export interface Dispatched {
  response: MaybePromise<Response>;
  finish: () => MaybePromise<void>;
  requestId: string;
}
