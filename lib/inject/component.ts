import { ConfigurationError } from '../errors/exceptions';
import type { MaybePromise } from './thenable';
import { type CompileSite, type Provider, type ResolvedAll, Token, type TokenLike } from './token';

/**
 * How long a component's value lives: one HTTP request or WebSocket connection (`'request'`),
 * one WebSocket message in a message handler (`'message'`), or the whole app (`'app'`).
 */
export type ComponentScope = 'request' | 'message' | 'app';

export interface ComponentOptions<T> {
  /** Default `'request'`. */
  scope?: ComponentScope;
  /** Called when the value's scope ends (`'request'` and `'message'` scopes; app scope on `app.close()`). */
  dispose?: (value: T) => MaybePromise<void>;
}

/** What a component is keyed by: a class, or a `ComponentToken` for values that are not class instances. */
export type ComponentKey<T> = (abstract new (...args: never[]) => T) | Token<T>;

/** How to build one injectable value; list it in `App({ components: [...] })`. */
export interface ComponentDefinition<T = unknown> {
  readonly token: ComponentKey<T>;
  readonly deps: readonly TokenLike[];
  readonly factory: (...args: never[]) => MaybePromise<T>;
  readonly scope: ComponentScope;
  dispose?(value: T): MaybePromise<void>;
}

/**
 * Defines how to build `token` from other injectable values. The factory's parameter types are
 * inferred from `deps`; it may be async. Listed components override built-in ones.
 *
 * @example
 * class User { constructor(readonly name: string) {} }
 * const currentUser = component(User, [Header('x-user')], (name) => {
 *   if (!name) throw new HTTPException(status.HTTP_401_UNAUTHORIZED);
 *   return new User(name);
 * });
 * const app = new App({ routes, components: [currentUser] });
 */
export function component<T, const Ds extends readonly TokenLike[]>(
  token: ComponentKey<T>,
  deps: Ds,
  factory: (...args: ResolvedAll<Ds>) => MaybePromise<T>,
  options: ComponentOptions<T> = {},
): ComponentDefinition<T> {
  const scope = options.scope ?? 'request';
  if (scope !== 'request' && scope !== 'message' && scope !== 'app') {
    throw new TypeError(
      `component(${String((token as { name?: string }).name)}): scope must be 'request', 'message' or 'app', got ${String(scope)}`,
    );
  }
  if (!Array.isArray(deps)) throw new TypeError('component(token, deps, factory): deps must be an array of tokens');
  if (typeof factory !== 'function') throw new TypeError('component(token, deps, factory): factory must be a function');
  return { token, deps, factory: factory as (...args: never[]) => MaybePromise<T>, scope, dispose: options.dispose };
}

/**
 * A key for a component whose value is not a class instance (a config object, a function).
 *
 * @example
 * const Config = new ComponentToken<{ greeting: string }>('Config');
 * const config = component(Config, [], () => ({ greeting: 'hello' }), { scope: 'app' });
 * const hello = inject([Config], (config) => config.greeting);
 */
export class ComponentToken<T> extends Token<T> {
  readonly label: string;

  constructor(name: string) {
    super();
    this.label = name;
  }

  compile(site: CompileSite): Provider<T> {
    throw new ConfigurationError(
      `${site.where}: no component is listed for ${this.label}; add component(${this.label}, ...) to App({ components })`,
    );
  }
}
