import { errorReply } from '../errors/error-table';
import { ValidationError } from '../errors/exceptions';
import type { InvalidMessagePolicy, InvalidMessageReply } from '../routing/routes';
import type { WebSocket } from './websocket';

/**
 * Answers a message that failed to parse or validate, as the route's policy says. Returns undefined when
 * there is nothing to answer (another error, policy `'close'`, a closed socket): the caller
 * rethrows, and the error closes the connection.
 */
export function replyToInvalid(
  ws: WebSocket,
  policy: InvalidMessagePolicy,
  error: unknown,
  message: unknown,
): Promise<boolean> | undefined {
  if (!(error instanceof ValidationError) || policy === 'close' || !ws.connected) return undefined;
  return ws.sendJson(invalidMessageReply(policy, error, message));
}

/** The reply `'reply'` sends: `{ type: 'error', detail, errors }`; a function policy builds its own. */
export function invalidMessageReply(policy: 'reply' | InvalidMessageReply, error: ValidationError, message: unknown): unknown {
  if (policy === 'reply') return errorReply(error);
  return policy(error, message);
}
