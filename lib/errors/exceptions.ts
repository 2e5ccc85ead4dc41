import { STATUS_CODES } from 'node:http';
import { assertHeaders, assertStatus } from './http-fields';
import * as status from './status';

/**
 * Raised to answer with an HTTP status. Before a WebSocket is accepted it becomes the
 * handshake's HTTP response; after, it maps to a close code (401→3000, 403→3003, ...).
 *
 * A status that is not an integer from 100 to 599, or a header that cannot be sent (a CR or
 * LF in its value), is a TypeError here, where it was made: the route answers 500 and the
 * mistake is logged, rather than the connection being cut when the response is written.
 *
 * @example
 * throw new HTTPException(status.HTTP_403_FORBIDDEN, 'Admins only');
 */
export class HTTPException extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, detail?: unknown, headers: Record<string, string> = {}) {
    assertStatus(statusCode, 'HTTPException');
    assertHeaders(headers, 'HTTPException');
    const text = detail === undefined ? (STATUS_CODES[statusCode] ?? `HTTP ${statusCode}`) : detail;
    super(typeof text === 'string' ? text : JSON.stringify(text));
    this.name = 'HTTPException';
    this.status = statusCode;
    this.detail = text;
    this.headers = headers;
  }
}

/**
 * Raised to close a WebSocket with a given code and reason. Raised before the handshake
 * completes, the connection is accepted first and then closed, so browsers see the code.
 *
 * @example
 * throw new WebSocketException(status.WS_1008_POLICY_VIOLATION, 'Too many rooms');
 */
export class WebSocketException extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason = '') {
    super(reason || `WebSocket closed with ${code}`);
    this.name = 'WebSocketException';
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The peer broke the application protocol (wrong subprotocol, unexpected frame): closes 1002.
 *
 * @example
 * if (message.type !== 'hello') throw new WebSocketProtocolError(`Expected "hello" first, got ${JSON.stringify(message.type)}`);
 */
export class WebSocketProtocolError extends WebSocketException {
  constructor(reason = 'Protocol error') {
    super(status.WS_1002_PROTOCOL_ERROR, reason);
    this.name = 'WebSocketProtocolError';
  }
}

/**
 * Thrown by a receive once the peer has gone: `code` and `reason` are what the peer's close
 * frame carried (1005 when it carried none, 1006 when the connection dropped without one), or
 * the server's own close (1008, 1013, ...). It ends a handler quietly only when raised by the
 * handler's own socket; sends never throw it (they resolve to false).
 *
 * @example
 * try { for (;;) await ws.send(await ws.receive()); }
 * catch (err) { if (!(err instanceof WebSocketDisconnect)) throw err; }
 */
export class WebSocketDisconnect extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number = status.WS_1000_NORMAL_CLOSURE, reason = '') {
    super(`WebSocket disconnected with ${code}${reason ? ` (${reason})` : ''}`);
    this.name = 'WebSocketDisconnect';
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The client left while its request was being served (an HTTP request aborted, a WebSocket
 * closed): work started for it is cancelled and rejects with this. The one table answers it
 * without reporting it (no one is left to read the answer); an `Offload` task that nobody
 * awaits never becomes an unhandled rejection with it.
 *
 * @example
 * try { await offload.run<typeof import('./work')>(require.resolve('./work'), 'hash', [input]); }
 * catch (err) { if (err instanceof ClientDisconnect) return; throw err; }
 */
export class ClientDisconnect extends Error {
  constructor(message = 'The client disconnected') {
    super(message);
    this.name = 'ClientDisconnect';
  }
}

/** One problem found while validating input, in ajv's shape. */
export interface ValidationIssue {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * Input failed validation: an HTTP 400 naming the parameter with ajv's errors, or a
 * WebSocket close 1007.
 *
 * @example
 * throw new ValidationError('body', [{ instancePath: '/name', schemaPath: '#/required',
 *   keyword: 'required', params: { missingProperty: 'name' }, message: "must have required property 'name'" }]);
 */
export class ValidationError extends Error {
  /** Which input failed: `body`, `message`, `query parameter "page"`, ... */
  readonly parameter: string;
  readonly errors: readonly ValidationIssue[];

  constructor(parameter: string, errors: readonly ValidationIssue[], message?: string) {
    const first = errors[0];
    super(message ?? `Invalid ${parameter}${first ? `: ${first.instancePath || '(root)'} ${first.message ?? first.keyword}` : ''}`);
    this.name = 'ValidationError';
    this.parameter = parameter;
    this.errors = errors;
  }
}

/**
 * The app's configuration is wrong: raised while the `App` is constructed, never per request.
 *
 * @example
 * // {id:int} makes a number: the handler must declare it with a numeric schema
 * assert.throws(() => new App({ routes: [new Route('/users/{id:int}', 'GET', inject([PathParam('id')], (id) => id))] }),
 *   ConfigurationError);
 */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
