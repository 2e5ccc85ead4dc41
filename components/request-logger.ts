import type { AppLogger } from '../lib/config/logger';
import { type Provider, Token } from '../lib/inject/token';

/**
 * The app's logger with the request's `reqId` bound (and the WebSocket's `connId` on WebSocket
 * routes), so a handler's own lines join Starwire's for the same request.
 *
 * @example
 * const charge = inject([RequestLogger, Body(ChargeSchema)], async (log, charge) => {
 *   log.info({ event: 'charge.start', amount: charge.amount }, 'charging');
 *   return { ok: true };
 * });
 */
export class RequestLoggerToken extends Token<AppLogger> {
  readonly label = 'RequestLogger';

  compile(): Provider<AppLogger> {
    return (connection) => connection.logger;
  }
}

/**
 * The request's logger (see `RequestLoggerToken`): lines it writes carry `reqId` and `connId`.
 *
 * @example
 * new Route('/ping', 'GET', inject([RequestLogger], (log) => { log.debug({ event: 'ping' }, 'ping'); return { pong: true }; }));
 */
export const RequestLogger = new RequestLoggerToken();
