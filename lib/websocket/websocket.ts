import type { Socket } from 'node:net';
import { assertCloseCode, assertCloseReason } from '../errors/close-codes';
import { type HttpAnswer, refusal } from '../errors/error-table';
import { WebSocketDisconnect } from '../errors/exceptions';
import { assertHeaders, assertStatus } from '../errors/http-fields';
import * as status from '../errors/status';
import type { Scope } from '../http/scope';
import { isThenable } from '../inject/thenable';
import { markRaiser } from './disconnect-raiser';
import { answerBody } from './handshake';
import { RateLimit } from './rate-limit';
import { flushNow } from './turn-cork';
import type { WebSocketContext } from './websocket-context';
import { FLAG, type WebSocketState } from './websocket-receive';
import { StatefulWebSocket } from './websocket-state';
import { countRejected, type RefusalReason } from './websocket-stats';
import { listenTo } from './wire-listeners';
import { netSocketOf, type Upgrader, type WireSocket } from './wire-socket';

export type { WebSocketMessage, WebSocketState } from './websocket-receive';

const RESOLVED: Promise<void> = Promise.resolve();
/** accept()'s default: no extra headers, nothing to check, one object for every connection. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The handshake timers of sockets still handshaking: kept beside them, so an open socket has no field for one. */
const handshakeTimers = new WeakMap<object, NodeJS.Timeout>();

let nextId = 0;

declare module '../inject/connection' {
  /** A connection's socket is a `WebSocket`. */
  interface ConnectionWebSocket extends WebSocket {}
}

/**
 * One WebSocket connection, as a handler or hook injects it. States go
 * `connecting → connected → closed`; the handler accepts, receives and sends, and when it
 * returns an open socket is closed with 1000.
 *
 * Messages that arrive before the handler reads them are queued; past
 * `settings.websocket.receiveQueue` the socket is paused, so a slow handler slows the peer
 * instead of growing memory.
 *
 * Sends never reject: they resolve to `false` when nothing was sent (the peer left, the socket
 * closed, the send-buffer policy dropped the message), so a send nobody awaits cannot become an
 * unhandled rejection. Mistakes in the calling code (a send or receive before `accept()`, a
 * close code that may not be sent) throw at once, where the call was written.
 *
 * @example
 * new WebSocketRoute('/echo', inject([WebSocket], async (ws) => {
 *   await ws.accept();
 *   for await (const message of ws) await ws.send(message);
 * }));
 */
export class WebSocket extends StatefulWebSocket {
  readonly scope: Scope;
  /** The subprotocol a hook negotiated; `accept()` without an argument uses it. */
  subprotocol: string | undefined = undefined;

  protected override currentState: WebSocketState = 'connecting';
  protected override wire: WireSocket | undefined = undefined;
  /**
   * The handshake while it is pending: the upgrader until `accept()` or a refusal (held no
   * longer, so the request can be collected), then the promise of its completion until the
   * socket is attached. The two never coexist, so they share a field.
   */
  private pending: Upgrader | Promise<void> | undefined;
  /** The number the id is written from: a string made only when the id is read. */
  private readonly serial: number;

  constructor(
    scope: Scope,
    upgrader: Upgrader,
    /** @internal What the sockets of the route share: settings, figures, the log of connections. */
    override readonly context: WebSocketContext<WebSocket>,
  ) {
    super();
    this.serial = ++nextId;
    this.scope = scope;
    this.pending = upgrader;
    const rate = context.settings.messageRate;
    this.rate = rate ? new RateLimit(rate.messages, rate.per) : undefined;
  }

  /** The handshake in progress, from `accept()` until the socket is attached (or failed). */
  protected override get opening(): Promise<void> | undefined {
    return this.pending instanceof Promise ? this.pending : undefined;
  }

  /** The connection's id, unique in the process (it is bound as `connId` to log lines). */
  get id(): string {
    return this.serial.toString(36);
  }

  /** @internal Refuses the handshake with 408 unless it completes within `ms`. */
  armHandshakeTimeout(ms: number): void {
    handshakeTimers.set(
      this,
      setTimeout(() => {
        handshakeTimers.delete(this);
        this.refuseBecause('handshake_timeout', refusal(status.HTTP_408_REQUEST_TIMEOUT, 'WebSocket handshake timed out'));
      }, ms),
    );
  }

  override get path(): string {
    return this.scope.path;
  }
  get clientIp(): string | undefined {
    return this.scope.client?.host;
  }
  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    return this.scope.headers;
  }
  /** Subprotocols the client offered, in its order of preference. */
  get subprotocols(): readonly string[] {
    return this.scope.subprotocols;
  }
  /** @internal The TCP socket underneath, on real connections. */
  get netSocket(): Socket | undefined {
    return netSocketOf(this.wire);
  }
  /** Bytes queued for sending and not yet written to the network. */
  get bufferedAmount(): number {
    return this.wire?.bufferedAmount ?? 0;
  }

  /**
   * Completes the handshake, optionally choosing one of the offered subprotocols and adding
   * response headers. Accepting twice, a subprotocol the client did not offer, or a header that
   * would corrupt the 101 response throw at once. Resolves once the handshake is complete, or
   * once the client left during it: the socket is then closed (1006), sends resolve false and a
   * receive throws `WebSocketDisconnect`, as after any peer leaving.
   *
   * @example
   * await ws.accept('chat.v1', { 'x-room': 'lobby' });
   */
  accept(subprotocol: string | undefined = this.subprotocol, headers: Readonly<Record<string, string>> = NO_HEADERS): Promise<void> {
    if (this.currentState !== 'connecting') {
      throw new Error(`WebSocket ${this.path}: accept() called on a ${this.currentState} connection`);
    }
    if (subprotocol !== undefined && !this.subprotocols.includes(subprotocol)) {
      throw new TypeError(
        `WebSocket ${this.path}: subprotocol ${JSON.stringify(subprotocol)} was not offered (offered: ${this.subprotocols.join(', ') || 'none'})`,
      );
    }
    // A CR or LF in a header would let its value write headers of its own into the 101 response.
    if (headers !== NO_HEADERS) assertHeaders(headers, `WebSocket ${this.path}: accept()`);
    this.subprotocol = subprotocol;
    // Marked connected before the upgrade resolves so a second accept() fails at once.
    this.currentState = 'connected';
    const upgrader = this.endHandshake();
    let completing: WireSocket | Promise<WireSocket>;
    try {
      completing = upgrader.complete(subprotocol, headers);
    } catch {
      this.leftDuringHandshake();
      return RESOLVED;
    }
    if (isThenable<WireSocket>(completing)) {
      const opening = this.open(completing);
      // open() waits on the completion first: its finally, which clears this, runs after.
      this.pending = opening;
      return opening;
    }
    // ws upgraded at once (the usual case): the socket is open before accept() returns.
    this.opened(completing);
    return RESOLVED;
  }

  private async open(completing: Promise<WireSocket>): Promise<void> {
    let wire: WireSocket;
    try {
      wire = await completing;
    } catch {
      this.leftDuringHandshake();
      return;
    } finally {
      this.pending = undefined;
    }
    this.opened(wire);
  }

  private opened(wire: WireSocket): void {
    this.attach(wire);
    this.scope.detach();
  }

  /**
   * The client left before the 101 went out: an ordinary end, as leaving later is, so neither
   * an accept() nobody awaits nor a handler that awaits it fails over it.
   */
  private leftDuringHandshake(): void {
    this.finish(status.WS_1006_ABNORMAL_CLOSURE, '');
  }

  /** Stops the handshake timer and lets go of the upgrader (and with it the request). */
  private endHandshake(): Upgrader {
    const timer = handshakeTimers.get(this);
    if (timer !== undefined) {
      clearTimeout(timer);
      handshakeTimers.delete(this);
    }
    const upgrader = this.pending as Upgrader;
    this.pending = undefined;
    return upgrader;
  }

  /** API Star's name for `accept`. */
  connect(subprotocol?: string, headers?: Readonly<Record<string, string>>): Promise<void> {
    return this.accept(subprotocol, headers);
  }

  /** Refuses the handshake with an HTTP response. Only before `accept()`. */
  refuse(statusCode: number, body: string, headers: Readonly<Record<string, string | string[]>> = {}): void {
    this.refuseAs(this.refusedBy, statusCode, body, headers);
  }

  /** @internal Refuses with an answer of the one table, counted under `reason`. */
  refuseBecause(reason: RefusalReason, answer: HttpAnswer): void {
    this.refuseAs(reason, answer.status, answerBody(answer), answer.headers);
  }

  private refuseAs(reason: RefusalReason, statusCode: number, body: string, headers: Readonly<Record<string, string | string[]>>): void {
    // Like accept(): a bad status or a CR/LF in a header is the caller's mistake, thrown here.
    assertStatus(statusCode, `WebSocket ${this.path}: refuse()`);
    assertHeaders(headers, `WebSocket ${this.path}: refuse()`);
    if (this.currentState !== 'connecting') return;
    countRejected(this.context.stats, statusCode, reason);
    this.refusedWith = statusCode;
    this.endHandshake().refuse(statusCode, body, headers);
    this.currentState = 'closed';
    this.closeCode = status.WS_1006_ABNORMAL_CLOSURE;
    this.finish(status.WS_1006_ABNORMAL_CLOSURE, '');
  }

  /**
   * Closes the connection; later calls do nothing. Before `accept()` the handshake is completed
   * first so the client sees the code. Codes 1004–1006, 1015 and those outside 1000–4999, and
   * reasons over 123 UTF-8 bytes, throw a `TypeError` at once, so the mistake surfaces in the
   * calling code even when the returned promise is not awaited.
   *
   * @example
   * await ws.close(status.WS_1008_POLICY_VIOLATION, 'Not in this room');
   */
  override close(code: number = status.WS_1000_NORMAL_CLOSURE, reason = ''): Promise<void> {
    assertCloseCode(code);
    assertCloseReason(reason);
    return this.closeWith(code, reason);
  }

  private async closeWith(code: number, reason: string): Promise<void> {
    if (this.currentState === 'connecting') {
      // Clients that offered subprotocols fail a handshake that picks none, and would never
      // see the code: answer with one of theirs, then close.
      await this.accept(this.subprotocol ?? this.subprotocols[0]);
    } else if (!this.wire && this.opening) {
      // accept() is still completing the handshake: close once it has, or not at all if the client left.
      await this.opening;
    }
    if (this.currentState === 'closed' || !this.wire) return;
    this.currentState = 'closed';
    this.closeCode = code;
    this.closeReason = reason;
    this.failWaiter();
    this.wire.close(code, reason);
    // A paused socket would never read the peer's close frame: the handshake could not finish.
    if (this.flags & FLAG.paused) {
      this.flags &= ~FLAG.paused;
      this.wire.resume();
    }
  }

  /**
   * Drops the connection without a close handshake (a dead peer): sends resolve false from now
   * on, and the handler's receive ends it as a disconnect (1006).
   */
  terminate(): void {
    // Sends made earlier in this turn are still corked; they were on their way before the drop.
    flushNow(netSocketOf(this.wire));
    this.wire?.terminate();
  }

  /** What a receive on a closed socket throws, marked as this socket's. */
  protected override disconnect(): WebSocketDisconnect {
    return markRaiser(new WebSocketDisconnect(this.closeCode ?? status.WS_1006_ABNORMAL_CLOSURE, this.closeReason ?? ''), this);
  }

  private attach(wire: WireSocket): void {
    this.wire = wire;
    const { stats, observer } = this.context;
    stats.accepted++;
    stats.open++;
    observer?.accepted(this);
    listenTo(wire, this);
  }

  /** @internal */
  onClose(code: number, reason: Buffer): void {
    const sentCode = this.sentCode;
    if (code === status.WS_1006_ABNORMAL_CLOSURE && sentCode !== undefined) code = sentCode;
    if (this.currentState !== 'closed') {
      this.currentState = 'closed';
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      // Messages that arrived before the close frame stay readable; receive() throws once they are read.
      this.failWaiter();
    }
    this.finish(code, this.closeReason ?? '');
  }
}
