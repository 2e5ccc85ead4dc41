import { assertCloseCode, assertCloseReason } from '../errors/close-codes';
import { type CloseFrame, closeFrame } from '../errors/error-table';
import { HTTPException, WebSocketException } from '../errors/exceptions';
import * as status from '../errors/status';
import { Response } from '../http/response';
import type { Connection } from '../inject/connection';
import { type CompiledExceptionHandlers, type ExceptionOutcome, runExceptionHandler } from '../routing/exception-handler-plans';

/**
 * A close frame an exception handler on a WebSocket route asks for: `code` must be sendable
 * (1000–1003, 1007–1014, 3000–4999) and `reason` at most 123 UTF-8 bytes.
 *
 * @example
 * const close: WebSocketClose = { code: 4004, reason: 'No such room' };
 */
export interface WebSocketClose {
  readonly code: number;
  readonly reason?: string;
}

/**
 * What an exception handler on a WebSocket route returns. Before `accept()`: a `Response` is the
 * handshake's refusal (its status, headers and body); a `WebSocketClose` (or a
 * `WebSocketException`) accepts and closes with that code, so a browser sees it. After `accept()`:
 * a `WebSocketClose`/`WebSocketException` is the close frame; a `Response` closes with the code
 * its status maps to (403 → 3003, 503 → 1013, ...). `undefined` declines: the one table answers.
 * Return it, do not throw it: a handler that throws is a failure (logged; 500 or 1011).
 *
 * @example
 * const handler = inject([CurrentError], (error: RoomGone): WebSocketExceptionAnswer => ({ code: 4004, reason: error.room }));
 */
export type WebSocketExceptionAnswer = Response | WebSocketClose | WebSocketException | undefined;

/** Checks what a handler returned on a WebSocket route; a TypeError says what is wrong (the handler then counts as failed). */
export function checkWebSocketAnswer(value: unknown): void {
  if (value instanceof Response || value instanceof WebSocketException) return;
  if (typeof value !== 'object' || value === null || typeof (value as WebSocketClose).code !== 'number') {
    throw new TypeError('an exception handler on a WebSocket route must return a Response, { code, reason } or a WebSocketException');
  }
  const { code, reason } = value as WebSocketClose;
  assertCloseCode(code);
  if (reason !== undefined) assertCloseReason(String(reason));
}

/** The close frame an accepted socket ends with for a handler's (checked) answer. */
export function closeFrameOfAnswer(value: Response | WebSocketClose | WebSocketException): CloseFrame {
  if (value instanceof Response) {
    return value.status < 400 ? { code: status.WS_1000_NORMAL_CLOSURE, reason: '' } : closeFrame(new HTTPException(value.status), false);
  }
  return { code: value.code, reason: value.reason === undefined ? '' : String(value.reason) };
}

/** A failed exception handler's close: 1011, the failure having been logged. */
const FAILED_FRAME: CloseFrame = Object.freeze({ code: status.WS_1011_INTERNAL_ERROR, reason: 'Internal Error' });

/**
 * The close frame `error` ends an accepted socket with: the matching exception handler's answer,
 * else the one table's (`unexpected` errors are for the caller to report).
 */
export async function closeFrameFor(
  handlers: CompiledExceptionHandlers | undefined,
  connection: Connection,
  error: unknown,
  label: string,
): Promise<CloseFrame & { unexpected: boolean }> {
  const outcome: ExceptionOutcome = await runExceptionHandler(handlers, connection, error, label, checkWebSocketAnswer);
  if (outcome.kind === 'answered') return { ...closeFrameOfAnswer(outcome.value as WebSocketClose), unexpected: false };
  if (outcome.kind === 'failed') return { ...FAILED_FRAME, unexpected: false };
  return closeFrame(error, connection.settings.debug);
}
