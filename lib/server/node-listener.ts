import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type AppLogger, Logger, levelEnabled, since } from '../config/logger';
import type { Settings } from '../config/settings';
import { type HttpAnswer, refusal } from '../errors/error-table';
import * as status from '../errors/status';
import type { IncomingSource } from '../http/address';
import type { Response } from '../http/response';
import { writeResponse } from '../http/response-writer';
import type { TrustedProxies } from '../http/trusted-proxies';
import { isThenable, type MaybePromise } from '../inject/thenable';
import { decodePath, MALFORMED_PATH } from '../routing/path-decoding';
import type { Match } from '../routing/router';
import { handshakeProblem, ignoreSocketError, NodeUpgrader, type Refusable, refuseSocket } from '../websocket/handshake';
import type { WebSocketGateway } from '../websocket/websocket-gateway';
import type { RefusalReason } from '../websocket/websocket-stats';
import type { Upgrader } from '../websocket/wire-socket';
import { NodeSource } from './node-source';
import { StringPool } from './string-pool';

/** The URLs of WebSocket handshakes, shared by the connections that asked for the same one. */
const upgradeUrls = new StringPool(1024);
/** Longer URLs are likely to carry something unique (a token); they are not pooled. */
const MAX_POOLED_URL = 256;

/** A WebSocket route found for a path, as the app's router gives it. */
export type RoutedWebSocket = Extract<Match<unknown>, { readonly found: true }>;

/** What the `node:http` glue needs of an app. */
export interface NodeHost {
  readonly settings: Settings;
  readonly logger: AppLogger;
  dispatch(source: IncomingSource): { response: MaybePromise<Response>; finish: () => MaybePromise<void>; requestId: string };
  webSocketRoute(path: string): RoutedWebSocket | undefined;
  openWebSocket(source: IncomingSource, upgrader: Upgrader, routed?: RoutedWebSocket): boolean;
}

/**
 * Node's `request` listener for an app: each request becomes an `IncomingSource`, is dispatched,
 * and its response written; request-scoped components are disposed once it is out.
 */
export function requestListener(host: NodeHost, proxies: TrustedProxies | undefined): (req: IncomingMessage, res: ServerResponse) => void {
  const failed = (source: IncomingSource, res: ServerResponse, error: unknown, reqId: string): void => {
    host.settings.logError(`Failed to send the response to ${source.method} ${source.url}`, error, {
      logger: host.logger.child({ reqId }),
    });
    res.destroy();
  };

  const sendLater = async (
    source: IncomingSource,
    res: ServerResponse,
    response: Promise<Response> | undefined,
    head: boolean,
    finish: () => MaybePromise<void>,
    requestId: string,
    writing?: Promise<void>,
  ): Promise<void> => {
    try {
      await (writing ?? writeResponse(res, await response!, head, requestId));
    } catch (error) {
      failed(source, res, error, requestId);
    } finally {
      await finish();
    }
  };

  const access = accessLogger(host.settings, host.logger);
  return (req, res) => {
    const source = new NodeSource(req, proxies);
    const start = access ? performance.now() : -1;
    const { response, finish, requestId } = host.dispatch(source);
    if (access) logRequest(access, source, res, start, requestId);
    const head = source.method === 'HEAD';
    if (isThenable(response)) {
      void sendLater(source, res, response, head, finish, requestId);
      return;
    }
    // The common case: a synchronous pipeline and a body in memory, written with no promise.
    let written: void | Promise<void> | undefined;
    try {
      written = writeResponse(res, response, head, requestId);
    } catch (error) {
      failed(source, res, error, requestId);
    }
    if (written === undefined) void finish();
    else void sendLater(source, res, undefined, head, finish, requestId, written);
  };
}

/**
 * Node's `upgrade` listener for an app on `server`: routed WebSocket paths are checked and handed
 * to the gateway; others are left to the server's other `upgrade` listeners, or get 404 when
 * there are none.
 */
export function upgradeListener(
  host: NodeHost,
  gateway: WebSocketGateway,
  server: Server,
  proxies: TrustedProxies | undefined,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    // An open WebSocket keeps its URL (as the scope's path) for its lifetime: one copy per URL.
    if (req.url !== undefined && req.url.length <= MAX_POOLED_URL) req.url = upgradeUrls.share(req.url);
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    if (decodePath(path) === undefined) {
      socket.on('error', ignoreSocketError);
      // Malformed for every listener alike; the app's answer is the one a lone server gives.
      if (server.listenerCount('upgrade') === 1) {
        refuseUpgrade(gateway, req, socket, path, refusal(status.HTTP_400_BAD_REQUEST, MALFORMED_PATH), 'bad_request');
      }
      return;
    }
    const routed = host.webSocketRoute(path);
    if (routed === undefined) {
      socket.on('error', ignoreSocketError);
      // Another listener (the server's owner) may serve this path.
      if (server.listenerCount('upgrade') === 1) {
        refuseUpgrade(gateway, req, socket, path, refusal(status.HTTP_404_NOT_FOUND, 'Not Found'), 'not_found');
      }
      return;
    }
    const problem = handshakeProblem(req);
    if (problem) {
      socket.on('error', ignoreSocketError);
      refuseUpgrade(gateway, req, socket, path, refusal(problem.status, problem.detail, problem.headers), 'bad_request');
      return;
    }
    const upgrader = new NodeUpgrader(gateway.wss, req, socket, head);
    host.openWebSocket(new NodeSource(req, proxies), upgrader, routed);
    upgrader.guardUntilUpgraded();
  };
}

/**
 * Refuses an upgrade before routing; counted (and traced) like the gateway's refusals, so
 * `rejected` is always the sum of `rejectedByStatus`. A function of its own rather than a
 * closure, so that the handshakes that are not refused allocate nothing for it.
 */
function refuseUpgrade(
  gateway: WebSocketGateway,
  req: IncomingMessage,
  socket: Duplex,
  path: string,
  answer: HttpAnswer,
  reason: RefusalReason,
): void {
  gateway.refuseBefore(socketRefuser(socket), answer, reason, { path, read: (name) => req.headers[name] });
}

function socketRefuser(socket: Duplex): Refusable {
  return { refuse: (statusCode, body, headers) => refuseSocket(socket, statusCode, body, headers) };
}

/**
 * Where request lines go: the app's logger at `'info'`, unless `settings.accessLog` says
 * otherwise (true: a logger of the same format that writes them at any level; false: none).
 */
function accessLogger(settings: Settings, logger: AppLogger): AppLogger | undefined {
  if (settings.accessLog === false) return undefined;
  if (levelEnabled(logger, 'info')) return logger;
  return settings.accessLog ? new Logger({ level: 'info', write: settings.logWrite, format: settings.logFormat }) : undefined;
}

/** One line per request once its response is out (or the connection dropped): no payloads. */
function logRequest(logger: AppLogger, source: NodeSource, res: ServerResponse, start: number, reqId: string): void {
  res.once('close', () => {
    const mark = source.url.indexOf('?');
    const path = mark === -1 ? source.url : source.url.slice(0, mark);
    const ms = since(start);
    const completed = res.writableFinished;
    logger.info(
      { reqId, event: 'http', method: source.method, path, status: res.statusCode, ms, client: source.client?.host ?? null, completed },
      `${source.method} ${path} ${res.statusCode} ${ms} ms${completed ? '' : ' (connection closed before the response was out)'}`,
    );
  });
}
