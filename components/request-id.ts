import { type Provider, Token } from '../lib/inject/token';

/**
 * The request's id, from a valid `X-Request-Id` header or generated; echoed in the response's
 * `X-Request-Id` and bound as `reqId` to the request's log lines. On a WebSocket route, the
 * upgrade request's id.
 *
 * @example
 * const order = inject([RequestId, Body(OrderSchema)], async (requestId, order) => {
 *   await queue.push({ ...order, requestId });
 *   return { queued: true, requestId };
 * });
 */
export class RequestIdToken extends Token<string> {
  readonly label = 'RequestId';

  compile(): Provider<string> {
    return (connection) => connection.scope.requestId;
  }
}

/**
 * The request's id (see `RequestIdToken`), for handlers and hooks.
 *
 * @example
 * new Route('/whoami', 'GET', inject([RequestId], (requestId) => ({ requestId })));
 */
export const RequestId = new RequestIdToken();
