import type { Span } from '@opentelemetry/api';
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
  try {
    value = parseJsonMessage(text);
    const frame = new MessageFrame(value, text);
    const result =
      span && trace
        ? trace.tracing.run(span, () => invoke(endpoint.handler, connection, frame))
        : invoke(endpoint.handler, connection, frame);
    if (isThenable(result)) {
      // Closures only here: a synchronous handler's message makes none.
      return Promise.resolve(result)
        .then((ready) => answer(ws, ready, trace, span))
        .then(undefined, (error: unknown) => failed(endpoint, ws, error, value, trace, span));
    }
    answer(ws, result, trace, span);
  } catch (error) {
    failed(endpoint, ws, error, value, trace, span);
  }
  return undefined;
}

/** Sends back what the handler returned, if anything, and ends the message's span. */
function answer(ws: WebSocket, result: unknown, trace: ConnectionTrace | undefined, span: Span | undefined): void {
  if (result !== undefined && ws.connected) void ws.sendJson(result);
  if (span) trace?.tracing.end(span);
}

/** Ends the span with the error, then answers an invalid message as the route says, or rethrows. */
function failed(
  endpoint: WebSocketEndpoint,
  ws: WebSocket,
  error: unknown,
  value: unknown,
  trace: ConnectionTrace | undefined,
  span: Span | undefined,
): void {
  if (span) trace?.tracing.end(span, error);
  if (!replyToInvalid(ws, endpoint.onInvalidMessage, error, value)) throw error;
}
