import { ConfigurationError } from '../errors/exceptions';
import type { ResolvedAll, TokenLike } from './token';

interface Annotation {
  /** The declared tokens; undefined asks for decorator metadata (`design:paramtypes`). */
  readonly tokens: readonly TokenLike[] | undefined;
  readonly target?: object;
  readonly key?: string | symbol;
}

const annotations = new WeakMap<object, Annotation>();

/** A method decorator produced by `inject([...])`; it checks the method's parameter types. */
export type InjectDecorator<Ts extends readonly TokenLike[]> = <F extends (...args: ResolvedAll<Ts>) => unknown>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<F>,
) => void;

/** The key of the type-only brand that carries an injected function's token list. */
declare const injectedTokens: unique symbol;

/**
 * What `inject(tokens, fn)` returns: `fn` itself, whose type also remembers the token list, so
 * tools reading a route's type (typed clients) see which path, query, header and body tokens
 * the handler takes. The brand exists only for the type checker; nothing is added at run time.
 *
 * @example
 * const getUser = inject([PathParam('id', { type: 'integer' })], (id) => ({ id }));
 * type Tokens = InjectedTokens<typeof getUser>;   // readonly [PathParamToken<number, 'id'>]
 */
export type Injected<Ts extends readonly TokenLike[], R> = ((...args: ResolvedAll<Ts>) => R) & { readonly [injectedTokens]?: Ts };

/**
 * The token list an `inject`ed function was declared with, at the type level; `readonly []`
 * for a function `inject` did not annotate.
 *
 * @example
 * type Tokens = InjectedTokens<typeof getUser>;
 */
export type InjectedTokens<F> = F extends { readonly [injectedTokens]?: infer Ts extends readonly TokenLike[] } ? Ts : readonly [];

/**
 * Declares what a function needs. The parameter types of `fn` are inferred from the tokens,
 * so a handler cannot claim a type its token does not give.
 *
 * @example
 * const getUser = inject([PathParam('id', { type: 'integer' }), Db], (id, db) => db.find(id));
 * //                                                              ^ number, Db
 *
 * @example As a method decorator (hooks, consumers):
 * class Auth {
 *   @inject([Header('authorization')])
 *   onRequest(token: string | undefined) { if (!token) throw new HTTPException(401); }
 * }
 */
export function inject<const Ts extends readonly TokenLike[], R>(tokens: Ts, fn: (...args: ResolvedAll<Ts>) => R): Injected<Ts, R>;
export function inject<const Ts extends readonly TokenLike[]>(tokens: Ts): InjectDecorator<Ts>;
/** With no list, a decorated method's class-typed parameters come from decorator metadata. */
export function inject(): (target: object, key: string | symbol, descriptor: PropertyDescriptor) => void;
export function inject(tokens?: readonly TokenLike[], fn?: (...args: never[]) => unknown): unknown {
  if (tokens !== undefined && !Array.isArray(tokens)) {
    throw new TypeError('inject() takes an array of tokens, e.g. inject([Request, PathParam("id")], fn)');
  }
  if (fn !== undefined) {
    if (typeof fn !== 'function') throw new TypeError('inject(tokens, fn): fn must be a function');
    annotations.set(fn, { tokens: [...tokens!] });
    return fn;
  }
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    if (isDecoratorContext(key)) throw new TypeError(standardDecoratorMessage(key));
    if (typeof descriptor?.value !== 'function') {
      throw new TypeError(`@inject() decorates methods; ${String(key)} is not a method`);
    }
    annotations.set(descriptor.value as object, { tokens: tokens ? [...tokens] : undefined, target, key });
  };
}

/** The second argument of a standard (TC39) decorator: `{ kind, name, ... }`, never a property key. */
function isDecoratorContext(key: unknown): key is { kind: unknown; name?: unknown } {
  return typeof key === 'object' && key !== null && 'kind' in key;
}

function standardDecoratorMessage(context: { kind: unknown; name?: unknown }): string {
  const target = context.name === undefined ? '' : ` on ${String(context.name)}`;
  return (
    `@inject(...)${target} was called as a standard (TC39) ${String(context.kind)} decorator: Starwire's method decorators ` +
    'need TypeScript\'s decorators with metadata; set "experimentalDecorators": true and "emitDecoratorMetadata": true in ' +
    'tsconfig.json compilerOptions (or, under any compiler, give the hook a property holding inject([...], fn))'
  );
}

/**
 * The tokens of a method or handler that a site is about to compile: like `declaredTokens`, but
 * an `@inject()` (no list) whose decorator metadata is missing is a `ConfigurationError` saying
 * so (`where` names the site), instead of looking undecorated.
 */
export function requiredTokens(
  fn: (...args: never[]) => unknown,
  where: string,
  owner?: object,
  key?: string | symbol,
): readonly TokenLike[] | undefined {
  const tokens = declaredTokens(fn, owner, key);
  if (tokens !== undefined || fn.length === 0 || !annotations.has(fn)) return tokens;
  throw new ConfigurationError(
    `${where}: @inject() without a token list reads the parameter types from decorator metadata, and there is none: ` +
      '"emitDecoratorMetadata" is off in tsconfig.json (or the compiler, such as esbuild or tsx, does not emit it, or ' +
      '"reflect-metadata" was not imported first); turn it on, or list the tokens: @inject([...])',
  );
}

/**
 * The tokens a function declared, from `inject`, or else from decorator metadata of the
 * method `key` on `owner`; `undefined` when the function declared nothing.
 */
export function declaredTokens(fn: object, owner?: object, key?: string | symbol): readonly TokenLike[] | undefined {
  const annotation = annotations.get(fn);
  if (annotation?.tokens) return annotation.tokens;
  const target = annotation?.target ?? owner;
  const name = annotation?.key ?? key;
  if (target !== undefined && name !== undefined) {
    const reflect = Reflect as unknown as { getMetadata?: (k: string, t: object, p: string | symbol) => unknown };
    const types = reflect.getMetadata?.('design:paramtypes', target, name);
    if (Array.isArray(types)) return types as TokenLike[];
  }
  return undefined;
}
