import type { DependencyContainer } from 'tsyringe';
import type { ExceptionHandlerEntry } from '../errors/exception-handlers';
import { ConfigurationError } from '../errors/exceptions';
import { type BoundMethod, type CompiledHook, compileHook, type Hook, type HookLike, instantiateHook } from '../inject/hook';
import { requiredTokens } from '../inject/inject';
import type { Resolver } from '../inject/resolver';
import type { CompileSite } from '../inject/token';
import { type CompiledExceptionHandlers, compileExceptionHandlers } from './exception-handler-plans';
import type { ResponseSerializer } from './response-serializer';
import type { Handler } from './routes';

/** A route, or the app's fallback, ready to serve: its handler and hooks, compiled. */
export interface Endpoint {
  /** "route GET /users/{id}", for logs and errors. */
  readonly label: string;
  /** The route's path template ("/users/{id}"); undefined for the fallback and malformed-path endpoints. */
  readonly template?: string;
  readonly handler: BoundMethod;
  readonly hooks: readonly CompiledHook[];
  /** The route's exception handlers and the app's, by class; undefined when there are none. */
  readonly exceptionHandlers: CompiledExceptionHandlers | undefined;
  /** Writes the plain values the handler returns, from the route's response schema; undefined when it declares none. */
  readonly serializer: ResponseSerializer | undefined;
}

/** One instance per hook class per app, shared by every route that lists it. */
export class HookInstances {
  private readonly instances = new Map<HookLike, Hook>();

  constructor(private readonly container: DependencyContainer) {}

  get(hook: HookLike): Hook {
    let instance = this.instances.get(hook);
    if (!instance) this.instances.set(hook, (instance = instantiateHook(hook, this.container)));
    return instance;
  }

  all(): Hook[] {
    return [...this.instances.values()];
  }
}

/** The tokens of a route handler; a handler with parameters must declare them. */
export function handlerTokens(handler: Handler, label: string): ReturnType<typeof requiredTokens> & object {
  const tokens = requiredTokens(handler, `${label}, function ${handler.name || 'handler'}`) ?? (handler.length === 0 ? [] : undefined);
  if (!tokens) {
    const name = handler.name || 'handler';
    throw new ConfigurationError(
      `${label}: ${name} takes ${handler.length} parameter(s) but declares no tokens; wrap it: inject([...], ${name})`,
    );
  }
  return tokens;
}

/**
 * Compiles a handler, its hooks and its exception handlers (innermost first) for one site.
 * `routeHooks` are those listed on the route itself: one of them that would never run there is
 * a mistake, not a hook to skip.
 */
export function compileEndpoint(
  handler: Handler,
  hooks: readonly HookLike[],
  site: CompileSite,
  resolver: Resolver,
  instances: HookInstances,
  handlerSite: CompileSite = site,
  routeHooks: readonly HookLike[] = [],
  exceptionHandlers: readonly ExceptionHandlerEntry[] = [],
): Endpoint {
  const applying = hooks
    .map((hook) => instances.get(hook))
    .filter((instance) => !instance.appliesTo || instance.appliesTo.includes(site.kind));
  const ordered = [...applying.filter((instance) => instance.outermost), ...applying.filter((instance) => !instance.outermost)];
  const compiledHooks = ordered.map((instance) => compileHook(instance, resolver, site));
  for (const hook of routeHooks) {
    const compiled = compiledHooks[ordered.indexOf(instances.get(hook))];
    if (compiled?.skipped.length && !compiled.onRequest && !compiled.onResponse && !compiled.onError) {
      throw new ConfigurationError(
        `${site.where}: hook ${compiled.name} is listed on this route but never runs on it: ${compiled.skipped.join('; ')}`,
      );
    }
  }
  const name = handler.name || 'handler';
  const plan = resolver.plan(handlerTokens(handler, site.where), name, handlerSite);
  return {
    label: site.where,
    handler: { fn: handler as (...args: unknown[]) => unknown, plan, self: undefined as unknown as object },
    hooks: compiledHooks,
    exceptionHandlers: compileExceptionHandlers(exceptionHandlers, site, resolver),
    serializer: undefined,
  };
}
