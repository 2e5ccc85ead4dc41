import type { Connection } from '../inject/connection';
import { invoke } from '../inject/invoke';
import { MessageFrame } from '../inject/message-frame';
import { isThenable } from '../inject/thenable';
import { replyToInvalid } from './invalid-message';
import { parseJsonMessage } from './json-message';
import type { WebSocket } from './websocket';
import type { ConnectionTrace, WebSocketEndpoint } from './websocket-endpoint';

/**
 * Parses, validates and handles one message, sending back what the handler returns; a promise
 * only when the handler (or a component) returns one. A message that fails to parse or
 * validate is answered as the route's `onInvalidMessage` says, or throws.
 */
export function answerMessage(
  endpoint: WebSocketEndpoint,
  connection: Connection,
  ws: WebSocket,
  text: string,
  trace: ConnectionTrace | undefined,
): unknown {
  const span = trace?.tracing.startMessage(`WS ${endpoint.template ?? ws.path} message`, trace.span);
  let value: unknown;
  const failed = (error: unknown): void => {
    if (span) trace?.tracing.end(span, error);
    const replied = replyToInvalid(ws, endpoint.onInvalidMessage, error, value);
    if (!replied) throw error;
  };
  const answer = (result: unknown): void => {
    if (result !== undefined && ws.connected) void ws.sendJson(result);
    if (span) trace?.tracing.end(span);
  };
  try {
    value = parseJsonMessage(text);
    const frame = new MessageFrame(value, text);
    const result =
      span && trace
        ? trace.tracing.run(span, () => invoke(endpoint.handler, connection, frame))
        : invoke(endpoint.handler, connection, frame);
    if (isThenable(result)) return Promise.resolve(result).then(answer).then(undefined, failed);
    answer(result);
  } catch (error) {
    failed(error);
  }
  return undefined;
}
