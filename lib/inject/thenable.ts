/**
 * The request path stays synchronous while every step is synchronous: a promise appears only
 * when some hook, component or handler actually returns one. These two helpers carry a value
 * that may or may not be a promise through the next step without creating one themselves.
 */

export type MaybePromise<T> = T | Promise<T>;

export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Applies `next` to `value` now, or once it settles when it is a promise. */
export function then<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isThenable<T>(value) ? Promise.resolve(value).then(next) : next(value);
}

/**
 * Runs `step`; if it throws or rejects, runs `recover` with the error. Synchronous when both are.
 */
export function attempt<R>(step: () => MaybePromise<R>, recover: (error: unknown) => MaybePromise<R>): MaybePromise<R> {
  let result: MaybePromise<R>;
  try {
    result = step();
  } catch (error) {
    return recover(error);
  }
  return isThenable<R>(result) ? Promise.resolve(result).then(undefined, recover) : result;
}
