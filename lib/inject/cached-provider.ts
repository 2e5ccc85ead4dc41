import type { ComponentDefinition } from './component';
import { type Connection, fromSlot, toSlot } from './connection';
import type { MessageFrame } from './message-frame';
import type { Plan } from './plan';
import { isThenable, type MaybePromise } from './thenable';
import type { Provider } from './token';

/**
 * The provider of a component: it builds the value from its dependencies' plan once per scope
 * ('app', 'request' or 'message'), shares it with every hook and handler of that scope, and
 * disposes a request-scoped value when its connection ends.
 */
export function cachedProvider(
  definition: ComponentDefinition,
  deps: Plan,
  appValues: Map<unknown, unknown>,
  slot: number,
  newSlots: () => unknown[],
): Provider {
  const factory = definition.factory as (...args: unknown[]) => MaybePromise<unknown>;
  const build =
    deps.providers.length === 0
      ? // No arguments to gather: the factory is called straight, with no array spread.
        (): MaybePromise<unknown> => factory()
      : (connection: Connection, message: MessageFrame | undefined): MaybePromise<unknown> => {
          const args = deps.args(connection, message);
          return isThenable<unknown[]>(args) ? Promise.resolve(args).then((ready) => factory(...ready)) : factory(...args);
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
        const slots = (connection.slots ??= newSlots());
        const held = slots[slot];
        if (held !== undefined) return fromSlot(held);
        const value = build(connection, message);
        slots[slot] = toSlot(value);
        if (isThenable(value)) {
          // Later users get the settled value; a failed build is retried by the next user, not cached.
          Promise.resolve(value).then(
            (ready) => {
              slots[slot] = toSlot(ready);
            },
            () => {
              slots[slot] = undefined;
            },
          );
        }
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
