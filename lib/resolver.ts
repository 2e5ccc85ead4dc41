import type { DependencyContainer } from 'tsyringe';
import type { ComponentDefinition, ComponentScope } from './component';
import type { Connection } from './connection';
import { ConfigurationError } from './exceptions';
import type { MessageFrame } from './message-frame';
import { isThenable, type MaybePromise } from './thenable';
import { Token, tokenLabel, type CompileSite, type ConnectionKind, type Provider, type TokenLike } from './token';

/** A value Starwire provides itself (`Request`, `Scope`, `WebSocket`); a listed component replaces it. */
export interface Builtin {
  readonly kinds: readonly ConnectionKind[];
  readonly provider: Provider;
  /** Said when the token is used where it does not exist. */
  readonly hint: string;
}

/** Where a function is being planned, for the resolver's checks and error messages. */
export interface PlanSite {
  readonly kind: ConnectionKind;
  readonly perMessage: boolean;
  /** "route GET /users/{id}" or "route WS /chat, hook Auth.onRequest". */
  readonly where: string;
  /** Path parameters of the route and their converters (`{ id: 'int' }`); undefined where unknown. */
  readonly pathParams: Readonly<Record<string, string>> | undefined;
}

const LEVEL: Record<ComponentScope, number> = { app: 0, request: 1, message: 2 };
const EMPTY_ARGS: unknown[] = [];

/**
 * The arguments of one function, compiled: one provider per parameter. `args()` returns a plain
 * array when every provider is synchronous and a promise only when one of them is not.
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

  private async finish(args: unknown[], index: number, pending: PromiseLike<unknown>, connection: Connection, message: MessageFrame | undefined): Promise<unknown[]> {
    args[index] = await pending;
    for (let i = index + 1; i < this.providers.length; i++) args[i] = await this.providers[i](connection, message);
    return args;
  }
}

interface Compiled {
  readonly provider: Provider;
  /** The longest-lived scope this value can be shared in (0 app, 1 request, 2 message). */
  readonly level: number;
}

/**
 * Turns token lists into plans when the app is built, so that an unknown token, a cycle or a
 * scope mistake fails at startup with the route, function and parameter named.
 */
export class Resolver {
  private readonly components = new Map<unknown, ComponentDefinition>();
  private readonly compiledComponents = new Map<string, Compiled>();
  private readonly appValues = new Map<ComponentDefinition, unknown>();

  constructor(
    definitions: readonly ComponentDefinition[],
    private readonly builtins: ReadonlyMap<unknown, Builtin>,
    private readonly container: DependencyContainer,
  ) {
    for (const definition of definitions) {
      if (!definition || typeof definition !== 'object' || !('factory' in definition)) {
        throw new ConfigurationError(`App components: expected component(...) definitions, got ${String(definition)}`);
      }
      // The same definition listed twice (two hooks sharing one component) is one component.
      if (this.components.get(definition.token) === definition) continue;
      if (this.components.has(definition.token)) {
        throw new ConfigurationError(`App components: ${tokenLabel(definition.token)} is listed twice`);
      }
      this.components.set(definition.token, definition);
    }
  }

  /** Compiles the parameters of `fn` (named `name` in errors) at `site`. */
  plan(tokens: readonly TokenLike[], name: string, site: PlanSite): Plan {
    const providers = tokens.map((token, index) => {
      const where = `${site.where}, function ${name}, parameter ${index + 1} (${tokenLabel(token)})`;
      return this.compile(token, { ...site, where }, 2, []).provider;
    });
    return new Plan(providers);
  }

  /**
   * True when a handler with these tokens runs per WebSocket message: it asks for `Message`
   * or for a `'message'`-scoped component.
   */
  isPerMessage(tokens: readonly TokenLike[]): boolean {
    return tokens.some((token) =>
      (token instanceof Token && (token as { scope?: ComponentScope }).scope === 'message') ||
      this.components.get(token)?.scope === 'message');
  }

  /** App-scoped values that have a `dispose`, for `app.close()`. */
  async disposeAppValues(): Promise<void> {
    for (const [definition, value] of this.appValues) {
      if (definition.dispose) await definition.dispose(await value);
    }
    this.appValues.clear();
  }

  private compile(token: TokenLike, site: CompileSite, ceiling: number, stack: readonly ComponentDefinition[]): Compiled {
    const definition = this.components.get(token);
    if (definition) return this.compileComponent(definition, site, ceiling, stack);
    const builtin = this.builtins.get(token);
    if (builtin) {
      if (!builtin.kinds.includes(site.kind)) throw new ConfigurationError(`${site.where}: ${builtin.hint}`);
      return this.checked({ provider: builtin.provider, level: LEVEL.request }, site, ceiling);
    }
    if (token instanceof Token) {
      const level = (token as { scope?: ComponentScope }).scope === 'message' ? LEVEL.message : LEVEL.request;
      return this.checked({ provider: token.compile(site) as Provider, level }, site, ceiling);
    }
    return this.compileService(token, site, ceiling);
  }

  private compileComponent(definition: ComponentDefinition, site: CompileSite, ceiling: number, stack: readonly ComponentDefinition[]): Compiled {
    if (stack.includes(definition)) {
      const cycle = [...stack.slice(stack.indexOf(definition)), definition].map((d) => tokenLabel(d.token)).join(' → ');
      throw new ConfigurationError(`${site.where}: dependency cycle ${cycle}`);
    }
    const level = LEVEL[definition.scope];
    if (level === LEVEL.message && !site.perMessage) {
      throw new ConfigurationError(`${site.where}: ${tokenLabel(definition.token)} is a 'message'-scoped component, available only to WebSocket message handlers (handlers that inject Message)`);
    }
    if (level > ceiling) {
      throw new ConfigurationError(`${site.where}: ${tokenLabel(definition.token)} is '${definition.scope}'-scoped and cannot be used by a longer-lived component`);
    }
    // The same component compiles to the same provider wherever the site is equivalent.
    const key = `${site.kind}|${site.perMessage}|${Object.entries(site.pathParams ?? {}).join(',')}`;
    const cacheKey = `${key}|${this.indexOf(definition)}`;
    const cached = this.compiledComponents.get(cacheKey);
    if (cached) return cached;

    const label = tokenLabel(definition.token);
    const inner = [...stack, definition];
    const deps = new Plan(definition.deps.map((dep, index) =>
      this.compile(dep, { ...site, where: `${site.where} → component ${label}, dependency ${index + 1} (${tokenLabel(dep)})` }, level, inner).provider));
    const compiled = { provider: this.cachedProvider(definition, deps), level };
    this.compiledComponents.set(cacheKey, compiled);
    return compiled;
  }

  private indexOf(definition: ComponentDefinition): number {
    let index = 0;
    for (const listed of this.components.values()) {
      if (listed === definition) return index;
      index++;
    }
    return -1;
  }

  private cachedProvider(definition: ComponentDefinition, deps: Plan): Provider {
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
        Promise.resolve(value).then((ready) => cache.set(definition, ready), () => cache.delete(definition));
      }
      return value;
    };
    switch (definition.scope) {
      case 'app':
        return (connection, message) => {
          const values = this.appValues;
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
          if (dispose) connection.onDispose(async () => dispose(await value));
          return value;
        };
    }
  }

  private compileService(token: TokenLike, site: CompileSite, ceiling: number): Compiled {
    const label = tokenLabel(token);
    const registered = this.container.isRegistered(token as never, true);
    if (!registered) {
      if (typeof token !== 'function') {
        throw new ConfigurationError(`${site.where}: nothing provides ${label}: it is neither a listed component nor registered in the container`);
      }
      const reflect = Reflect as unknown as { getMetadata?: (key: string, target: object) => unknown };
      const constructible = token.length === 0 || reflect.getMetadata?.('design:paramtypes', token) !== undefined;
      if (!constructible) {
        throw new ConfigurationError(
          `${site.where}: nothing provides ${label}: it is not a listed component, not registered in the container, ` +
          `and its constructor takes ${token.length} parameter(s) without @injectable(); list component(${label}, ...) or register it`);
      }
    }
    // Inside an app-scoped component, services come from the app's container; elsewhere from
    // the connection's child container, which is disposed with the connection.
    const provider: Provider = ceiling === LEVEL.app
      ? () => this.container.resolve(token as never)
      : (connection) => connection.container.resolve(token as never);
    return { provider, level: ceiling === LEVEL.app ? LEVEL.app : LEVEL.request };
  }

  private checked(compiled: Compiled, site: CompileSite, ceiling: number): Compiled {
    if (compiled.level > ceiling) {
      const lives = compiled.level === LEVEL.message ? 'one message' : 'one connection';
      throw new ConfigurationError(`${site.where}: this value lives for ${lives} and cannot be used by a longer-lived component`);
    }
    return compiled;
  }
}
