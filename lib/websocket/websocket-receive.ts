import type { WebSocketDisconnect } from '../errors/exceptions';
import * as status from '../errors/status';
import { parseJsonMessage } from './json-message';
import { ITERATION_DONE, MessageIterator } from './message-iterator';
import type { RateLimit } from './rate-limit';
import type { WebSocketContext } from './websocket-context';
import type { WireSocket } from './wire-socket';

export type WebSocketState = 'connecting' | 'connected' | 'closed';

/**
 * The bits of a socket's `flags`: its yes/no states packed into one small integer, one field
 * instead of one each on every idle socket.
 */
export const FLAG = {
  /** The pending receive is a `for await`'s: a close ends it rather than rejecting it. */
  waitIterating: 1,
  /** The wire is paused because the queue is full; a close resumes it. */
  paused: 2,
  /** No ping went out without a pong back (the heartbeat's mark). */
  alive: 4,
  /** The connection has closed and `done` has resolved. */
  ended: 8,
  /** A refusal through `refuse()` is the handler's (the hooks' until the handler starts). */
  refusedByHandler: 16,
  /** The waiter is a standing receiver (`deliverTo`): it stays after each message. */
  delivering: 32,
  /** The standing receiver is busy with a message: the next ones queue until `releaseMessages()`. */
  holding: 64,
} as const;

/** One incoming message with its frame type. */
export interface WebSocketMessage {
  readonly type: 'text' | 'bytes';
  readonly data: string | Buffer;
}

/** An incoming message, readable as a `WebSocketMessage` and as an iterator result alike. */
type Received = WebSocketMessage & IteratorYieldResult<string | Buffer>;
/** What a pending receive resolves with, and what `deliverTo`'s receiver is handed. */
export type Waited = WebSocketMessage & IteratorResult<string | Buffer>;

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
  /** @internal What the sockets of the route share (settings, figures). */
  abstract readonly context: WebSocketContext;
  /** Yes/no states, as bits of `FLAG`. */
  protected flags: number = FLAG.alive;
  private queue: Received[] | undefined = undefined;
  /**
   * A pending receive: resolved with the message, (for `for await`) with an iterator result, or
   * (for `receive()`) with a rejected promise once the socket closes. Only the resolve function
   * is kept, not the reject one: an idle socket waits in a receive, and that is one closure less.
   */
  private waitResolve: ((value: Waited | Promise<never>) => void) | undefined = undefined;
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

  private wait(iterating: boolean): Promise<Waited> {
    if (this.flags & FLAG.delivering) {
      throw new Error(`WebSocket ${this.path}: receive() on a message handler's socket; its messages are handed to the handler`);
    }
    if (this.waitResolve) throw new Error(`WebSocket ${this.path}: receive() called while another receive() is waiting`);
    this.setFlag(FLAG.waitIterating, iterating);
    return new Promise((resolve) => {
      this.waitResolve = resolve;
    });
  }

  /** Sets or clears one bit of `flags`. */
  protected setFlag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }

  private resumeIfDrained(): void {
    if (this.flags & FLAG.paused && this.queue!.length <= this.context.settings.receiveQueue / 2) {
      this.flags &= ~FLAG.paused;
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

  /**
   * @internal Hands every message, in order, to `receiver` as it arrives, then `ITERATION_DONE`
   * once the socket has closed: a message handler's way in. Nothing is pending between messages,
   * so an idle socket keeps only the receiver. While the receiver is busy with a message
   * (`holdMessages()` until `releaseMessages()`), the next ones queue, and pause the wire, as
   * for a slow `receive()`.
   */
  deliverTo(receiver: (message: Waited) => void): void {
    if (this.waitResolve) throw new Error(`WebSocket ${this.path}: messages are already being received`);
    // With `waitIterating` set, the end is handed over as ITERATION_DONE, never as a rejection.
    this.waitResolve = receiver as (value: Waited | Promise<never>) => void;
    this.flags |= FLAG.delivering | FLAG.waitIterating | FLAG.holding;
    this.releaseMessages();
  }

  /** @internal The receiver is busy: messages queue until `releaseMessages()`. */
  holdMessages(): void {
    this.flags |= FLAG.holding;
  }

  /** @internal The receiver is free again: hands it what queued meanwhile, and the end if the socket closed. */
  releaseMessages(): void {
    const receiver = this.waitResolve;
    if (!receiver) return;
    this.flags &= ~FLAG.holding;
    while (!(this.flags & FLAG.holding)) {
      const queued = this.queue?.shift();
      if (!queued) {
        if (this.currentState === 'closed') this.failWaiter();
        return;
      }
      receiver(queued);
      // Resumed, the wire may hand over a message at once: it queues behind those still here.
      this.resumeIfDrained();
    }
  }

  /** @internal */
  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.currentState !== 'connected') return;
    const { stats, route, settings } = this.context;
    stats.messagesIn++;
    route.messagesIn++;
    stats.bytesIn += data.length;
    if (this.rate && !this.rate.take()) {
      void this.close(status.WS_1008_POLICY_VIOLATION, 'Rate limit exceeded');
      return;
    }
    // One object serves both readers: receive() reads type/data, `for await` reads value/done.
    const text = isBinary ? data : data.toString('utf8');
    const message: Received = { type: isBinary ? 'bytes' : 'text', data: text, value: text, done: false };
    const resolve = this.waitResolve;
    // A receive waits only on an empty queue; a standing receiver may be draining one.
    if (resolve && !(this.flags & FLAG.holding) && !this.queue?.length) {
      if (!(this.flags & FLAG.delivering)) this.waitResolve = undefined;
      resolve(message);
      return;
    }
    const queue = (this.queue ??= []);
    queue.push(message);
    if (!(this.flags & FLAG.paused) && queue.length >= settings.receiveQueue) {
      this.flags |= FLAG.paused;
      this.wire?.pause();
    }
  }

  /** Ends a pending receive: a `for await` finishes, a `receive()` rejects as a disconnect. */
  protected failWaiter(): void {
    const resolve = this.waitResolve;
    // A busy receiver gets the end once it has been handed the messages queued before it.
    if (!resolve || this.flags & FLAG.holding) return;
    this.waitResolve = undefined;
    if (this.flags & FLAG.waitIterating) resolve(ITERATION_DONE as Waited);
    else resolve(Promise.reject(this.disconnect()));
  }
}
