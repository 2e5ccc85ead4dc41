import type { ValidationError } from './exceptions';

/**
 * Builds the reply to an incoming message a message handler could not accept (bad JSON, a
 * schema failure). `message` is the parsed JSON, or `undefined` when the text was not JSON,
 * so a reply can echo a correlation field the client sent (its `requestId`, say).
 *
 * @example
 * new WebSocketRoute('/ws', handle, {
 *   onInvalidMessage: (error, message) => ({ type: 'error', detail: error.message, replyTo: requestIdOf(message) }),
 * });
 */
export type InvalidMessageReply = (error: ValidationError, message: unknown) => unknown;

/** The reply `'reply'` sends: `{ type: 'error', detail, errors }`; a function policy builds its own. */
export function invalidMessageReply(policy: 'reply' | InvalidMessageReply, error: ValidationError, message: unknown): unknown {
  if (policy === 'reply') return { type: 'error', detail: error.message, errors: error.errors };
  return policy(error, message);
}
