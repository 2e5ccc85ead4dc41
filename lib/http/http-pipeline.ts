import { httpAnswer } from '../errors/error-table';
import { headersProblem, statusProblem } from '../errors/http-fields';
import type { Connection } from '../inject/connection';
import type { CompiledHook } from '../inject/hook';
import { invoke } from '../inject/invoke';
import { attempt, isThenable, type MaybePromise, then } from '../inject/thenable';
import type { Endpoint } from '../routing/endpoint';
import { type ExceptionOutcome, runExceptionHandler } from '../routing/exception-handler-plans';
import { JSONResponse, Response, serializedResponse, toResponse } from './response';

/**
 * Serves one HTTP request on a compiled endpoint: `onRequest` hooks in order, the handler,
 * `onResponse` hooks in reverse; on any error, the error's response and `onError` hooks in
 * reverse. Like a stack of middleware, only hooks that were reached on the way in run on the
 * way out. Never throws: the result is always a response to send.
 */
export function serveHttp(endpoint: Endpoint, connection: Connection): MaybePromise<Response> {
  // Written out rather than with `attempt` and `then`: a request served synchronously makes no closure.
  let answer: MaybePromise<Response>;
  try {
    const handled = handle(endpoint, connection);
    answer = isThenable<Response>(handled)
      ? Promise.resolve(handled).then((response) => afterResponse(endpoint.hooks, connection, response, connection.hooksEntered - 1))
      : afterResponse(endpoint.hooks, connection, handled, connection.hooksEntered - 1);
  } catch (error) {
    return recover(endpoint, connection, error);
  }
  if (!isThenable<Response>(answer)) return sendable(endpoint, connection, answer);
  return Promise.resolve(answer).then(
    (response) => sendable(endpoint, connection, response),
    (error: unknown) => recover(endpoint, connection, error),
  );
}

/** A failure of the hooks or the handler: the `onError` hooks' answer, made sendable. */
function recover(endpoint: Endpoint, connection: Connection, error: unknown): MaybePromise<Response> {
  return then(afterError(endpoint, connection, error), (response) => sendable(endpoint, connection, response));
}

/**
 * The response itself, or a 500 when its status or a header (set straight into `headers`,
 * past the checks `Response` makes) cannot be sent: Node would refuse it and cut the connection.
 */
function sendable(endpoint: Endpoint, connection: Connection, response: Response): Response {
  const problem = statusProblem(response.status, endpoint.label) ?? headersProblem(response.headers, endpoint.label);
  return problem === undefined ? response : errorResponse(new TypeError(problem), connection, endpoint.label);
}

/**
 * The error's answer by the one table, as a response; an unexpected error is reported through
 * `settings.logError`, naming `where` it happened.
 */
function errorResponse(error: unknown, connection: Connection, where: string, report = true): Response {
  const answer = httpAnswer(error, connection.settings.debug);
  if (answer.unexpected && report) connection.logError(`Unhandled error in ${where}`, error);
  return new JSONResponse(answer.body, { status: answer.status, headers: { ...answer.headers } });
}

function handle(endpoint: Endpoint, connection: Connection): MaybePromise<Response> {
  const early = beforeRequest(endpoint.hooks, connection, 0);
  if (isThenable<Response | undefined>(early)) {
    return Promise.resolve(early).then((ready) => ready ?? respond(endpoint, invoke(endpoint.handler, connection)));
  }
  return early ?? respond(endpoint, invoke(endpoint.handler, connection));
}

/**
 * The handler's value as a response: by `toResponse` on a route without a response schema; by
 * the schema's serializer otherwise, whose failure (a value that does not fit) is thrown here
 * and answered 500 like any other error.
 */
function respond(endpoint: Endpoint, value: MaybePromise<unknown>): MaybePromise<Response> {
  const serializer = endpoint.serializer;
  if (isThenable(value)) {
    return Promise.resolve(value).then(serializer === undefined ? toResponse : (ready) => serializedResponse(ready, serializer));
  }
  return serializer === undefined ? toResponse(value) : serializedResponse(value, serializer);
}

function beforeRequest(hooks: readonly CompiledHook[], connection: Connection, start: number): MaybePromise<Response | undefined> {
  for (let i = start; i < hooks.length; i++) {
    connection.hooksEntered = i + 1;
    const method = hooks[i].onRequest;
    if (!method) continue;
    const result = invoke(method, connection);
    if (isThenable(result)) {
      return Promise.resolve(result).then((value) => (value instanceof Response ? value : beforeRequest(hooks, connection, i + 1)));
    }
    if (result instanceof Response) return result;
  }
  return undefined;
}

function afterResponse(hooks: readonly CompiledHook[], connection: Connection, response: Response, start: number): MaybePromise<Response> {
  connection.response = response;
  for (let i = start; i >= 0; i--) {
    const method = hooks[i].onResponse;
    if (!method) continue;
    const result = invoke(method, connection);
    if (isThenable(result)) {
      return Promise.resolve(result).then((value) =>
        afterResponse(hooks, connection, value instanceof Response ? value : (connection.response as Response), i - 1),
      );
    }
    if (result instanceof Response) connection.response = result;
  }
  return connection.response as Response;
}

/**
 * The error's response: the exception handler registered for its nearest class, if any answers
 * (its value made a response like a route's return); else the one table's. A handler that fails
 * was logged: the answer is a 500.
 */
function answerError(endpoint: Endpoint, connection: Connection, error: unknown): MaybePromise<Response> {
  if (endpoint.exceptionHandlers === undefined) return errorResponse(error, connection, endpoint.label);
  return then(runExceptionHandler(endpoint.exceptionHandlers, connection, error, endpoint.label), (outcome: ExceptionOutcome) => {
    if (outcome.kind === 'answered') return toResponse(outcome.value);
    if (outcome.kind === 'failed') return errorResponse(HANDLER_FAILED, connection, endpoint.label, false);
    return errorResponse(error, connection, endpoint.label);
  });
}

/** What a failed exception handler answers: a 500, the failure itself having been logged. */
const HANDLER_FAILED = new Error('The exception handler failed');

function afterError(endpoint: Endpoint, connection: Connection, error: unknown): MaybePromise<Response> {
  return then(answerError(endpoint, connection, error), (response) => runErrorHooks(endpoint, connection, error, response));
}

function runErrorHooks(endpoint: Endpoint, connection: Connection, error: unknown, response: Response): MaybePromise<Response> {
  connection.error = error;
  connection.response = response;
  const run = (start: number): MaybePromise<Response> => {
    for (let i = start; i >= 0; i--) {
      const method = endpoint.hooks[i].onError;
      if (!method) continue;
      const result = attempt(
        () => invoke(method, connection),
        (failure) => {
          // A failing error hook must not hide the original error or leave the client waiting.
          connection.logError(`${endpoint.label}: ${endpoint.hooks[i].name}.onError failed`, failure);
          return undefined;
        },
      );
      if (isThenable(result)) {
        return Promise.resolve(result).then((value) => {
          if (value instanceof Response) connection.response = value;
          return run(i - 1);
        });
      }
      if (result instanceof Response) connection.response = result;
    }
    return connection.response as Response;
  };
  return run(connection.hooksEntered - 1);
}
