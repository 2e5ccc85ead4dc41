import { validateClose } from './close-args.mjs';
import { ConnectionClosedError } from './errors.mjs';
import { Heartbeat } from './heartbeat.mjs';
import { parseIncoming } from './incoming.mjs';
import { Listeners } from './listeners.mjs';
import {
  type ClientEvents,
  type ClientOptions,
  type ClientState,
  DEFAULT_FATAL_CODES,
  isServerMessage,
  type RequestOptions,
  type ServerMessage,
} from './options.mjs';
import { Outbox } from './outbox.mjs';
import { type PendingRequest, PendingRequests } from './pending-requests.mjs';
import { Reconnection } from './reconnection.mjs';
import { Resume, streamOf } from './resume.mjs';
import { OPEN, socketFactory, type WebSocketLike } from './websocket-like.mjs';
import type { ReceivedFrom, RepliesFrom, RequestTo, SentTo } from './websocket-route-types.mjs';

const PING = JSON.stringify({ type: 'ping' });

/**
 * A WebSocket that stays connected: JSON in and out, request/reply by `requestId`/`replyTo`,
 * heartbeats, reconnection with jittered backoff, and resumption of rooms from the last
 * history id seen, after a reconnect or a gap in a room's offsets. Made by `connect()`; see
 * docs/client.md for the wire conventions.
 *
 * `Of` types the messages: a message type (what listeners receive; `send` takes anything), or a
 * server route's type, `StarwireClient<typeof chatRoute>`: then `send` and `request` take the
 * route's `Message(schema)` type (or its consumer's `receiveJson` parameter) and listeners
 * receive the union of its `sends` schemas.
 *
 * @example
 * const client = connect('ws://127.0.0.1:8000/ws?name=ann');
 * client.on('message', (message) => console.log(message));
 * const history = await client.request({ type: 'join', room: 'lobby' });
 * client.send({ type: 'say', room: 'lobby', text: 'hi' });
 *
 * @example
 * import type { echoJsonRoute } from './server/routes';
 * const echo = connect<typeof echoJsonRoute>('ws://127.0.0.1:8000/echo/json');
 * echo.send({ text: 'hi' });                       // { text: 1 } does not compile
 * echo.on('message', (reply) => reply.echo);       // reply: { echo: string }
 */
export class StarwireClient<Of = ServerMessage> {
  private readonly listeners = new Listeners<ClientEvents<ReceivedFrom<Of>>>('StarwireClient');
  private readonly newSocket: () => WebSocketLike;
  private readonly reconnection: Reconnection;
  private readonly heartbeat: Heartbeat | undefined;
  private readonly requestTimeout: number;
  private readonly resume: Resume<ReceivedFrom<Of>> | undefined;

  private currentState: ClientState = 'connecting';
  private socket: WebSocketLike | undefined;
  private hasOpened = false;
  private readonly pending = new PendingRequests();
  private readonly outbox: Outbox;

  constructor(url: string | URL | (() => string | URL), options: ClientOptions = {}) {
    const protocols = typeof options.protocols === 'string' ? [options.protocols] : [...(options.protocols ?? [])];
    this.newSocket = socketFactory(options.WebSocket, url, protocols);
    this.reconnection = new Reconnection(options.reconnect, options.fatalCodes ?? DEFAULT_FATAL_CODES, options.random ?? Math.random);
    this.heartbeat =
      options.heartbeat === false
        ? undefined
        : new Heartbeat(
            options.heartbeat ?? {},
            () => this.write(PING),
            () => this.dropDead(),
          );
    this.requestTimeout = options.requestTimeout ?? 10_000;
    this.outbox = new Outbox(options.maxQueue ?? 100);
    this.resume =
      options.resume === false
        ? undefined
        : new Resume<ReceivedFrom<Of>>(
            (message) => this.listeners.emit('message', message),
            (event) => this.listeners.emit('resumed', event),
            (error) => this.listeners.emit('error', error),
            // A gap noticed on a live message is recovered now; while not open, the next resume will.
            (stream) => (this.currentState === 'open' && this.resume ? this.ask(this.resume.historyRequest(stream), {}, true) : undefined),
          );
    // The first socket is made now, so a malformed URL throws here rather than on a timer.
    this.open(true);
  }

  /** `'connecting'`, `'open'`, `'reconnecting'` or `'closed'`. */
  get state(): ClientState {
    return this.currentState;
  }

  /** The subprotocol the server picked on the current connection; '' for none or when not open. */
  get protocol(): string {
    return this.socket?.protocol ?? '';
  }

  /**
   * Listens for an event; returns the function that stops listening. A listener that throws
   * is reported as an `error` event and does not disturb the client. The `message` payload is
   * typed by `connect<Of>()` (`Of` itself, or a route's `sends`), but nothing checks it at
   * runtime: it is whatever JSON the server sent, and the type is what the caller asserts.
   *
   * @example
   * const off = client.on('close', ({ code, willReconnect }) => showOffline(code, willReconnect));
   * off();
   */
  on<E extends keyof ClientEvents<ReceivedFrom<Of>>>(event: E, listener: (payload: ClientEvents<ReceivedFrom<Of>>[E]) => void): () => void {
    return this.listeners.on(event, listener);
  }

  /**
   * Sends `message` as JSON now, or when the connection is next open (at most `maxQueue`
   * messages wait; past that, and after `close()`, this throws). A client typed by a route
   * takes only the route's message type.
   *
   * @example
   * client.send({ type: 'typing', room: 'lobby', typing: true });
   */
  send(message: SentTo<Of>): void {
    if (this.currentState === 'closed') throw new Error('StarwireClient.send: the client is closed');
    const text: string | undefined = JSON.stringify(message);
    if (text === undefined) throw new TypeError(`StarwireClient.send: ${typeof message} is not JSON`);
    this.transmit(text);
  }

  /**
   * Sends `{ ...message, requestId }` and resolves with the server's message that carries
   * `replyTo: requestId` (an `{type:'error'}` reply resolves too: it is the app's answer).
   * Rejects with `RequestTimeoutError` when no reply comes in time, and with
   * `ConnectionClosedError` when the connection closes first: the client never re-sends.
   * `Reply` is not checked at runtime: the reply is whatever JSON the server sent, and `Reply`
   * is what the caller asserts it to be (narrow on `type` before trusting its fields).
   *
   * @example
   * const reply = await client.request({ type: 'join', room: 'lobby' }, { timeout: 5000 });
   * if (reply.type === 'error') alert(reply.detail);
   */
  request<Reply = RepliesFrom<Of>>(message: RequestTo<Of>, options: RequestOptions = {}): Promise<Reply> {
    return this.ask(message, options, false) as Promise<Reply>;
  }

  /**
   * Closes the connection with `code` (1000 or 3000–4999) and stops reconnecting for good;
   * pending requests reject with `ConnectionClosedError`. Calling it again does nothing.
   * Throws a `TypeError`, and changes nothing, for another code or a `reason` over 123 UTF-8
   * bytes (what browsers refuse).
   *
   * @example
   * window.addEventListener('pagehide', () => client.close(1000, 'page closed'));
   */
  close(code = 1000, reason = ''): void {
    validateClose('StarwireClient.close', code, reason);
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.reconnection.stop();
    this.heartbeat?.stop();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      try {
        socket.close(code, reason);
      } catch (error) {
        this.listeners.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.abandon(() => true, true, 'got no reply: the client was closed');
    this.listeners.emit('close', { code, reason, willReconnect: false });
  }

  /**
   * Stops resuming a room (`{ room }`) or channel (`{ channel }`): later reconnects do not ask
   * for its history, and a resume of it under way emits nothing more. Call it once the server
   * has stopped sending it (after the reply to a `leave`, say): a message of it that arrives
   * later starts tracking it again, as does the `history` reply to a later `join`.
   *
   * @example
   * await client.request({ type: 'leave', room: 'lobby' });
   * client.forget({ room: 'lobby' });
   */
  forget(which: { readonly room: string } | { readonly channel: string }): void {
    const stream = streamOf(which);
    if (stream === undefined) throw new TypeError('StarwireClient.forget: pass { room: string } or { channel: string }');
    this.resume?.forget(stream);
  }

  // ——— the socket ———

  private open(first: boolean): void {
    let socket: WebSocketLike;
    try {
      // A url function runs on every attempt: one that throws is a failed attempt like any other.
      socket = this.newSocket();
    } catch (error) {
      if (first) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.listeners.emit('error', new Error(`StarwireClient: reconnecting, could not create a WebSocket: ${reason}`, { cause: error }));
      this.lost(1006, 'could not create a WebSocket', false);
      return;
    }
    this.socket = socket;
    // Events of a socket the client has let go of (closed by a heartbeat, replaced) are ignored.
    socket.addEventListener('open', () => this.socket === socket && this.opened());
    socket.addEventListener('message', (event) => this.socket === socket && this.received(event.data));
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.lost(event.code, event.reason, false);
    });
    // A close event always follows an error event and says what matters; listening keeps `ws` from throwing.
    socket.addEventListener('error', () => undefined);
  }

  private opened(): void {
    const reconnected = this.hasOpened;
    this.hasOpened = true;
    this.currentState = 'open';
    this.reconnection.opened();
    this.heartbeat?.start();
    if (reconnected && this.resume) {
      for (const stream of this.resume.streams()) {
        this.resume.begin(stream, this.ask(this.resume.historyRequest(stream), {}, true));
      }
    }
    for (const { text, requestId } of this.outbox.takeAll()) this.write(text, requestId);
    this.listeners.emit('open', { reconnected });
  }

  private received(data: unknown): void {
    this.heartbeat?.heard();
    const incoming = parseIncoming(data);
    if ('ignored' in incoming) {
      this.listeners.emit('error', new Error(incoming.ignored));
      return;
    }
    const message = incoming.message;
    if (isServerMessage(message)) {
      const replyTo = message.replyTo;
      if (this.pending.isReplyId(replyTo)) {
        // A reply that came after its request gave up finds nothing: the caller was told already.
        this.pending.settle(replyTo, message);
        return;
      }
      if (message.type === 'pong') return;
      if (this.resume && !this.resume.admit(message)) return;
    }
    this.listeners.emit('message', message as ReceivedFrom<Of>);
  }

  /** The connection ended without `close()`: reconnect, unless the code says it cannot help. */
  private lost(code: number, reason: string, heartbeat: boolean): void {
    this.heartbeat?.stop();
    this.reconnection.lost();
    this.abandon(
      (pending) => pending.sent,
      false,
      `was sent, but the connection closed (code ${code}) before its reply; it is not re-sent`,
    );
    if (!this.reconnection.shouldRetry(code, heartbeat)) {
      this.currentState = 'closed';
      this.abandon(() => true, true, `got no reply: the connection closed (code ${code}) and the client does not reconnect`);
      this.listeners.emit('close', { code, reason, willReconnect: false });
      return;
    }
    this.currentState = 'reconnecting';
    this.listeners.emit('close', { code, reason, willReconnect: true });
    // A listener may have called close().
    if (this.currentState !== 'reconnecting') return;
    this.listeners.emit(
      'reconnecting',
      this.reconnection.schedule(() => this.open(false)),
    );
  }

  // ——— heartbeat ———

  /** Gives up on a silent socket at once: waiting for its closing handshake could take as long as the silence. */
  private dropDead(): void {
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close(4000, 'heartbeat timeout');
    } catch {
      // Closing a socket that is already going away: nothing left to do.
    }
    this.lost(4000, 'heartbeat timeout', true);
  }

  // ——— requests and the queue ———

  private ask(message: object, options: RequestOptions, internal: boolean): Promise<ServerMessage> {
    if (!isServerMessage(message)) return Promise.reject(new TypeError('StarwireClient.request: the message must be a JSON object'));
    const type = typeof message.type === 'string' ? message.type : '(no type)';
    const requestId = this.pending.nextId();
    if (this.currentState === 'closed')
      return Promise.reject(new ConnectionClosedError(type, requestId, false, 'was not sent: the client is closed'));
    const noteReply = internal ? undefined : this.resume?.noteReply.bind(this.resume);
    // Not sent yet when it times out: it never will be, so the caller's view and the server's agree.
    const withdraw = (): void => this.outbox.withdraw(requestId);
    const reply = this.pending.expect(requestId, type, options.timeout ?? this.requestTimeout, withdraw, noteReply);
    try {
      this.transmit(JSON.stringify({ ...message, requestId }), requestId);
    } catch (error) {
      this.pending.forget(requestId);
      return Promise.reject(error);
    }
    return reply;
  }

  private transmit(text: string, requestId?: number): void {
    if (this.currentState === 'open' && this.socket?.readyState === OPEN) {
      this.write(text, requestId);
      return;
    }
    this.outbox.hold(text, requestId);
  }

  private write(text: string, requestId?: number): void {
    this.socket?.send(text);
    this.pending.markSent(requestId);
  }

  /** Rejects the pending requests `which` selects; `everything` also empties the queue. */
  private abandon(which: (pending: PendingRequest) => boolean, everything: boolean, detail: string): void {
    this.pending.abandon(which, detail);
    if (everything) this.outbox.takeAll();
  }
}
