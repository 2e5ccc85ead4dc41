import { isSendableCloseCode, truncateReason } from './close-codes';
import { ClientDisconnect, HTTPException, ValidationError, type ValidationIssue, WebSocketException } from './exceptions';
import * as status from './status';

/*
 * The one table of DESIGN.md: every error, and every refusal the framework makes on its own, as
 * the HTTP answer a client sees (an HTTP route's error, or a WebSocket handshake refused before
 * accept) and as the close frame an open WebSocket ends with. Nothing else builds an error body
 * or picks a close code for an error, so both sides of the wire stay in step.
 *
 * | raised                     | HTTP answer (before accept)          | close frame (after accept)          |
 * |----------------------------|--------------------------------------|-------------------------------------|
 * | HTTPException(s)           | s, `{ detail }`, its headers         | HTTP_TO_CLOSE, other 4xx → 4000 + s |
 * | WebSocketException(c, r)   | (the pipeline accepts, then closes)  | c, r; an unsendable c → 1011        |
 * | WebSocketProtocolError     | (the pipeline accepts, then closes)  | 1002                                |
 * | ValidationError            | 400, `{ detail, parameter, errors }` | 1007, its message; or errorReply    |
 * | ClientDisconnect           | 499, not reported (no one reads it)  | 1001, not reported                  |
 * | any other error            | 500, details only with `debug`       | 1011 "Internal Error"               |
 * | a refusal (404, 408, 503…) | s, `{ detail }`                      | (shutdown: the caller's 1001/1012)  |
 */

/** The JSON body of an error answer. */
export interface ErrorBody {
  readonly detail: unknown;
  /** ValidationError only: which input failed. */
  readonly parameter?: string;
  /** ValidationError only: ajv's errors. */
  readonly errors?: readonly ValidationIssue[];
  /** Unexpected errors with `debug` only: the stack, one line per item. */
  readonly stack?: readonly string[];
}

/**
 * An HTTP answer as plain data: the HTTP pipeline makes it a `JSONResponse`, a WebSocket
 * handshake sends it as its refusal. `unexpected` is true for errors that are bugs rather than
 * answers: the caller reports those, naming where they happened.
 */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
  readonly unexpected: boolean;
}

/** A close frame to send. */
export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

/** nginx's code for a client that closed the connection before the answer: never read, only logged by proxies. */
const HTTP_499_CLIENT_CLOSED_REQUEST = 499;

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

/** HTTP statuses with a close code of their own once a WebSocket is open. */
const HTTP_TO_CLOSE: Readonly<Record<number, number>> = {
  [status.HTTP_401_UNAUTHORIZED]: status.WS_3000_UNAUTHORIZED,
  [status.HTTP_403_FORBIDDEN]: status.WS_3003_FORBIDDEN,
  [status.HTTP_408_REQUEST_TIMEOUT]: status.WS_3008_TIMEOUT,
  [status.HTTP_413_CONTENT_TOO_LARGE]: status.WS_1009_MESSAGE_TOO_BIG,
  [status.HTTP_503_SERVICE_UNAVAILABLE]: status.WS_1013_TRY_AGAIN_LATER,
  [status.HTTP_500_INTERNAL_SERVER_ERROR]: status.WS_1011_INTERNAL_ERROR,
};

/**
 * The HTTP column: the answer `error` becomes. An unexpected error's name, message and stack
 * reach the client only with `debug`.
 *
 * @example
 * const answer = httpAnswer(error, settings.debug);
 * if (answer.unexpected) settings.logError(`Unhandled error in ${label}`, error);
 * return new JSONResponse(answer.body, { status: answer.status, headers: { ...answer.headers } });
 */
export function httpAnswer(error: unknown, debug: boolean): HttpAnswer {
  if (error instanceof HTTPException) {
    return { status: error.status, headers: { ...JSON_HEADERS, ...error.headers }, body: { detail: error.detail }, unexpected: false };
  }
  if (error instanceof ValidationError) {
    const body = { detail: error.message, parameter: error.parameter, errors: error.errors };
    return { status: status.HTTP_400_BAD_REQUEST, headers: JSON_HEADERS, body, unexpected: false };
  }
  if (error instanceof ClientDisconnect) {
    return { status: HTTP_499_CLIENT_CLOSED_REQUEST, headers: JSON_HEADERS, body: { detail: error.message }, unexpected: false };
  }
  const body: ErrorBody =
    debug && error instanceof Error
      ? { detail: `${error.name}: ${error.message}`, stack: error.stack?.split('\n') }
      : { detail: 'Internal Server Error' };
  return { status: status.HTTP_500_INTERNAL_SERVER_ERROR, headers: JSON_HEADERS, body, unexpected: true };
}

/**
 * The refusals the framework makes with no exception raised (no route 404, not accepted 403,
 * handshake timeout 408, too many connections 429/503, shutting down 503): the HTTPException
 * row, without building an exception.
 *
 * @example
 * const answer = refusal(status.HTTP_404_NOT_FOUND, 'Not Found');
 * upgrader.refuse(answer.status, JSON.stringify(answer.body), answer.headers);
 */
export function refusal(statusCode: number, detail: string, headers?: Readonly<Record<string, string>>): HttpAnswer {
  return { status: statusCode, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, body: { detail }, unexpected: false };
}

/** The reply message to an invalid message on a route whose `onInvalidMessage` is `'reply'`. */
export interface ErrorReply {
  readonly type: 'error';
  readonly detail: string;
  readonly errors: readonly ValidationIssue[];
}

/**
 * The ValidationError row's other after-accept answer: the message a route that says
 * `onInvalidMessage: 'reply'` sends back instead of closing 1007; the connection stays open.
 *
 * @example
 * await ws.sendJson(errorReply(error));
 */
export function errorReply(error: ValidationError): ErrorReply {
  return { type: 'error', detail: error.message, errors: error.errors };
}

/**
 * The after-accept column: the close frame `error` becomes on an open WebSocket. `unexpected`
 * is true for errors that are bugs rather than answers (the caller reports them).
 *
 * @example
 * const frame = closeFrame(error, settings.debug);
 * if (frame.unexpected) settings.logError(`Unhandled error in ${label}`, error);
 * await ws.close(frame.code, frame.reason);
 */
export function closeFrame(error: unknown, debug: boolean): CloseFrame & { unexpected: boolean } {
  // A code that may not be sent (1005, 5000, ...) is a bug in the raiser: it closes 1011 like one.
  if (error instanceof WebSocketException && isSendableCloseCode(error.code)) {
    return { code: error.code, reason: truncateReason(error.reason), unexpected: false };
  }
  if (error instanceof HTTPException) {
    const code =
      HTTP_TO_CLOSE[error.status] ?? (error.status >= 400 && error.status < 500 ? 4000 + error.status : status.WS_1011_INTERNAL_ERROR);
    return { code, reason: truncateReason(error.message), unexpected: false };
  }
  if (error instanceof ValidationError) {
    return { code: status.WS_1007_INVALID_FRAME_PAYLOAD_DATA, reason: truncateReason(error.message), unexpected: false };
  }
  if (error instanceof ClientDisconnect) {
    return { code: status.WS_1001_GOING_AWAY, reason: truncateReason(error.message), unexpected: false };
  }
  const reason = debug && error instanceof Error ? `${error.name}: ${error.message}` : 'Internal Error';
  return { code: status.WS_1011_INTERNAL_ERROR, reason: truncateReason(reason), unexpected: true };
}
