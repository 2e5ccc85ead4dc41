/** The longest close reason a WebSocket allows: a control frame's 125 bytes less the 2-byte code. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Throws a `TypeError` naming `caller` unless `code` and `reason` are what a browser's
 * `WebSocket.close()` accepts: code 1000 or 3000–4999, reason at most 123 UTF-8 bytes. Checked
 * before anything changes, since the socket would throw only once the client had let go of it.
 */
export function validateClose(caller: string, code: number, reason: string): void {
  if (!Number.isInteger(code) || (code !== 1000 && !(code >= 3000 && code <= 4999))) {
    throw new TypeError(`${caller}: code must be 1000 or an integer in 3000–4999, got ${code}`);
  }
  if (typeof reason !== 'string') throw new TypeError(`${caller}: reason must be a string, got ${typeof reason}`);
  const bytes = new TextEncoder().encode(reason).length;
  if (bytes > MAX_CLOSE_REASON_BYTES)
    throw new TypeError(`${caller}: reason is ${bytes} UTF-8 bytes; at most ${MAX_CLOSE_REASON_BYTES} fit in a close frame`);
}
