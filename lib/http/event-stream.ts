import { Readable } from 'node:stream';
import { Response, type ResponseInit } from './response';
import { commentLines, formatServerSentEvent, type ServerSentEvent } from './server-sent-event';

/**
 * Where an `EventStream`'s events come from: an async iterable, or a function that makes one and
 * is given the stream's `AbortSignal` (it aborts when the client goes away or the stream ends).
 */
export type EventSourceLike = AsyncIterable<ServerSentEvent> | ((signal: AbortSignal) => AsyncIterable<ServerSentEvent>);

export interface EventStreamOptions extends ResponseInit {
  /**
   * Milliseconds of silence after which a `: keep-alive` comment line is sent, so proxies and
   * load balancers do not cut an idle stream. 0 turns it off. Default 15000.
   */
  keepAlive?: number;
  /** Milliseconds an `EventSource` waits before it reconnects, sent first as a `retry:` field. Default: the browser's (about 3 s). */
  retry?: number;
}

const DEFAULT_KEEP_ALIVE_MS = 15_000;
const KEEP_ALIVE = `${commentLines('keep-alive')}\n`;

/**
 * A Server-Sent Events response (`text/event-stream`): events go out one by one as they are
 * produced, each written at once (no buffering: `Cache-Control: no-cache`, `X-Accel-Buffering: no`
 * for nginx). Events come from an async generator, or are pushed with `send()` until `close()`.
 *
 * When the client disconnects, `signal` aborts and the generator's `return()` is called, so its
 * `finally` blocks run: a generator that waits on something else (a timer, a queue) should pass
 * `signal` to it, since `return()` only takes effect once the pending `await` settles. Nothing is
 * left behind: no timer, no listener, no uncaught error. The generator starts when the response
 * is written, not before (never for HEAD).
 *
 * @example
 * const clock = new Route('/clock', 'GET', () =>
 *   new EventStream(async function* (signal) {
 *     for (let i = 1; !signal.aborted; i++) {
 *       yield { id: String(i), event: 'tick', data: { now: Date.now() } };
 *       await setTimeout(1000, undefined, { signal }).catch(() => {});
 *     }
 *   }),
 * );
 *
 * // Or push events from elsewhere:
 * const stream = new EventStream();
 * const off = prices.on('change', (price) => stream.send({ data: price }));
 * stream.signal.addEventListener('abort', off);
 * return stream;
 */
export class EventStream extends Response {
  /** Aborts when the stream is over: the client went away, `close()` was called, or the source ended or failed. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly readable: Readable;
  private readonly keepAliveMs: number;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private started = false;
  private sentSinceTick = false;
  private wakeReader: (() => void) | undefined;

  constructor(
    private readonly source?: EventSourceLike,
    options: EventStreamOptions = {},
  ) {
    // The readable's callbacks reach this stream once it exists (they cannot name `this` before super()).
    const self: { stream?: EventStream } = {};
    const readable = new Readable({
      read: () => self.stream?.pull(),
      destroy: (error, callback) => {
        self.stream?.finish();
        callback(error);
      },
    });
    super(readable, options, 'text/event-stream; charset=utf-8');
    self.stream = this;
    this.readable = readable;
    this.signal = this.controller.signal;
    this.keepAliveMs = options.keepAlive ?? DEFAULT_KEEP_ALIVE_MS;
    if (!Number.isFinite(this.keepAliveMs) || this.keepAliveMs < 0) {
      throw new TypeError(`new EventStream(): keepAlive must be a number of milliseconds ≥ 0, got ${String(options.keepAlive)}`);
    }
    // Queued first, ahead of anything sent before the response is written.
    if (options.retry !== undefined) readable.push(formatServerSentEvent({ retry: options.retry }));
    this.headers['cache-control'] ??= 'no-cache';
    this.headers['x-accel-buffering'] ??= 'no';
  }

  /** Whether the stream is over (see `signal`); `send()` does nothing then. */
  get closed(): boolean {
    return this.signal.aborted;
  }

  /**
   * Queues one event to be written; false when the stream is over, or when the client is not
   * keeping up (the event is queued all the same; a producer that can wait should slow down).
   * A field the format cannot carry is a TypeError (see `formatServerSentEvent`).
   *
   * @example
   * stream.send({ id: '42', event: 'message', data: { text: 'hi' } });
   */
  send(event: ServerSentEvent): boolean {
    return this.write(formatServerSentEvent(event));
  }

  /**
   * Ends the stream once what was sent is written. Idempotent. An `EventSource` reconnects after
   * a close (after `retry` milliseconds); send an event that tells the page to stop if it should.
   *
   * @example
   * stream.send({ event: 'done', data: '' });
   * stream.close();
   */
  close(): void {
    if (this.closed) return;
    this.finish();
    this.readable.push(null);
  }

  private write(chunk: string): boolean {
    if (this.closed) return false;
    this.sentSinceTick = true;
    return this.readable.push(chunk);
  }

  /** Called by the reader when it wants more: the first time, the source starts. */
  private pull(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
    if (this.started) return;
    this.started = true;
    this.startKeepAlive();
    if (this.source !== undefined) void this.pump(typeof this.source === 'function' ? this.source(this.signal) : this.source);
  }

  private startKeepAlive(): void {
    if (this.keepAliveMs === 0 || this.closed) return;
    this.keepAliveTimer = setInterval(() => {
      if (!this.sentSinceTick) this.write(KEEP_ALIVE);
      this.sentSinceTick = false;
    }, this.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  /** Writes the source's events until it ends or the stream is over; then lets the source finish. */
  private async pump(events: AsyncIterable<ServerSentEvent>): Promise<void> {
    const iterator = events[Symbol.asyncIterator]();
    const over = new Promise<undefined>((resolve) => this.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    try {
      while (!this.closed) {
        const step = await Promise.race([iterator.next(), over]);
        if (step === undefined) break;
        if (step.done) {
          this.close();
          return;
        }
        if (!this.send(step.value)) await Promise.race([new Promise<void>((resolve) => (this.wakeReader = resolve)), over]);
      }
    } catch (error) {
      // After the client left, an error from a source that was woken by the signal is expected.
      if (!this.closed) this.readable.destroy(error instanceof Error ? error : new Error(String(error)));
    }
    // Over while the source was waiting (or a bad event): its return() runs once that wait settles.
    iterator.return?.().catch(() => {});
  }

  /** The stream is over: the signal aborts, the keep-alive timer stops. */
  private finish(): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    this.wakeReader = undefined;
    if (!this.controller.signal.aborted) this.controller.abort();
  }
}
