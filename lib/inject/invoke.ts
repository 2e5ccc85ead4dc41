import type { Connection } from './connection';
import type { BoundMethod } from './hook';
import type { MessageFrame } from './message-frame';
import { isThenable, type MaybePromise } from './thenable';

/** Calls a compiled function with its injected arguments; synchronous when they all are. */
export function invoke(bound: BoundMethod, connection: Connection, message?: MessageFrame): MaybePromise<unknown> {
  const args = bound.plan.args(connection, message);
  return isThenable<unknown[]>(args)
    ? Promise.resolve(args).then((ready) => bound.fn.apply(bound.self, ready))
    : bound.fn.apply(bound.self, args);
}
