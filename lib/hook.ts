import type { DependencyContainer } from 'tsyringe';
import { ConfigurationError } from './exceptions';
import { declaredTokens } from './inject';
import type { Plan, PlanSite, Resolver } from './resolver';

/**
 * An event hook: any object with some of `onRequest`, `onResponse`, `onError`. Parameters are
 * injected like a handler's (`@inject([...])` on the method, a property holding
 * `inject([...], fn)`, or decorator metadata); a method without parameters needs neither.
 *
 * - `onRequest` runs before the handler, in list order (app hooks, then `Include` hooks, then
 *   route hooks). To short-circuit, return a `Response` (the handler and later `onRequest`s are
 *   skipped, every `onResponse` still runs) or throw (an `HTTPException` becomes its response,
 *   and the `onError` hooks run).
 * - `onResponse` runs after the handler, in reverse order; it reads `CurrentResponse` and may
 *   return a `Response` to replace it.
 * - `onError` runs instead of `onResponse` when anything threw, in reverse order; it reads
 *   `CurrentError` and `CurrentResponse` (the error response about to be sent) and may return a
 *   replacement.
 *
 * On WebSocket routes `onRequest` runs once at connect, `onResponse` once after the handler.
 *
 * @example
 * class RequireJson {
 *   @inject([Request])
 *   onRequest(request: Request) {
 *     if (request.method === 'POST' && request.header('content-type') !== 'application/json') {
 *       throw new HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE);
 *     }
 *   }
 * }
 */
export interface Hook {
  /** The kinds of route this hook wraps; default both. A CORS hook, say, has no WebSocket part. */
  readonly appliesTo?: readonly ('http' | 'websocket')[];
  onRequest?(...args: never[]): unknown;
  onResponse?(...args: never[]): unknown;
  onError?(...args: never[]): unknown;
  /** Runs once when the app starts (`app.listen()`, `app.startup()`); a failure stops the start. */
  onStartup?(): unknown;
  /** Runs once when the app closes, after connections have closed. */
  onShutdown?(): unknown;
}

/** A hook instance, or a class that the app instantiates once (through its tsyringe container). */
export type HookLike = Hook | (new (...args: never[]) => Hook);

export const HOOK_METHODS = ['onRequest', 'onResponse', 'onError'] as const;
const LIFESPAN_METHODS = ['onStartup', 'onShutdown'] as const;
export type HookMethod = (typeof HOOK_METHODS)[number];

/** One hook method with its compiled parameters. */
export interface BoundMethod {
  readonly fn: (...args: unknown[]) => unknown;
  readonly plan: Plan;
  readonly self: object;
}

export interface CompiledHook {
  readonly name: string;
  readonly onRequest: BoundMethod | undefined;
  readonly onResponse: BoundMethod | undefined;
  readonly onError: BoundMethod | undefined;
}

export function hookName(hook: object): string {
  return hook.constructor?.name && hook.constructor !== Object ? hook.constructor.name : 'hook';
}

/** Makes one instance of each hook class, once per app. */
export function instantiateHook(hook: HookLike, container: DependencyContainer): Hook {
  if (typeof hook === 'function') {
    try {
      return container.resolve(hook as new () => Hook);
    } catch (error) {
      throw new ConfigurationError(`Hook ${hook.name}: could not be constructed: ${(error as Error).message}`);
    }
  }
  if (hook === null || typeof hook !== 'object') throw new ConfigurationError(`Hooks must be objects or classes, got ${String(hook)}`);
  const known = [...HOOK_METHODS, ...LIFESPAN_METHODS].some((method) => typeof (hook as Record<string, unknown>)[method] === 'function');
  if (!known) throw new ConfigurationError(`Hook ${hookName(hook)} has none of ${[...HOOK_METHODS, ...LIFESPAN_METHODS].join(', ')}`);
  return hook;
}

/** Compiles every method a hook has for one route. */
export function compileHook(hook: Hook, resolver: Resolver, site: PlanSite): CompiledHook {
  const name = hookName(hook);
  const bind = (method: HookMethod): BoundMethod | undefined => {
    const fn = (hook as Record<string, unknown>)[method];
    if (fn === undefined) return undefined;
    if (typeof fn !== 'function') throw new ConfigurationError(`${site.where}: hook ${name}.${method} is not a function`);
    const owner = Object.getPrototypeOf(hook) as object;
    const tokens = declaredTokens(fn, owner, method) ?? (fn.length === 0 ? [] : undefined);
    if (!tokens) {
      throw new ConfigurationError(`${site.where}: hook ${name}.${method} takes ${fn.length} parameter(s) but declares no tokens; decorate it with @inject([...])`);
    }
    const plan = resolver.plan(tokens, `${name}.${method}`, site);
    return { fn: fn as (...args: unknown[]) => unknown, plan, self: hook };
  };
  return { name, onRequest: bind('onRequest'), onResponse: bind('onResponse'), onError: bind('onError') };
}
