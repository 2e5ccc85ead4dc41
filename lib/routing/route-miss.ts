import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import { inject } from '../inject/inject';
import { type ConnectionKind, type Provider, Token } from '../inject/token';
import { MALFORMED_PATH } from './path-decoding';

/*
 * The handlers of requests no route takes. They are compiled like route handlers, so the app's
 * hooks (CORS, logging, auth) see a 404, 405, 426 or 400 as they see any other response.
 */

/** WebSocket routes share the router under a method name no HTTP request can carry. */
export const WS_METHOD = 'WEBSOCKET ';

/** The methods the requested path does allow, for the fallback endpoint. */
class AllowedMethodsToken extends Token<readonly string[]> {
  readonly label = 'AllowedMethods';
  override readonly kinds: readonly ConnectionKind[] = ['http'];
  compile(): Provider<readonly string[]> {
    return (connection) => connection.allowedMethods;
  }
}

/** Where a request that matched no route ends: the app hooks still run, then 404 or 405. */
export const routeMiss = inject([new AllowedMethodsToken()], (allowed): never => {
  const methods = allowed.filter((method) => method !== WS_METHOD);
  if (methods.length === 0 && allowed.length > 0) {
    // An explicit Connection header overrides Node's keep-alive handling; the client's retry
    // is an upgrade on a connection of its own, so this one ends (as a Connection: close asked).
    throw new HTTPException(status.HTTP_426_UPGRADE_REQUIRED, 'This path serves WebSocket connections', {
      upgrade: 'websocket',
      connection: 'Upgrade, close',
    });
  }
  if (methods.length === 0) throw new HTTPException(status.HTTP_404_NOT_FOUND);
  throw new HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED, undefined, { allow: methods.join(', ') });
});

/** Where a request whose path has malformed percent-encoding ends: the app hooks still run, then 400. */
export const malformedPath = inject([], (): never => {
  throw new HTTPException(status.HTTP_400_BAD_REQUEST, MALFORMED_PATH);
});
