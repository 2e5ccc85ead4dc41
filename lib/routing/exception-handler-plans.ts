import { type ErrorClass, type ExceptionHandlerEntry, ExceptionHandlers } from '../errors/exception-handlers';
import { ConfigurationError } from '../errors/exceptions';
import type { Connection } from '../inject/connection';
import type { BoundMethod } from '../inject/hook';
import { requiredTokens } from '../inject/inject';
import { invoke } from '../inject/invoke';
import type { Resolver } from '../inject/resolver';
import { attempt, type MaybePromise, then } from '../inject/thenable';
import type { CompileSite } from '../inject/token';

/** A route's exception handlers, each with its parameters compiled for the route's kind of connection. */
export type CompiledExceptionHandlers = ExceptionHandlers<BoundMethod & { readonly name: string }>;

/**
 * Compiles `entries` (innermost first) for one route: each handler's parameters get a plan
 * like a hook's. A handler that injects what this kind of connection lacks (`Request` on a
 * WebSocket route, `WebSocket` on an HTTP one) does not apply here, as a hook method would not.
 * Undefined when no entry applies, so the pipelines skip the lookup.
 */
export function compileExceptionHandlers(
  entries: readonly ExceptionHandlerEntry[],
  site: CompileSite,
  resolver: Resolver,
): CompiledExceptionHandlers | undefined {
  const compiled: [ErrorClass, BoundMethod & { readonly name: string }][] = [];
  for (const [errorClass, handler] of entries) {
    const name = `exception handler ${handler.name || 'handler'} for ${errorClass.name || 'an anonymous class'}`;
    const where = `${site.where}, ${name}`;
    const tokens = requiredTokens(handler, where) ?? (handler.length === 0 ? [] : undefined);
    if (!tokens) {
      throw new ConfigurationError(
        `${where} takes ${handler.length} parameter(s) but declares no tokens; wrap it: inject([CurrentError, ...], fn)`,
      );
    }
    if (!resolver.kindsOf(tokens).includes(site.kind)) continue;
    const plan = resolver.plan(tokens, name, { ...site, perMessage: false, where });
    compiled.push([errorClass, { fn: handler as (...args: unknown[]) => unknown, plan, self: undefined as unknown as object, name }]);
  }
  return compiled.length === 0 ? undefined : new ExceptionHandlers(compiled);
}

/**
 * What became of an error given to the exception handlers: none matched (or the handler returned
 * `undefined`, declining it), the handler answered with `value`, or it failed (already logged).
 */
export type ExceptionOutcome =
  | { readonly kind: 'unhandled' }
  | { readonly kind: 'answered'; readonly value: unknown }
  | { readonly kind: 'failed' };

const UNHANDLED: ExceptionOutcome = Object.freeze({ kind: 'unhandled' });
const FAILED: ExceptionOutcome = Object.freeze({ kind: 'failed' });

/**
 * Runs the handler that matches `error`, with `CurrentError` set to it. A handler that throws or
 * rejects is reported through `settings.logError`, naming the route and the handler; never thrown.
 * `check` validates the value (a close code that cannot be sent, say) inside the same guard.
 */
export function runExceptionHandler(
  handlers: CompiledExceptionHandlers | undefined,
  connection: Connection,
  error: unknown,
  label: string,
  check: (value: unknown) => void = () => {},
): MaybePromise<ExceptionOutcome> {
  const found = handlers?.match(error);
  if (!found) return UNHANDLED;
  connection.error = error;
  return attempt(
    () =>
      then(invoke(found.handler, connection), (value): ExceptionOutcome => {
        if (value === undefined) return UNHANDLED;
        check(value);
        return { kind: 'answered', value };
      }),
    (failure) => {
      connection.settings.logError(`${label}: ${found.handler.name} failed`, failure);
      return FAILED;
    },
  );
}
