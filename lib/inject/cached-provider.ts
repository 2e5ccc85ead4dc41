import type { ComponentDefinition } from './component';
import type { Connection } from './connection';
import type { MessageFrame } from './message-frame';
import type { Plan } from './plan';
import { isThenable, type MaybePromise } from './thenable';
import type { Provider } from './token';

/**
 * The provider of a component: it builds the value from its dependencies' plan once per scope
 * ('app', 'request' or 'message'), shares it with every hook and handler of that scope, and
 * disposes a request-scoped value when its connection ends.
 */
export function cachedProvider(definition: ComponentDefinition, deps: Plan, appValues: Map<unknown, unknown>): Provider {
  const build = (connection: Connection, message: MessageFrame | undefined): MaybePromise<unknown> => {
    const args = deps.args(connection, message);
    return isThenable<unknown[]>(args)
      ? Promise.resolve(args).then((ready) => definition.factory(...(ready as never[])))
      : definition.factory(...(args as never[]));
  };
  const dispose = definition.dispose?.bind(definition);
  const remember = (cache: Map<unknown, unknown>, value: unknown): unknown => {
    cache.set(definition, value);
    if (isThenable(value)) {
      // Later users get the settled value; a failed build is retried by the next scope, not cached.
      Promise.resolve(value).then(
        (ready) => cache.set(definition, ready),
        () => cache.delete(definition),
      );
    }
    return value;
  };
  switch (definition.scope) {
    case 'app':
      return (connection, message) => {
        const values = appValues;
        return values.has(definition) ? values.get(definition) : remember(values, build(connection, message));
      };
    case 'message':
      return (connection, message) => {
        const cache = (message!.cache ??= new Map());
        return cache.has(definition) ? cache.get(definition) : remember(cache, build(connection, message));
      };
    default:
      return (connection, message) => {
        const cache = (connection.cache ??= new Map());
        if (cache.has(definition)) return cache.get(definition);
        const value = remember(cache, build(connection, message));
        if (dispose) connection.onDispose(() => disposeBuilt(value, dispose));
        return value;
      };
  }
}

/** Disposes a built value once it has settled; a build that failed has nothing to dispose. */
export function disposeBuilt<T>(value: MaybePromise<T>, dispose: (value: T) => MaybePromise<void>): MaybePromise<void> {
  if (!isThenable<T>(value)) return dispose(value);
  return Promise.resolve(value).then(dispose, () => undefined);
}
