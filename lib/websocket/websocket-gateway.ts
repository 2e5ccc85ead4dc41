import type { Span } from '@opentelemetry/api';
import type { DependencyContainer } from 'tsyringe';
import type { WebSocketServer } from 'ws';
import { type AppLogger, levelEnabled, since } from '../config/logger';
import type { Settings } from '../config/settings';
import { type HttpAnswer, refusal } from '../errors/error-table';
import * as status from '../errors/status';
import { requestOf } from '../http/request';
import type { Scope } from '../http/scope';
import { Connection, type ConnectionContext } from '../inject/connection';
import { isThenable } from '../inject/thenable';
import type { HeaderReader, Tracing } from '../tracing/tracing';
import { choices, type Refusable, refuseWithAnswer } from './handshake';
import { WebSocket } from './websocket';
import type { WebSocketEndpoint } from './websocket-endpoint';
import { type ServedRoute, serveWebSocket } from './websocket-pipeline';
import { countRejected, emptyStats, type RefusalReason, type RouteFigures, type WebSocketStats } from './websocket-stats';
import { ownedWireClass } from './wire-listeners';
import type { Upgrader } from './wire-socket';

/** What a span of a refused handshake tells: the route that would have taken it, if any, and the request. */
export interface RefusedRequest {
  readonly route?: string;
  /** The raw path, without the query string. */
  readonly path: string;
  readonly read: HeaderReader;
}

/** The answers of the refusals at admission, by reason. */
const ADMISSION_REFUSALS = {
  shutdown: () => refusal(status.HTTP_503_SERVICE_UNAVAILABLE, 'Server is shutting down'),
  cap: () => refusal(status.HTTP_503_SERVICE_UNAVAILABLE, 'Too many connections'),
  cap_per_ip: () => refusal(status.HTTP_429_TOO_MANY_REQUESTS, 'Too many connections from this address'),
} satisfies Partial<Record<RefusalReason, () => HttpAnswer>>;

/**
 * Every WebSocket connection of one app: admission (connection caps, shutdown), the handshake
 * timeout, the heartbeat, statistics, and shutdown that closes each socket and waits for its
 * handler.
 */
export class WebSocketGateway {
  readonly stats: WebSocketStats = emptyStats();
  private server: WebSocketServer | undefined;
  /** Each connection open or handshaking. */
  private readonly live = new Set<WebSocket>();
  /** Each route's figures, by path template. */
  readonly byRoute = new Map<string, RouteFigures>();
  /** What the sockets of each route share, made on the route's first connection. */
  private readonly served = new Map<WebSocketEndpoint, ServedRoute>();
  /** Connections the heartbeat terminated (no pong within an interval). */
  terminatedByHeartbeat = 0;
  private idle: (() => void) | undefined = undefined;
  private readonly perIp = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined = undefined;
  private closing = false;

  /** Each logged connection, and when it opened; only filled at log level info. */
  private readonly logged = new WeakMap<WebSocket, { connection: Connection; opened: number }>();
  private readonly observer: { accepted(ws: WebSocket): void } | undefined;
  /** Each traced connection's span, ended when the socket closes; only filled when tracing is on. */
  private readonly spans = new WeakMap<WebSocket, Span>();

  /** What every connection shares; as before the split, a token's provider may still build a Request over the handshake. */
  private readonly connectionContext: ConnectionContext;

  constructor(
    private readonly settings: Settings,
    container: DependencyContainer,
    logger: AppLogger,
    private readonly tracing: Tracing | undefined = undefined,
  ) {
    this.connectionContext = { settings, container, requestFactory: requestOf };
    this.observer = levelEnabled(logger, 'info') ? { accepted: (ws) => this.logOpen(ws) } : undefined;
  }

  /** ws's server, made on the first upgrade: an app that serves only HTTP never loads ws. */
  get wss(): WebSocketServer {
    if (this.server !== undefined) return this.server;
    const { WebSocketServer, WebSocket: WsSocket } = require('ws') as typeof import('ws');
    const ws = this.settings.websocket;
    const server = new WebSocketServer({
      noServer: true,
      WebSocket: ownedWireClass(WsSocket),
      clientTracking: false,
      maxPayload: ws.maxPayload,
      perMessageDeflate: ws.compression,
      handleProtocols: (_offered, req) => choices.get(req)?.subprotocol ?? false,
    });
    server.on('headers', (headers, req) => {
      const choice = choices.get(req);
      if (choice === undefined) return;
      for (const [name, value] of Object.entries(choice.headers)) headers.push(`${name}: ${value}`);
    });
    server.on('error', (error) => this.settings.logError('WebSocket server error', error));
    return (this.server = server);
  }

  /** Connections open or handshaking now. */
  get size(): number {
    return this.live.size;
  }

  /** Admits one connection and runs its handler; the upgrader completes or refuses it. */
  open(endpoint: WebSocketEndpoint, scope: Scope, upgrader: Upgrader): void {
    const limits = this.settings.websocket;
    const capped = this.capsPerIp;
    const ip = capped ? (scope.client?.host ?? '') : '';
    const reason: RefusalReason | undefined = this.closing
      ? 'shutdown'
      : this.live.size >= limits.maxConnections
        ? 'cap'
        : capped && (this.perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp
          ? 'cap_per_ip'
          : undefined;
    if (reason !== undefined) {
      const request = { route: endpoint.template ?? scope.rawPath, path: scope.rawPath, read: (name: string) => scope.headers[name] };
      this.refuseBefore(upgrader, ADMISSION_REFUSALS[reason](), reason, request);
      return;
    }

    const served = this.servedRoute(endpoint);
    const ws = new WebSocket(scope, upgrader, served);
    const connection = new Connection(scope, this.connectionContext);
    connection.websocket = ws;
    if (this.observer) this.logged.set(ws, { connection, opened: -1 });
    this.live.add(ws);
    served.route.open++;
    if (capped) this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.startHeartbeat();
    if (this.tracing === undefined) {
      serveWebSocket(served, connection, ws);
    } else {
      const span = this.tracing.startWebSocket(endpoint.template ?? scope.rawPath, scope.rawPath, (name) => scope.headers[name]);
      this.spans.set(ws, span);
      serveWebSocket(served, connection, ws, { tracing: this.tracing, span });
    }
    // A handler with no onRequest hook to wait for has usually accepted (or refused) by now, in
    // this same turn: only a handshake still pending needs the timer.
    if (limits.handshakeTimeout > 0 && ws.connecting) ws.armHandshakeTimeout(limits.handshakeTimeout);
  }

  /** Whether connections are counted per address: only when capped, as reading the address costs memory on every socket. */
  private get capsPerIp(): boolean {
    return Number.isFinite(this.settings.websocket.maxConnectionsPerIp);
  }

  /** The context the sockets of `endpoint`'s route share, with the route's figures (by path template). */
  private servedRoute(endpoint: WebSocketEndpoint): ServedRoute {
    const known = this.served.get(endpoint);
    if (known !== undefined) return known;
    const template = endpoint.template ?? endpoint.label;
    let route = this.byRoute.get(template);
    if (route === undefined) this.byRoute.set(template, (route = { open: 0, messagesIn: 0, messagesOut: 0 }));
    const served: ServedRoute = {
      settings: this.settings.websocket,
      stats: this.stats,
      route,
      observer: this.observer,
      endpoint,
      onEnd: this.release,
    };
    this.served.set(endpoint, served);
    return served;
  }

  /**
   * Refuses a handshake that never became a connection (refused at admission, or by the upgrade
   * listener before routing): counted under `reason`, and traced as a `WS` span with its status.
   */
  refuseBefore(target: Refusable, answer: HttpAnswer, reason: RefusalReason, request: RefusedRequest): void {
    countRejected(this.stats, answer.status, reason);
    if (this.tracing) {
      this.tracing.endWebSocket(this.tracing.startWebSocket(request.route, request.path, request.read), undefined, answer.status);
    }
    refuseWithAnswer(target, answer);
  }

  /**
   * After the handler: wait for the socket to close, end the DI scope, forget the connection.
   * Usually the socket has closed already and there is nothing to dispose, and all of it is done
   * at once, with no promise.
   */
  private readonly release = (connection: Connection): void => {
    const ws = connection.websocket!;
    const ip = this.capsPerIp ? (connection.scope.client?.host ?? '') : '';
    if (!ws.finished) {
      void ws.done.then(() => this.endScope(connection, ip));
      return;
    }
    this.endScope(connection, ip);
  };

  private endScope(connection: Connection, ip: string): void {
    let disposed: unknown;
    try {
      disposed = connection.dispose();
    } catch (error) {
      this.cleanupFailed(connection, error);
    }
    if (!isThenable(disposed)) {
      this.forget(connection, ip);
      return;
    }
    Promise.resolve(disposed).then(
      () => this.forget(connection, ip),
      (error: unknown) => {
        this.cleanupFailed(connection, error);
        this.forget(connection, ip);
      },
    );
  }

  private cleanupFailed(connection: Connection, error: unknown): void {
    connection.logError(`WebSocket ${connection.websocket!.path}: cleanup failed`, error);
  }

  private forget(connection: Connection, ip: string): void {
    const ws = connection.websocket!;
    if (this.live.delete(ws)) ws.context.route.open--;
    const span = this.tracing === undefined ? undefined : this.spans.get(ws);
    if (span) this.tracing?.endWebSocket(span, ws.closeCode, ws.refusedWith);
    const opened = this.observer === undefined ? -1 : (this.logged.get(ws)?.opened ?? -1);
    if (opened !== -1) {
      const code = ws.closeCode ?? null;
      const ms = since(opened);
      connection.logger.info(
        { event: 'ws.close', path: ws.path, client: ws.clientIp ?? null, id: ws.id, code, ms },
        `WebSocket ${ws.path} closed${code === null ? '' : ` ${code}`} after ${ms} ms`,
      );
    }
    if (this.capsPerIp) {
      const count = (this.perIp.get(ip) ?? 1) - 1;
      if (count > 0) this.perIp.set(ip, count);
      else this.perIp.delete(ip);
    }
    if (this.live.size === 0) {
      this.stopHeartbeat();
      this.idle?.();
    }
  }

  private logOpen(ws: WebSocket): void {
    const entry = this.logged.get(ws);
    if (entry === undefined) return;
    entry.opened = performance.now();
    entry.connection.logger.info(
      { event: 'ws.open', path: ws.path, client: ws.clientIp ?? null, id: ws.id, subprotocol: ws.subprotocol ?? null },
      `WebSocket ${ws.path} opened`,
    );
  }

  /**
   * Stops admitting, closes every socket with `code` (1001 going away, 1012 restart), refuses
   * pending handshakes with 503, and resolves when every handler has finished.
   */
  async close(code: number = status.WS_1001_GOING_AWAY, reason = 'Server shutting down'): Promise<void> {
    this.closing = true;
    for (const ws of this.live) {
      if (ws.connecting) ws.refuseBecause('shutdown', refusal(status.HTTP_503_SERVICE_UNAVAILABLE, reason));
      else if (ws.connected) void ws.close(code, reason).catch(() => {});
    }
    if (this.live.size > 0) {
      const timeout = this.settings.websocket.closeTimeout;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        // A handler that ignores the close (or a hook that never returns) must not hold shutdown forever.
        timer = setTimeout(() => {
          this.settings.logError(
            `app.close(): ${this.live.size} WebSocket handler(s) still running after ${timeout} ms; terminating their sockets`,
            undefined,
          );
          for (const ws of this.live) ws.terminate();
          resolve();
        }, timeout);
      });
      clearTimeout(timer);
      this.idle = undefined;
    }
    this.stopHeartbeat();
    this.server?.close();
  }

  private startHeartbeat(): void {
    const interval = this.settings.websocket.heartbeatInterval;
    if (this.heartbeat || interval <= 0) return;
    this.heartbeat = setInterval(() => {
      for (const ws of this.live) {
        if (!ws.connected) continue;
        if (!ws.alive) {
          this.terminatedByHeartbeat++;
          ws.terminate();
          continue;
        }
        ws.alive = false;
        ws.ping();
      }
    }, interval);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
