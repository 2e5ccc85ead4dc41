import { type Provider, Token } from '../lib/inject/token';

/**
 * The error being handled, for `onError` hooks; `undefined` elsewhere.
 *
 * @example
 * class ReportErrors {
 *   @inject([CurrentError, Scope])
 *   onError(error: unknown, scope: Scope) { metrics.count('errors', { path: scope.path }); }
 * }
 */
export class CurrentErrorToken extends Token<unknown> {
  readonly label = 'CurrentError';

  compile(): Provider<unknown> {
    return (connection) => connection.error;
  }
}

/**
 * The error being handled, for `onError` hooks; `undefined` elsewhere. See `CurrentErrorToken`.
 *
 * @example
 * class LogErrors {
 *   @inject([CurrentError, Scope])
 *   onError(error: unknown, scope: Scope) { console.error(`${scope.path}:`, error); }
 * }
 */
export const CurrentError = new CurrentErrorToken();
