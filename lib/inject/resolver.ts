import type { DependencyContainer } from 'tsyringe';
import { ConfigurationError } from '../errors/exceptions';
import { cachedProvider, disposeBuilt } from './cached-provider';
import type { ComponentDefinition, ComponentScope } from './component';
import { fromSlot, toSlot } from './connection';
import { Plan } from './plan';
import { type CompileSite, type ConnectionKind, type Provider, Token, type TokenLike, tokenLabel } from './token';

/** A value Starwire provides itself (`Request`, `Scope`, `WebSocket`); a listed component replaces it. */
export interface Builtin {
  readonly kinds: readonly ConnectionKind[];
  readonly provider: Provider;
  /** Said when the token is used where it does not exist. */
  readonly hint: string;
}

const LEVEL: Record<ComponentScope, number> = { app: 0, request: 1, message: 2 };
const EVERY_KIND: readonly ConnectionKind[] = ['http', 'websocket'];

/**
 * JavaScript's own types. Decorator metadata records an interface, a union, `any` or a type
 * alias as `Object` and a primitive as its wrapper; the container would hand out an empty
 * `Map` or a `new Object()`, so asking for one of these is a startup error instead.
 */
const BUILT_IN_TYPES: ReadonlySet<unknown> = new Set<unknown>([
  Object,
  Function,
  Array,
  Map,
  Set,
  WeakMap,
  WeakSet,
  Promise,
  Date,
  RegExp,
  Error,
  String,
  Number,
  Boolean,
  Symbol,
  BigInt,
]);

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
  /**
   * Where each request-scoped component and service keeps its value on a connection: an array
   * slot, read with no hashing, rather than a map made per request.
   */
  private readonly slots = new Map<unknown, number>();
  /** Services resolved for app-scoped components, once per app. */
  private readonly appServices = new Map<unknown, unknown>();

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
  plan(tokens: readonly TokenLike[], name: string, site: CompileSite): Plan {
    this.checkBodyFormats(tokens, name, site);
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
    return tokens.some(
      (token) =>
        (token instanceof Token && (token as { scope?: ComponentScope }).scope === 'message') ||
        this.components.get(token)?.scope === 'message',
    );
  }

  /**
   * The kinds of connection on which every one of `tokens` exists, following the dependencies
   * of listed components: a function that injects `WebSocket`, or a component built from it,
   * can only run on WebSocket connections.
   */
  kindsOf(tokens: readonly TokenLike[], stack: readonly ComponentDefinition[] = []): ConnectionKind[] {
    let kinds = [...EVERY_KIND];
    for (const token of tokens) {
      const own = this.kindsOfToken(token, stack);
      kinds = kinds.filter((kind) => own.includes(kind));
    }
    return kinds;
  }

  private kindsOfToken(token: TokenLike, stack: readonly ComponentDefinition[]): readonly ConnectionKind[] {
    const definition = this.components.get(token);
    // A cycle is reported when the function is compiled; here it restricts nothing.
    if (definition) return stack.includes(definition) ? EVERY_KIND : this.kindsOf(definition.deps, [...stack, definition]);
    const builtin = this.builtins.get(token);
    if (builtin) return builtin.kinds;
    if (token instanceof Token) return token.kinds ?? EVERY_KIND;
    return EVERY_KIND;
  }

  /**
   * The `Token`s that `tokens` read, directly or through the dependencies of listed components,
   * each once: what the API descriptions learn a function's parameters, body and messages from.
   */
  reachedTokens(tokens: readonly TokenLike[]): Token<unknown>[] {
    const reached = new Set<Token<unknown>>();
    const visit = (list: readonly TokenLike[], stack: readonly ComponentDefinition[]): void => {
      for (const token of list) {
        const definition = this.components.get(token);
        if (definition) {
          if (!stack.includes(definition)) visit(definition.deps, [...stack, definition]);
        } else if (token instanceof Token) {
          reached.add(token);
        }
      }
    };
    visit(tokens, []);
    return [...reached];
  }

  /**
   * A function may read the body one way only: `Body` (JSON) and `Form` (a form) on one
   * function, directly or through the components it uses, is a startup error.
   */
  private checkBodyFormats(tokens: readonly TokenLike[], name: string, site: CompileSite): void {
    const readers = new Map<string, string>();
    for (const token of this.reachedTokens(tokens)) {
      if (token.bodyFormat !== undefined && !readers.has(token.bodyFormat)) readers.set(token.bodyFormat, token.label);
    }
    if (readers.size < 2) return;
    const [first, second] = [...readers.entries()];
    throw new ConfigurationError(
      `${site.where}, function ${name}: ${first[1]} reads the request body as ${first[0]} and ${second[1]} reads it as ${second[0]}; ` +
        'a body is read once, one way: inject one of them',
    );
  }

  /** App-scoped values that have a `dispose`, for `app.close()`. */
  async disposeAppValues(): Promise<void> {
    for (const [definition, value] of this.appValues) {
      if (definition.dispose) await disposeBuilt(value, definition.dispose.bind(definition));
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
    if (BUILT_IN_TYPES.has(token)) {
      throw new ConfigurationError(
        `${site.where}: ${tokenLabel(token)} is a built-in type, not something to inject; decorator metadata gives Object for ` +
          'interfaces, unions, type aliases and `any`, and String, Number, ... for primitives: declare the parameter with a token, ' +
          "e.g. @inject([Header('x-name'), ComponentToken, ...])",
      );
    }
    return this.compileService(token, site, ceiling);
  }

  private compileComponent(
    definition: ComponentDefinition,
    site: CompileSite,
    ceiling: number,
    stack: readonly ComponentDefinition[],
  ): Compiled {
    if (stack.includes(definition)) {
      const cycle = [...stack.slice(stack.indexOf(definition)), definition].map((d) => tokenLabel(d.token)).join(' → ');
      throw new ConfigurationError(`${site.where}: dependency cycle ${cycle}`);
    }
    const level = LEVEL[definition.scope];
    if (level === LEVEL.message && !site.perMessage) {
      throw new ConfigurationError(
        `${site.where}: ${tokenLabel(definition.token)} is a 'message'-scoped component, available only to WebSocket message handlers (handlers that inject Message)`,
      );
    }
    if (level > ceiling) {
      throw new ConfigurationError(
        `${site.where}: ${tokenLabel(definition.token)} is '${definition.scope}'-scoped and cannot be used by a longer-lived component`,
      );
    }
    // The same component compiles to the same provider wherever the site is equivalent.
    const key = `${site.kind}|${site.perMessage}|${Object.entries(site.pathParams ?? {}).join(',')}`;
    const cacheKey = `${key}|${this.indexOf(definition)}`;
    const cached = this.compiledComponents.get(cacheKey);
    if (cached) return cached;

    const label = tokenLabel(definition.token);
    const inner = [...stack, definition];
    const deps = new Plan(
      definition.deps.map(
        (dep, index) =>
          this.compile(
            dep,
            { ...site, where: `${site.where} → component ${label}, dependency ${index + 1} (${tokenLabel(dep)})` },
            level,
            inner,
          ).provider,
      ),
    );
    const compiled = { provider: cachedProvider(definition, deps, this.appValues, this.slotOf(definition), this.newSlots), level };
    this.compiledComponents.set(cacheKey, compiled);
    return compiled;
  }

  /** A connection's `slots`, sized for every slot numbered so far, so that filling them never grows it. */
  private readonly newSlots = (): unknown[] => new Array<unknown>(this.slots.size);

  /** The slot of a connection's `slots` where the value of `key` (a component, a service) is kept. */
  private slotOf(key: unknown): number {
    let slot = this.slots.get(key);
    if (slot === undefined) this.slots.set(key, (slot = this.slots.size));
    return slot;
  }

  private indexOf(definition: ComponentDefinition): number {
    let index = 0;
    for (const listed of this.components.values()) {
      if (listed === definition) return index;
      index++;
    }
    return -1;
  }

  private compileService(token: TokenLike, site: CompileSite, ceiling: number): Compiled {
    const label = tokenLabel(token);
    const registered = this.container.isRegistered(token as never, true);
    if (!registered) {
      if (typeof token !== 'function') {
        throw new ConfigurationError(
          `${site.where}: nothing provides ${label}: it is neither a listed component nor registered in the container`,
        );
      }
      const reflect = Reflect as unknown as { getMetadata?: (key: string, target: object) => unknown };
      const constructible = token.length === 0 || reflect.getMetadata?.('design:paramtypes', token) !== undefined;
      if (!constructible) {
        throw new ConfigurationError(
          `${site.where}: nothing provides ${label}: it is not a listed component, not registered in the container, ` +
            `and its constructor takes ${token.length} parameter(s) without @injectable(); list component(${label}, ...) or register it`,
        );
      }
    }
    // Inside an app-scoped component, services come from the app's container; elsewhere from
    // the connection's child container, which is disposed with the connection. Either way a
    // service is resolved once per scope, so hooks, handler and components share one instance
    // even where the container would construct a new one on every resolve.
    if (ceiling === LEVEL.app) {
      const services = this.appServices;
      const provider: Provider = () => {
        if (!services.has(token)) services.set(token, this.container.resolve(token as never));
        return services.get(token);
      };
      return { provider, level: LEVEL.app };
    }
    const slot = this.slotOf(token);
    const provider: Provider = (connection) => {
      const slots = (connection.slots ??= this.newSlots());
      const held = slots[slot];
      if (held !== undefined) return fromSlot(held);
      const value: unknown = connection.container.resolve(token as never);
      slots[slot] = toSlot(value);
      return value;
    };
    return { provider, level: LEVEL.request };
  }

  private checked(compiled: Compiled, site: CompileSite, ceiling: number): Compiled {
    if (compiled.level > ceiling) {
      const lives = compiled.level === LEVEL.message ? 'one message' : 'one connection';
      throw new ConfigurationError(`${site.where}: this value lives for ${lives} and cannot be used by a longer-lived component`);
    }
    return compiled;
  }
}

/**
 * Disposes a component's value once its scope ends. A value whose async factory failed was
 * never built: there is nothing to dispose, and its failure already reached the request's error
 * path, so it is not reported again.
 */
