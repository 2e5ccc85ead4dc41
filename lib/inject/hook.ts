import type { DependencyContainer } from 'tsyringe';
import { ConfigurationError } from '../errors/exceptions';
import type { HookDescription } from './api-description';
import { requiredTokens } from './inject';
import type { Plan } from './plan';
import type { Resolver } from './resolver';
import { type CompileSite, tokenLabel } from './token';

/**
 * An event hook: any object with some of `onRequest`, `onResponse`, `onError`. Parameters are
 * injected like a handler's (`@inject([...])` on the method, a property holding
 * `inject([...], fn)`, or decorator metadata); a method without parameters needs neither.
 *
 * - `onRequest` runs before the handler, in list order (app hooks, then `Include` hooks, then
 *   route hooks). To short-circuit, return a `Response` (the handler and later hooks are
 *   skipped, the `onResponse` of this hook and earlier ones run) or throw (an `HTTPException`
 *   becomes its response, and the `onError` of this hook and earlier ones run).
 * - `onResponse` runs after the handler, in reverse order; it reads `CurrentResponse` and may
 *   return a `Response` to replace it.
 * - `onError` runs instead of `onResponse` when anything threw, in reverse order; it reads
 *   `CurrentError` and `CurrentResponse` (the error response about to be sent) and may return a
 *   replacement.
 *
 * `onResponse` and `onError` run only for hooks whose turn in the `onRequest` order came (their
 * `onRequest` ran, or they have none), as in a stack of ASGI middleware: when hook 2's
 * `onRequest` throws, hooks 2 and 1 get `onError`, hook 3 nothing.
 *
 * On WebSocket routes `onRequest` runs once at connect, `onResponse` once after the handler.
 *
 * Where a method runs follows from what it injects: one that injects `WebSocket` (or a
 * component built from it) runs on WebSocket connections only, one that injects `Request`,
 * `Body` or `CurrentResponse` on HTTP requests only, and is skipped elsewhere. `appliesTo`
 * overrides that: the hook then wraps exactly those kinds, and a method that cannot run on one
 * of them is a startup error.
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
  /**
   * The kinds of route this hook wraps. Default: each method where the tokens it injects exist.
   * A CORS hook, say, has no WebSocket part.
   */
  readonly appliesTo?: readonly ('http' | 'websocket')[];
  /**
   * Wrap outside every hook without it, wherever it stands in the list: its `onRequest` runs
   * first and its `onResponse`/`onError` last. `Cors` is such a hook, so a preflight is answered
   * before an auth hook can refuse it, and a refusal still carries the CORS headers.
   */
  readonly outermost?: boolean;
  onRequest?(...args: never[]): unknown;
  onResponse?(...args: never[]): unknown;
  onError?(...args: never[]): unknown;
  /** What the hook adds to the API descriptions of the routes it wraps (credentials, statuses, close codes). */
  describeApi?(kind: 'http' | 'websocket'): HookDescription | undefined;
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
  /** Methods left out because they inject what this kind of connection lacks: "onRequest injects Request". */
  readonly skipped: readonly string[];
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

/**
 * Compiles every method a hook has for one route. Without `appliesTo`, a method that injects
 * what this kind of connection lacks is left out (and listed in `skipped`).
 */
export function compileHook(hook: Hook, resolver: Resolver, site: CompileSite): CompiledHook {
  const name = hookName(hook);
  const skipped: string[] = [];
  const bind = (method: HookMethod): BoundMethod | undefined => {
    const fn = (hook as Record<string, unknown>)[method];
    if (fn === undefined) return undefined;
    if (typeof fn !== 'function') throw new ConfigurationError(`${site.where}: hook ${name}.${method} is not a function`);
    const owner = Object.getPrototypeOf(hook) as object;
    const where = `${site.where}: hook ${name}.${method}`;
    const tokens = requiredTokens(fn as (...args: never[]) => unknown, where, owner, method) ?? (fn.length === 0 ? [] : undefined);
    if (!tokens) {
      throw new ConfigurationError(`${where} takes ${fn.length} parameter(s) but declares no tokens; decorate it with @inject([...])`);
    }
    if (hook.appliesTo === undefined) {
      const kinds = resolver.kindsOf(tokens);
      if (kinds.length === 0) {
        const narrow = tokens
          .filter((token) => resolver.kindsOf([token]).length === 1)
          .map(tokenLabel)
          .join(', ');
        throw new ConfigurationError(
          `${where} injects ${narrow}, which no connection has together: some exist on HTTP requests only, some on WebSocket connections only`,
        );
      }
      if (!kinds.includes(site.kind)) {
        const missing = tokens
          .filter((token) => !resolver.kindsOf([token]).includes(site.kind))
          .map(tokenLabel)
          .join(', ');
        skipped.push(`${method} injects ${missing}`);
        return undefined;
      }
    }
    const plan = resolver.plan(tokens, `${name}.${method}`, site);
    return { fn: fn as (...args: unknown[]) => unknown, plan, self: hook };
  };
  return { name, onRequest: bind('onRequest'), onResponse: bind('onResponse'), onError: bind('onError'), skipped };
}
