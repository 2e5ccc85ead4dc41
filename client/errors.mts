/**
 * The errors a request can end with besides its reply. Each names the request's `type` and id,
 * so a log line says which call failed.
 */

/**
 * No reply came within the request's timeout. The request may still have reached the server:
 * the client does not re-send it, and a late reply is dropped.
 *
 * @example
 * try {
 *   await client.request({ type: 'join', room: 'lobby' }, { timeout: 2000 });
 * } catch (error) {
 *   if (error instanceof RequestTimeoutError) console.warn(`${error.requestType} timed out`);
 * }
 */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';

  constructor(
    readonly requestType: string,
    readonly timeout: number,
    readonly requestId: number,
  ) {
    super(`Request '${requestType}' (requestId ${requestId}) got no reply within ${timeout} ms`);
  }
}

/**
 * The connection closed while a request waited for its reply (`lost: true`: the server may or
 * may not have seen it, and the client does not re-send it: at most once), or the client was
 * closed (`lost: false`), or the client gave up reconnecting.
 *
 * @example
 * client.request({ type: 'say', room: 'lobby', text: 'hi' }).catch((error) => {
 *   if (error instanceof ConnectionClosedError && error.lost) showMaybeUnsent();
 * });
 */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';

  constructor(
    readonly requestType: string,
    readonly requestId: number,
    readonly lost: boolean,
    detail: string,
  ) {
    super(`Request '${requestType}' (requestId ${requestId}) ${detail}`);
  }
}
