import type { WebSocketSettings } from '../config/websocket-settings';
import type { WebSocketDisconnect } from '../errors/exceptions';
import * as status from '../errors/status';
import { parseJsonMessage } from './json-message';
import { ITERATION_DONE, MessageIterator } from './message-iterator';
import type { RateLimit } from './rate-limit';
import type { RouteFigures, WebSocketStats } from './websocket-stats';
import type { WireSocket } from './wire-socket';

export type WebSocketState = 'connecting' | 'connected' | 'closed';

/** One incoming message with its frame type. */
export interface WebSocketMessage {
  readonly type: 'text' | 'bytes';
  readonly data: string | Buffer;
}

/** An incoming message, readable as a `WebSocketMessage` and as an iterator result alike. */
type Received = WebSocketMessage & IteratorYieldResult<string | Buffer>;

function dataOf(message: WebSocketMessage): string | Buffer {
  return message.data;
}

function textOf(message: WebSocketMessage): string {
  return typeof message.data === 'string' ? message.data : message.data.toString('utf8');
}

function bytesOf(message: WebSocketMessage): Buffer {
  return typeof message.data === 'string' ? Buffer.from(message.data) : message.data;
}

function jsonOf(message: WebSocketMessage): unknown {
  return parseJsonMessage(textOf(message));
}

/**
 * The receiving half of `WebSocket`: the queue of messages the handler has not read yet, the
 * one pending receive, and back-pressure on the wire. `WebSocket` extends it (through
 * `SendingWebSocket`), so its fields live on the socket itself: a message costs no lookup
 * through another object, and the state it shares with the socket is declared here, abstract.
 */
export abstract class ReceivingWebSocket implements AsyncIterable<string | Buffer> {
  protected abstract currentState: WebSocketState;
  protected abstract wire: WireSocket | undefined;
  protected abstract readonly settings: WebSocketSettings;
  protected abstract readonly stats: WebSocketStats;
  /** The figures of the socket's route, beside the app's `stats`. */
  protected abstract readonly route: RouteFigures;
  private queue: Received[] | undefined = undefined;
  /** A pending receive: resolved with the message, or (for `for await`) with an iterator result. */
  private waitResolve: ((value: WebSocketMessage & IteratorResult<string | Buffer>) => void) | undefined = undefined;
  private waitReject: ((error: Error) => void) | undefined = undefined;
  private waitIterating = false;
  /** Set while the wire is paused because the queue is full; a close resumes it. */
  protected paused = false;
  /** Messages allowed per period (`settings.messageRate`); set by the socket's constructor. */
  protected rate: RateLimit | undefined = undefined;

  abstract get path(): string;
  abstract close(code?: number, reason?: string): Promise<void>;
  /** What a receive on a closed socket throws. */
  protected abstract disconnect(): WebSocketDisconnect;

  /** The next message, text as a string and binary as a Buffer. */
  receive(): Promise<string | Buffer> {
    return this.receiveMessage().then(dataOf);
  }

  /**
   * The next message with its frame type. Rejects with `WebSocketDisconnect` once the socket has
   * closed (the peer left, or the server closed it) and every message before the close was read.
   * Before `accept()`, or while another receive waits, it throws at once.
   */
  receiveMessage(): Promise<WebSocketMessage> {
    const queued = this.queue?.shift();
    if (queued) {
      this.resumeIfDrained();
      return Promise.resolve(queued);
    }
    if (this.currentState === 'connecting') throw new Error(`WebSocket ${this.path}: accept() before receiving`);
    if (this.currentState === 'closed') return Promise.reject(this.disconnect());
    return this.wait(false);
  }

  /** @internal The next message as an iterator result; `done` once the peer has gone. */
  nextResult(): Promise<IteratorResult<string | Buffer>> {
    const queued = this.queue?.shift();
    if (queued) {
      this.resumeIfDrained();
      return Promise.resolve(queued);
    }
    if (this.currentState === 'closed') return Promise.resolve(ITERATION_DONE);
    if (this.currentState === 'connecting') throw new Error(`WebSocket ${this.path}: accept() before receiving`);
    return this.wait(true);
  }

  private wait(iterating: boolean): Promise<WebSocketMessage & IteratorResult<string | Buffer>> {
    if (this.waitResolve) throw new Error(`WebSocket ${this.path}: receive() called while another receive() is waiting`);
    this.waitIterating = iterating;
    return new Promise((resolve, reject) => {
      this.waitResolve = resolve;
      this.waitReject = reject;
    });
  }

  private resumeIfDrained(): void {
    if (this.paused && this.queue!.length <= this.settings.receiveQueue / 2) {
      this.paused = false;
      this.wire?.resume();
    }
  }

  /** The next message as text (a binary message is decoded as UTF-8). */
  receiveText(): Promise<string> {
    return this.receiveMessage().then(textOf);
  }

  /** The next message as bytes (a text message is encoded as UTF-8). */
  receiveBytes(): Promise<Buffer> {
    return this.receiveMessage().then(bytesOf);
  }

  /** The next message parsed as JSON; malformed JSON is a `ValidationError` (close 1007 if unhandled). */
  receiveJson(): Promise<unknown> {
    return this.receiveMessage().then(jsonOf);
  }

  /** Messages until the peer leaves; a plain iterator rather than a generator, lighter per idle socket. */
  [Symbol.asyncIterator](): AsyncIterator<string | Buffer> {
    return new MessageIterator(this);
  }

  /** @internal */
  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.currentState !== 'connected') return;
    this.stats.messagesIn++;
    this.route.messagesIn++;
    this.stats.bytesIn += data.length;
    if (this.rate && !this.rate.take()) {
      void this.close(status.WS_1008_POLICY_VIOLATION, 'Rate limit exceeded');
      return;
    }
    // One object serves both readers: receive() reads type/data, `for await` reads value/done.
    const text = isBinary ? data : data.toString('utf8');
    const message: Received = { type: isBinary ? 'bytes' : 'text', data: text, value: text, done: false };
    const resolve = this.waitResolve;
    if (resolve) {
      this.waitResolve = this.waitReject = undefined;
      resolve(message);
      return;
    }
    const queue = (this.queue ??= []);
    queue.push(message);
    if (!this.paused && queue.length >= this.settings.receiveQueue) {
      this.paused = true;
      this.wire?.pause();
    }
  }

  /** Ends a pending receive: a `for await` finishes, a `receive()` rejects as a disconnect. */
  protected failWaiter(): void {
    const resolve = this.waitResolve;
    const reject = this.waitReject;
    if (!resolve || !reject) return;
    this.waitResolve = this.waitReject = undefined;
    if (this.waitIterating) resolve(ITERATION_DONE as WebSocketMessage & IteratorResult<string | Buffer>);
    else reject(this.disconnect());
  }
}
