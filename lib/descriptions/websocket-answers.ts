import * as status from '../errors/status';
import type { WebSocketRoute } from '../routing/routes';
import { validatesInput } from './framework-responses';
import type { DescribedRoute } from './route-walker';

/** Close codes and handshake refusals of one WebSocket route, each with why. */
export interface WebSocketAnswers {
  /** HTTP statuses that refuse the handshake, before any upgrade. */
  readonly handshake: Readonly<Record<number, string>>;
  /** Codes an accepted connection may close with. */
  readonly closeCodes: Readonly<Record<number, string>>;
}

/**
 * What a WebSocket route can answer besides its messages, following the one table
 * (lib/errors/error-table.ts): the refusals before the upgrade (invalid parameters, its hooks',
 * a consumer that does not accept, a server shutting down or full) and the close codes after it
 * (the handler returning, shutdown and restart, an invalid or oversized message, an error, its
 * hooks'). Codes a handler raises itself (`WebSocketException`) are not known here.
 *
 * @example
 * websocketAnswers(route).closeCodes; // { 1000: 'The handler returned', 1001: ..., 1007: ..., 1009: ..., 1011: ... }
 */
export function websocketAnswers(route: DescribedRoute): WebSocketAnswers {
  const handshake: Record<number, string> = {};
  if (validatesInput(route)) handshake[status.HTTP_400_BAD_REQUEST] = 'A query or path parameter failed validation';
  if (route.consumer) handshake[status.HTTP_403_FORBIDDEN] = 'The consumer did not accept the connection';
  const closeCodes: Record<number, string> = {
    [status.WS_1000_NORMAL_CLOSURE]: 'The handler finished',
    [status.WS_1001_GOING_AWAY]: 'The server is shutting down',
  };
  const onInvalid = (route.route as WebSocketRoute).options.onInvalidMessage ?? 'close';
  if (route.incoming === 'json' && onInvalid === 'close') {
    closeCodes[status.WS_1007_INVALID_FRAME_PAYLOAD_DATA] = 'A message was not JSON or failed its schema';
  }
  closeCodes[status.WS_1009_MESSAGE_TOO_BIG] = 'A message was larger than settings.maxPayload';
  closeCodes[status.WS_1011_INTERNAL_ERROR] = 'The handler failed';
  closeCodes[status.WS_1012_SERVICE_RESTART] = 'The server is restarting (a worker replaced): reconnect';
  for (const hook of route.hooks) {
    Object.assign(handshake, hook.statuses);
    Object.assign(closeCodes, hook.closeCodes);
  }
  handshake[status.HTTP_503_SERVICE_UNAVAILABLE] = 'The server is shutting down or has too many connections';
  return { handshake, closeCodes };
}
