import { closeFrame, httpAnswer, refusal } from '../errors/error-table';
import { HTTPException, WebSocketDisconnect, WebSocketException } from '../errors/exceptions';
import * as status from '../errors/status';
import { Response } from '../http/response';
import type { Connection } from '../inject/connection';
import type { CompiledHook } from '../inject/hook';
import { invoke } from '../inject/invoke';
import { isThenable } from '../inject/thenable';
import type { Endpoint } from '../routing/endpoint';
import { runExceptionHandler } from '../routing/exception-handler-plans';
import { disconnectRaiser } from './disconnect-raiser';
import { refuseWithAnswer } from './handshake';
import { answerMessage } from './message-answer';
import type { WebSocket } from './websocket';
import type { WebSocketContext } from './websocket-context';
import type { ConnectionTrace, WebSocketEndpoint } from './websocket-endpoint';
import { checkWebSocketAnswer, closeFrameFor, closeFrameOfAnswer, type WebSocketClose } from './websocket-error-answer';
import type { Waited } from './websocket-receive';

/**
 * A route's shared socket context as the gateway makes it, with what serving its connections
 * needs: each socket's `context` is one of these.
 */
export interface ServedRoute extends WebSocketContext<WebSocket> {
  readonly endpoint: WebSocketEndpoint;
  /** Called once per connection, when its handler and hooks are done. */
  readonly onEnd: (connection: Connection) => void;
}

/**
 * Serves one WebSocket connection on `ws` (whose `context` is `route`): `onRequest` hooks (the
 * handshake is still pending, so no message can be lost), the handler, `onResponse` hooks;
 * errors map onto an HTTP refusal before `accept()` and onto a close frame after, as the one
 * table says. Calls `route.onEnd` once all is done; never throws.
 *
 * While the handler runs, nothing of this function stays suspended: only the handler's own
 * promise and one reaction on it, whose two functions are shared ones bound to the connection
 * (no closure, no captured context), which keeps idle connections light.
 */
export function serveWebSocket(route: ServedRoute, connection: Connection, ws: WebSocket, trace?: ConnectionTrace): void {
  const proceed = prepare(route.endpoint, connection, ws);
  // Only a handshake that waits on an onRequest hook needs a closure to start its handler later.
  if (typeof proceed === 'boolean') start(route, connection, ws, trace, proceed);
  else proceed.then((go) => start(route, connection, ws, trace, go), handlerFailed.bind(connection));
}

/** Starts the handler once the `onRequest` hooks let it (`proceed`), or ends the connection. */
function start(route: ServedRoute, connection: Connection, ws: WebSocket, trace: ConnectionTrace | undefined, proceed: boolean): void {
  if (!proceed) {
    route.onEnd(connection);
    return;
  }
  const endpoint = route.endpoint;
  ws.refusedBy = 'handler';
  let running: unknown;
  try {
    if (endpoint.perMessage) {
      // Throws when a hook left a receive waiting on the socket: that connection fails, as a handler would.
      ws.deliverTo(trace ? receivedTraced.bind(connection, trace) : received.bind(connection));
      return;
    }
    running = invoke(endpoint.handler, connection);
  } catch (error) {
    handlerFailed.call(connection, error);
    return;
  }
  Promise.resolve(running).then(handlerReturned.bind(connection), handlerFailed.bind(connection));
}

/** The socket a WebSocket connection serves, and its route as the gateway made it. */
function servedOn(connection: Connection): { ws: WebSocket; route: ServedRoute } {
  const ws = connection.websocket!;
  // The gateway gives every socket it serves a ServedRoute as its context (WebSocketGateway.open).
  return { ws, route: ws.context as ServedRoute };
}

function handlerReturned(this: Connection): void {
  const { ws, route } = servedOn(this);
  // The usual end of a handler that read until the peer left: nothing to refuse, close or await.
  if (ws.closed && !anyEntered(route.endpoint.hooks, 'onResponse', this)) {
    route.onEnd(this);
    return;
  }
  void conclude(route.endpoint, this, ws).then(() => route.onEnd(this));
}

/** Whether a hook reached in the `onRequest` order has `method`: what `runReverse` would run. */
function anyEntered(hooks: readonly CompiledHook[], method: 'onResponse' | 'onError', connection: Connection): boolean {
  for (let i = connection.hooksEntered - 1; i >= 0; i--) if (hooks[i][method]) return true;
  return false;
}

/** Any failure, of the hooks or the handler: its answer or close frame, then the end. */
function handlerFailed(this: Connection, error: unknown): void {
  const { ws, route } = servedOn(this);
  void settle(route.endpoint, this, ws, error).then(() => route.onEnd(this));
}

/**
 * Runs the `onRequest` hooks; false when the connection ends here (refused, or closed meanwhile).
 * With no `onRequest` hook to wait for, it answers at once: the handler then starts in the same
 * turn as the upgrade request, as a plain `ws` server's 'connection' listener does, so the 101
 * goes out without a detour through the microtask queue.
 */
function prepare(endpoint: WebSocketEndpoint, connection: Connection, ws: WebSocket): boolean | Promise<boolean> {
  const hooks = endpoint.hooks;
  let next = 0;
  while (next < hooks.length && !hooks[next].onRequest) {
    connection.hooksEntered++;
    next++;
  }
  if (next < hooks.length || endpoint.perMessage) return runOnRequest(endpoint, connection, ws, next);
  return !ws.closed;
}

/** `prepare` from hook `from` on, waiting for each `onRequest`. */
async function runOnRequest(endpoint: WebSocketEndpoint, connection: Connection, ws: WebSocket, from: number): Promise<boolean> {
  const hooks = endpoint.hooks;
  for (let i = from; i < hooks.length; i++) {
    const hook = hooks[i];
    connection.hooksEntered++;
    if (!hook.onRequest) continue;
    const result = await invoke(hook.onRequest, connection);
    if (result instanceof Response) {
      await answerWith(ws, result);
      return false;
    }
  }
  // A hook may have taken long enough for the handshake to time out, or the app to shut down.
  if (ws.closed) return false;
  if (endpoint.perMessage && ws.connecting) await ws.accept();
  return true;
}

/** After the handler returned: refuse if it never accepted, `onResponse`, then close with 1000. */
async function conclude(endpoint: WebSocketEndpoint, connection: Connection, ws: WebSocket): Promise<void> {
  try {
    if (ws.connecting) {
      // The handler neither accepted nor refused: the connection was not wanted.
      ws.refuseBecause('not_accepted', refusal(status.HTTP_403_FORBIDDEN, 'WebSocket connection not accepted'));
    }
    // onResponse runs before the automatic close, so it may still send on a socket the handler left open (API Star).
    await runReverse(endpoint.hooks, 'onResponse', connection);
    if (ws.connected) await ws.close(status.WS_1000_NORMAL_CLOSURE);
  } catch (error) {
    await settle(endpoint, connection, ws, error);
  }
}

/** What a thrown error means: this connection's peer leaving is a normal end, anything else is a failure. */
async function settle(endpoint: WebSocketEndpoint, connection: Connection, ws: WebSocket, error: unknown): Promise<void> {
  if (error instanceof WebSocketDisconnect && isOwnDisconnect(ws, error)) {
    // The peer left (or the server closed the socket) while the handler waited on it: the normal end of many handlers.
    await runReverse(endpoint.hooks, 'onResponse', connection).catch((failure: unknown) => report(connection, endpoint, failure));
    return;
  }
  await fail(endpoint, connection, ws, error).catch((failure: unknown) => report(connection, endpoint, failure));
}

/**
 * True when `error` tells that this connection's socket closed. One raised by another
 * connection's socket (a handler awaiting Bob's receive when Bob left) is a failure of this
 * handler, as is one made by user code while this socket is still open: taken for a normal end,
 * either would leave this socket open with no handler, holding its connection slots.
 */
function isOwnDisconnect(ws: WebSocket, error: WebSocketDisconnect): boolean {
  const raiser = disconnectRaiser(error);
  return raiser === undefined ? ws.closed : raiser === ws;
}

/** A message handler's receiver (`WebSocket.deliverTo`), bound to its connection. */
function received(this: Connection, message: Waited): void {
  handleMessage(this, message, undefined);
}

function receivedTraced(this: Connection, trace: ConnectionTrace, message: Waited): void {
  handleMessage(this, message, trace);
}

/**
 * One message for a message handler, or the end once the peer has gone. A synchronous handler
 * is run and answered in the read's own turn; while one returns a promise, later messages wait
 * their turn in the socket's queue. A failure ends the connection as a failing handler does,
 * and the socket hands nothing on from then.
 */
function handleMessage(connection: Connection, message: Waited, trace: ConnectionTrace | undefined): void {
  if (message.done) {
    handlerReturned.call(connection);
    return;
  }
  const { ws, route } = servedOn(connection);
  const text = typeof message.data === 'string' ? message.data : message.data.toString('utf8');
  let handled: unknown;
  try {
    handled = answerMessage(route.endpoint, connection, ws, text, trace);
  } catch (error) {
    ws.holdMessages();
    handlerFailed.call(connection, error);
    return;
  }
  if (isThenable(handled)) {
    ws.holdMessages();
    Promise.resolve(handled).then(releaseMessages.bind(ws), stopMessages.bind(connection));
  }
}

function releaseMessages(this: WebSocket): void {
  this.releaseMessages();
}

/** A message's failure: the socket stays held, so the handler gets nothing more. */
function stopMessages(this: Connection, error: unknown): void {
  handlerFailed.call(this, error);
}

async function fail(endpoint: WebSocketEndpoint, connection: Connection, ws: WebSocket, error: unknown): Promise<void> {
  connection.error = error;
  const settings = connection.settings;
  const handlers = endpoint.exceptionHandlers;
  if (ws.connecting && !(error instanceof WebSocketException)) {
    const outcome = await runExceptionHandler(handlers, connection, error, endpoint.label, checkWebSocketAnswer);
    if (outcome.kind === 'answered' && outcome.value instanceof Response) {
      refuseWith(ws, outcome.value);
    } else if (outcome.kind === 'answered') {
      const frame = closeFrameOfAnswer(outcome.value as WebSocketClose);
      await closeQuietly(ws, frame.code, frame.reason);
    } else if (outcome.kind === 'failed') {
      refuseWithAnswer(ws, httpAnswer(undefined, false));
    } else {
      // Bad handshake input (a query or path parameter) gets the same 400 an HTTP route gives.
      const answer = httpAnswer(error, settings.debug);
      if (answer.unexpected) report(connection, endpoint, error);
      refuseWithAnswer(ws, answer);
    }
  } else if (ws.connected || ws.connecting) {
    // A WebSocketException before accept accepts first, so a browser sees the close code instead of a bare handshake failure.
    const frame = await closeFrameFor(handlers, connection, error, endpoint.label);
    if (frame.unexpected) report(connection, endpoint, error);
    await closeQuietly(ws, frame.code, frame.reason);
  } else if (closeFrame(error, false).unexpected && !handlers?.match(error)) {
    // Closed already (the peer left, or a consumer closed with its handler's answer): nothing to send.
    report(connection, endpoint, error);
  }
  await runReverse(endpoint.hooks, 'onError', connection).catch((failure: unknown) => report(connection, endpoint, failure));
}

async function closeQuietly(ws: WebSocket, code: number, reason: string): Promise<void> {
  try {
    await ws.close(code, reason);
  } catch {
    // The handshake could not complete (the client left): nothing is left to tell it.
  }
}

/** Runs `method` of the hooks that were reached in the `onRequest` order, last first. */
async function runReverse(hooks: readonly CompiledHook[], method: 'onResponse' | 'onError', connection: Connection): Promise<void> {
  for (let i = connection.hooksEntered - 1; i >= 0; i--) {
    const bound = hooks[i][method];
    if (bound) await invoke(bound, connection);
  }
}

/**
 * A `Response` from an `onRequest` hook: the HTTP refusal before `accept()`; after it (the hook
 * accepted), the close code its status maps to by the one table, so the socket is not left open.
 */
async function answerWith(ws: WebSocket, response: Response): Promise<void> {
  if (ws.connecting) {
    refuseWith(ws, response);
  } else if (ws.connected) {
    const frame =
      response.status < 400 ? { code: status.WS_1000_NORMAL_CLOSURE, reason: '' } : closeFrame(new HTTPException(response.status), false);
    await closeQuietly(ws, frame.code, frame.reason);
  }
}

function refuseWith(ws: WebSocket, response: Response): void {
  const body = typeof response.body === 'string' ? response.body : '';
  ws.refuse(response.status, body, response.headers);
}

function report(connection: Connection, endpoint: Endpoint, error: unknown): void {
  connection.logError(`Unhandled error in ${endpoint.label}${strayNote(connection, error)}`, error);
}

/** Names where a stray `WebSocketDisconnect` came from, which the bare error does not say. */
function strayNote(connection: Connection, error: unknown): string {
  const ws = connection.websocket;
  if (!(error instanceof WebSocketDisconnect) || !ws || isOwnDisconnect(ws, error)) return '';
  const raiser = disconnectRaiser(error);
  const from = raiser ? `another connection's socket (${raiser.path}, id ${raiser.id})` : 'user code while this socket was open';
  return `: a WebSocketDisconnect from ${from} is not this connection's peer leaving`;
}
