import type { Connection } from './connection';
import type { MessageFrame } from './message-frame';
import { isThenable, type MaybePromise } from './thenable';
import type { Provider } from './token';

const EMPTY_ARGS: unknown[] = [];

/**
 * The arguments of one function, compiled: one provider per parameter. `args()` returns a plain
 * array when every provider is synchronous and a promise only when one of them is not.
 *
 * @example
 * const plan = resolver.plan([Request, PathParam('id')], 'getUser', site);
 * const args = plan.args(connection, undefined); // [request, 7], or a promise of it
 */
export class Plan {
  constructor(readonly providers: readonly Provider[]) {}

  args(connection: Connection, message: MessageFrame | undefined): MaybePromise<unknown[]> {
    const providers = this.providers;
    const count = providers.length;
    if (count === 0) return EMPTY_ARGS;
    const args = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const value = providers[i](connection, message);
      if (isThenable(value)) return this.finish(args, i, value, connection, message);
      args[i] = value;
    }
    return args;
  }

  private async finish(
    args: unknown[],
    index: number,
    pending: PromiseLike<unknown>,
    connection: Connection,
    message: MessageFrame | undefined,
  ): Promise<unknown[]> {
    args[index] = await pending;
    for (let i = index + 1; i < this.providers.length; i++) args[i] = await this.providers[i](connection, message);
    return args;
  }
}
