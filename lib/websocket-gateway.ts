import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DependencyContainer } from 'tsyringe';
import { WebSocketServer } from 'ws';
import type { Scope } from '../components/scope';
import { WebSocket } from '../components/web-socket';
import type { IncomingSource } from './address';
import { Connection } from './connection';
import { choices, nodeUpgrader } from './handshake';
import type { Settings } from './settings';
import * as status from './status';
import type { Upgrader } from './wire-socket';
import { serveWebSocket, type WebSocketEndpoint } from './websocket-pipeline';
import { emptyStats, type WebSocketStats } from './websocket-stats';

/**
 * Every WebSocket connection of one app: admission (connection caps, shutdown), the handshake
 * timeout, the heartbeat, statistics, and shutdown that closes each socket and waits for its
 * handler.
 */
export class WebSocketGateway {
  readonly stats: WebSocketStats = emptyStats();
  readonly wss: WebSocketServer;
  private readonly live = new Set<WebSocket>();
  private readonly handlers = new Set<Promise<void>>();
  private readonly perIp = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined = undefined;
  private closing = false;

  constructor(private readonly settings: Settings, private readonly container: DependencyContainer) {
    const ws = settings.websocket;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: ws.maxPayload,
      perMessageDeflate: ws.compression,
      handleProtocols: (_offered, req) => choices.get(req)?.subprotocol ?? false,
    });
    this.wss.on('headers', (headers, req) => {
      for (const [name, value] of Object.entries(choices.get(req)?.headers ?? {})) headers.push(`${name}: ${value}`);
    });
    this.wss.on('error', (error) => settings.logError('WebSocket server error', error));
  }

  /** Connections open or handshaking now. */
  get size(): number {
    return this.live.size;
  }

  /** Upgrades a Node request for a routed WebSocket path. */
  upgradeNode(endpoint: WebSocketEndpoint, scope: Scope, source: IncomingSource, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.open(endpoint, scope, source, nodeUpgrader(this.wss, req, socket, head));
  }

  /** Admits one connection and runs its handler; the upgrader completes or refuses it. */
  open(endpoint: WebSocketEndpoint, scope: Scope, source: IncomingSource, upgrader: Upgrader): void {
    const limits = this.settings.websocket;
    const ip = scope.client?.host ?? '';
    const refusal = this.closing ? [status.HTTP_503_SERVICE_UNAVAILABLE, 'Server is shutting down'] as const
      : this.live.size >= limits.maxConnections ? [status.HTTP_503_SERVICE_UNAVAILABLE, 'Too many connections'] as const
        : (this.perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp ? [status.HTTP_429_TOO_MANY_REQUESTS, 'Too many connections from this address'] as const
          : undefined;
    if (refusal) {
      this.stats.rejected++;
      upgrader.refuse(refusal[0], JSON.stringify({ detail: refusal[1] }), {});
      return;
    }

    let timer: NodeJS.Timeout | undefined;
    const timed: Upgrader = {
      complete: (subprotocol, headers) => {
        clearTimeout(timer);
        return upgrader.complete(subprotocol, headers);
      },
      refuse: (statusCode, body, headers) => {
        clearTimeout(timer);
        upgrader.refuse(statusCode, body, headers);
      },
    };
    const ws = new WebSocket(scope, timed, limits, this.stats);
    const connection = new Connection(scope, source, this.settings, this.container);
    connection.websocket = ws;
    if (limits.handshakeTimeout > 0) {
      timer = setTimeout(() => ws.refuse(status.HTTP_408_REQUEST_TIMEOUT, JSON.stringify({ detail: 'WebSocket handshake timed out' })), limits.handshakeTimeout);
    }
    this.live.add(ws);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.startHeartbeat();

    const handler = serveWebSocket(endpoint, connection, ws)
      .then(() => ws.done)
      .then(() => connection.dispose())
      .catch((error: unknown) => this.settings.logError(`WebSocket ${scope.path}: cleanup failed`, error))
      .finally(() => {
        clearTimeout(timer);
        this.live.delete(ws);
        const count = (this.perIp.get(ip) ?? 1) - 1;
        if (count > 0) this.perIp.set(ip, count);
        else this.perIp.delete(ip);
        this.handlers.delete(handler);
        if (this.live.size === 0) this.stopHeartbeat();
      });
    this.handlers.add(handler);
  }

  /**
   * Stops admitting, closes every socket with `code` (1001 going away, 1012 restart), refuses
   * pending handshakes with 503, and resolves when every handler has finished.
   */
  async close(code: number = status.WS_1001_GOING_AWAY, reason = 'Server shutting down'): Promise<void> {
    this.closing = true;
    for (const ws of this.live) {
      if (ws.connecting) ws.refuse(status.HTTP_503_SERVICE_UNAVAILABLE, JSON.stringify({ detail: reason }));
      else if (ws.connected) void ws.close(code, reason).catch(() => {});
    }
    await Promise.all([...this.handlers]);
    this.stopHeartbeat();
    this.wss.close();
  }

  private startHeartbeat(): void {
    const interval = this.settings.websocket.heartbeatInterval;
    if (this.heartbeat || interval <= 0) return;
    this.heartbeat = setInterval(() => {
      for (const ws of this.live) {
        if (!ws.connected) continue;
        if (!ws.alive) {
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
