import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DependencyContainer } from 'tsyringe';
import { builtins } from '../components/builtins';
import { offloadProvider } from '../components/offload';
import { AppDescriptions } from './app-descriptions';
import type { AppOptions, AppStats, CloseOptions, Dispatched } from './app-options';
import { type Readiness, readinessOf } from './app-readiness';
import { compileRoutes, httpEndpoint } from './app-routes';
import type { ChannelLayer } from './channels/channel-layer';
import { InMemoryChannelLayer } from './channels/in-memory-channel-layer';
import { TracedChannelLayer } from './channels/traced-channel-layer';
import type { AppLogger } from './config/logger';
import { resolveSettings, type Settings } from './config/settings';
import type { ApiInfo, AsyncApiDocument, AsyncApiOptions, OpenApiDocument, OpenApiOptions } from './descriptions/document-types';
import { refusal } from './errors/error-table';
import { checkExceptionHandlers } from './errors/exception-handlers';
import * as status from './errors/status';
import type { IncomingSource } from './http/address';
import { serveHttp } from './http/http-pipeline';
import { HttpRecorder } from './http/http-stats';
import { OpenEventStreams } from './http/open-event-streams';
import { requestOf } from './http/request';
import type { Response } from './http/response';
import { Scope } from './http/scope';
import { serveTracedHttp } from './http/traced-http';
import { TrustedProxies } from './http/trusted-proxies';
import { Connection, type ConnectionContext } from './inject/connection';
import { DeferredContainer } from './inject/deferred-container';
import { type Builtin, Resolver } from './inject/resolver';
import { isThenable, type MaybePromise } from './inject/thenable';
import { Offload } from './offload/offload';
import { OffloadPool } from './offload/offload-pool';
import { RealtimeManager, type RealtimeOptions } from './realtime/manager';
import { type Endpoint, HookInstances } from './routing/endpoint';
import { MALFORMED_PATH } from './routing/path-decoding';
import { WS_METHOD } from './routing/route-miss';
import type { Router } from './routing/router';
import { AppMetrics } from './server/app-metrics';
import { Lifespan } from './server/lifespan';
import { reportListen } from './server/listen-guard';
import { type RoutedWebSocket, requestListener, upgradeListener } from './server/node-listener';
import { drainServers } from './server/server-drain';
import { Tracing } from './tracing/tracing';
import { parseSubprotocols } from './websocket/handshake';
import type { WebSocketEndpoint } from './websocket/websocket-endpoint';
import { WebSocketGateway } from './websocket/websocket-gateway';
import { copyRejectedByReason } from './websocket/websocket-stats';
import type { Upgrader } from './websocket/wire-socket';

export type { AppOptions, AppStats, CloseOptions };

declare module './http/scope' {
  /** `scope.app` is the App serving the connection (http/ cannot import app.ts, which stands on it). */
  interface ScopeApp extends App {}
}

/**
 * A Starwire application: routes, components and hooks, compiled when it is constructed so
 * that configuration mistakes fail here and not at the first request.
 *
 * @example
 * import { App, Route, inject, QueryParam } from 'starwire';
 * const hello = inject([QueryParam('name')], (name) => ({ hello: name ?? 'world' }));
 * const app = new App({ routes: [new Route('/', 'GET', hello)] });
 * await app.listen(8000);
 */
export class App {
  readonly settings: Settings;
  readonly container: DependencyContainer;
  /** The channel layer consumers and `app.realtime` use. */
  readonly channelLayer: ChannelLayer;
  /** Node's request listener, for mounting on a server you create yourself. */
  readonly requestListener: (req: IncomingMessage, res: ServerResponse) => void;
  /** The app's logger: `settings.logger`, Starwire's own `Logger` unless one was given. */
  readonly logger: AppLogger;
  /** CPU-heavy work in worker threads, outside any connection (handlers inject `Offload`, cancelled with their client). */
  readonly offload: Offload;
  /** The app's Prometheus metrics when `metrics` was set (`metricsRoutes()` serves them), else undefined. */
  readonly metrics: AppMetrics | undefined;
  private readonly offloadPool: OffloadPool;
  private readonly httpStats = new HttpRecorder();
  private readonly lifespan: Lifespan;
  private readonly resolver: Resolver;
  /** What every HTTP request's connection shares. */
  private readonly connectionContext: ConnectionContext;
  private readonly router: Router<Endpoint | WebSocketEndpoint>;
  private readonly eventStreams = new OpenEventStreams();
  private readonly gateway: WebSocketGateway;
  private readonly fallback: Endpoint;
  private readonly malformed: Endpoint;
  private readonly servers = new Set<Server>();
  /** Undefined when no proxy is trusted, so the common case reads no header. */
  private readonly proxies: TrustedProxies | undefined;
  private readonly realtimeOptions: RealtimeOptions | undefined;
  private realtimeManager: RealtimeManager | undefined = undefined;
  private closing: Promise<void> | undefined = undefined;
  /** Undefined unless `tracing` was asked for, so the untraced path checks one field. */
  private readonly tracing: Tracing | undefined;
  private readonly descriptions: AppDescriptions;

  constructor(options: AppOptions) {
    if (!options || !Array.isArray(options.routes)) throw new TypeError('new App({ routes }): routes must be an array');
    this.settings = resolveSettings(options.logger ? { ...options.settings, logger: options.logger } : options.settings);
    // tsyringe is loaded when the container is first used, not by `require('starwire')` (which it
    // would slow by a tenth) nor by `new App()` of an app that never asks it for anything.
    this.container = options.container ?? new DeferredContainer();
    this.connectionContext = { settings: this.settings, container: this.container, requestFactory: requestOf };
    const proxies = new TrustedProxies(this.settings.trustedProxies);
    this.proxies = proxies.enabled ? proxies : undefined;
    this.realtimeOptions = options.realtime;
    this.offloadPool = new OffloadPool(options.offload);
    this.offload = new Offload(this.offloadPool);
    const realtime = { kinds: ['http', 'websocket'] as const, provider: () => this.realtime, hint: '' };
    this.resolver = new Resolver(
      options.components ?? [],
      builtins(
        new Map<unknown, Builtin>([
          [RealtimeManager, realtime],
          [Offload, offloadProvider(() => this.offloadPool)],
        ]),
      ),
      this.container,
    );
    this.logger = this.settings.logger;
    this.tracing = options.tracing ? new Tracing(options.tracing) : undefined;
    const layer = options.channelLayer ?? new InMemoryChannelLayer();
    this.channelLayer = this.tracing ? new TracedChannelLayer(layer, this.tracing) : layer;
    this.gateway = new WebSocketGateway(this.settings, this.container, this.logger, this.tracing);
    const hooks = new HookInstances(this.container);
    const appHooks = options.hooks ?? [];
    this.lifespan = new Lifespan(
      options.onStartup ?? [],
      options.onShutdown ?? [],
      appHooks.map((hook) => hooks.get(hook)),
    );

    const handlers = checkExceptionHandlers(options.exceptionHandlers, 'new App()');
    const compiled = compileRoutes(options.routes, appHooks, this.resolver, hooks, () => this.channelLayer, handlers);
    this.router = compiled.router;
    this.descriptions = new AppDescriptions({
      routes: options.routes,
      appHooks,
      hookInstance: (hook) => hooks.get(hook),
      resolver: this.resolver,
    });
    this.fallback = compiled.fallback;
    this.malformed = compiled.malformed;
    this.requestListener = requestListener(this, this.proxies);
    const sources = { gateway: this.gateway, channelLayer: this.channelLayer, realtime: () => this.realtimeManager?.stats() };
    this.metrics = options.metrics ? new AppMetrics(options.metrics === true ? {} : options.metrics, sources) : undefined;
  }

  /**
   * Serves one request from any source; the result is a response, never an exception, and the
   * request's id (to echo as `X-Request-Id`). `finish` must be called once the response has been sent.
   */
  dispatch(source: IncomingSource): Dispatched {
    const started = this.httpStats.start();
    const scope = new Scope('http', source, this);
    const connection = new Connection(scope, this.connectionContext);
    // A malformed path is answered through the hooks (CORS, logging) like any other miss.
    const endpoint = scope.malformedPath ? this.malformed : httpEndpoint(this.router, this.fallback, scope, connection);
    let status = 0; // stays 0 when the client leaves before its response is ready
    const finish = (): MaybePromise<void> => {
      const ms = this.httpStats.end(started);
      this.metrics?.http.record(source.method, endpoint.template, status, ms / 1000);
      return connection.dispose();
    };
    // Untraced, the request path allocates nothing for tracing.
    const traced = this.tracing && serveTracedHttp(this.tracing, endpoint, connection, source, scope.rawPath, finish);
    const answer = traced ? traced.response : serveHttp(endpoint, connection);
    let response: MaybePromise<Response>;
    if (isThenable<Response>(answer)) {
      response = Promise.resolve(answer).then((ready) => {
        status = ready.status;
        return this.eventStreams.track(ready);
      });
    } else {
      status = answer.status;
      response = this.eventStreams.track(answer);
    }
    return { response, finish: traced ? traced.finish : finish, requestId: scope.requestId };
  }

  /** Starts an HTTP server on `port` (0 picks a free one) and `host` (default 127.0.0.1). */
  async listen(port: number, host = '127.0.0.1'): Promise<Server> {
    reportListen(this, port, host);
    await this.startup();
    const server = createServer(this.requestListener);
    this.attach(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  /**
   * Serves this app's WebSocket routes on a server you own (one that Express or Fastify
   * answers HTTP on, say). Upgrades for paths the app does not route are left to the server's
   * other `upgrade` listeners; with none, they get 404.
   *
   * @example
   * const server = http.createServer(expressApp);
   * app.attach(server);
   * server.listen(8000);
   */
  attach(server: Server): void {
    if (this.servers.has(server)) return;
    this.servers.add(server);
    server.on('upgrade', upgradeListener(this, this.gateway, server, this.proxies));
  }

  /**
   * Rooms, channels, presence, events and history over the app's channel layer; made on first
   * use. Handlers may also inject it as `RealtimeManager`.
   */
  get realtime(): RealtimeManager {
    return (this.realtimeManager ??= new RealtimeManager(this.channelLayer, {
      logError: this.settings.logError,
      logger: this.logger,
      ...this.realtimeOptions,
    }));
  }

  /**
   * Runs the startup handlers (`onStartup` options, then hooks' `onStartup`) once. `listen()`
   * calls it; call it yourself when you `attach()` the app to a server you start.
   */
  startup(): Promise<void> {
    return this.lifespan.startup();
  }

  /**
   * Whether the app should get new traffic: not before its startup handlers finished, not once
   * `close()` began, not while the channel layer cannot reach Redis. `/readyz` answers from it
   * (see `healthRoutes()`).
   *
   * @example
   * const { ready, reasons } = app.readiness();   // { ready: false, reasons: ['starting'] } before listen()
   */
  readiness(): Readiness {
    return readinessOf({ started: this.lifespan.finished, draining: this.closing !== undefined, channelLayer: this.channelLayer });
  }

  /**
   * Figures since the app started: the WebSocket counters, and under `http` the requests
   * processed and in flight with their mean and 99th-percentile response times.
   *
   * @example
   * app.stats(); // { open: 2, accepted: 9, …, http: { processed: 1204, inFlight: 3, meanMs: 1.8, p99Ms: 12.4 } }
   */
  stats(): AppStats {
    const stats = this.gateway.stats;
    return {
      ...stats,
      open: stats.open,
      rejectedByStatus: { ...stats.rejectedByStatus },
      rejectedByReason: copyRejectedByReason(stats.rejectedByReason),
      closedByCode: { ...stats.closedByCode },
      http: this.httpStats.snapshot(),
    };
  }

  /**
   * Shuts down gracefully: new connections are refused, every WebSocket is closed with 1001,
   * every handler is awaited, HTTP servers stop and drain, app-scoped components are disposed.
   * Later calls return the same promise; the options of the first call apply.
   */
  close(options: CloseOptions = {}): Promise<void> {
    // A second call (a signal during shutdown, a framework's close hook) waits for the first.
    return (this.closing ??= this.shutdown(options));
  }

  private async shutdown(options: CloseOptions): Promise<void> {
    // Readiness reports 'draining' from the call on; everything serves on meanwhile.
    if (options.drainDelay) await new Promise((resolve) => setTimeout(resolve, options.drainDelay));
    const servers = [...this.servers];
    this.servers.clear();
    await drainServers(servers, () => {
      // Event streams never end by themselves; ended, their connections go idle and are swept.
      this.eventStreams.closeAll();
      return this.gateway.close(options.code, options.reason);
    });
    await this.lifespan.shutdown(this.settings.logError);
    await this.realtimeManager?.close();
    await this.channelLayer.close();
    await this.offloadPool.close();
    await this.resolver.disposeAppValues();
  }

  /**
   * The OpenAPI 3.1 document of the app's HTTP routes (see docs/api-descriptions.md).
   *
   * @example
   * const document = app.openapi({ title: 'Notes', version: '1.0.0' }); // { openapi: '3.1.0', paths: { '/notes/{id}': ... } }
   */
  openapi(info: ApiInfo, options?: OpenApiOptions): OpenApiDocument {
    return this.descriptions.openapi(info, options);
  }

  /**
   * The AsyncAPI 3.0 document of the app's WebSocket routes (see docs/api-descriptions.md).
   *
   * @example
   * const document = app.asyncapi({ title: 'Chat', version: '1.0.0' }); // { asyncapi: '3.0.0', channels: { ws: ... } }
   */
  asyncapi(info: ApiInfo, options?: AsyncApiOptions): AsyncApiDocument {
    return this.descriptions.asyncapi(info, options);
  }

  /**
   * Whether a `WebSocketRoute` matches `path` (as it appears in the URL, percent-encoded, without
   * the query string): an `upgrade` listener of your own can leave such paths to the app.
   *
   * @example
   * server.on('upgrade', (req, socket, head) => {
   *   if (!app.routesWebSocket(new URL(req.url ?? '/', 'http://x').pathname)) theirs.handleUpgrade(req, socket, head, done);
   * });
   */
  routesWebSocket(path: string): boolean {
    return this.webSocketRoute(path) !== undefined;
  }

  /** @internal The WebSocket route at the raw `path`, if any: `openWebSocket` takes it back, so the path is looked up once. */
  webSocketRoute(path: string): RoutedWebSocket | undefined {
    const match = this.router.lookup(WS_METHOD, path);
    return match.found ? match : undefined;
  }

  /**
   * Starts a WebSocket connection from any source; `upgrader` completes or refuses the
   * handshake. Returns false when no WebSocket route matches the path.
   */
  openWebSocket(source: IncomingSource, upgrader: Upgrader, routed?: RoutedWebSocket): boolean {
    const scope = new Scope('websocket', source, this, parseSubprotocols(source.headers['sec-websocket-protocol']));
    if (scope.malformedPath) {
      const request = { path: scope.rawPath, read: (name: string) => scope.headers[name] };
      this.gateway.refuseBefore(upgrader, refusal(status.HTTP_400_BAD_REQUEST, MALFORMED_PATH), 'bad_request', request);
      return true;
    }
    const match = routed ?? this.router.lookup(WS_METHOD, scope.rawPath);
    if (!match.found) return false;
    scope.pathParams = match.params;
    this.gateway.open(match.value as WebSocketEndpoint, scope, upgrader);
    return true;
  }

  /** The port a server started by `listen()` is bound to. */
  static portOf(server: Server): number {
    return (server.address() as AddressInfo).port;
  }
}
