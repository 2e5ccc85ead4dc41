/**
 * What a typed HTTP client reads off a routes array's type: every HTTP endpoint with its full
 * path (`Include` prefixes joined), its method, and the request and response types its handler
 * declared. Types only: the server's classes are imported with `import type`, so a browser
 * bundle of the client pulls no server code.
 */
import type { BodyToken } from '../components/body.js';
import type { HeaderToken } from '../components/header.js';
import type { PathParamToken } from '../components/path-param.js';
import type { QueryParamToken } from '../components/query-param.js';
import type { Response as ServerResponse } from '../lib/http/response.js';
import type { InjectedTokens } from '../lib/inject/inject.js';
import type { FromSchema } from '../lib/inject/schema.js';
import type { Include, Route } from '../lib/routing/routes.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** One HTTP route of a routes array, as the client sees it. */
export interface HttpEndpoint {
  readonly path: string;
  readonly method: string;
  readonly handler: unknown;
  readonly options: unknown;
}

type EndpointsIn<Routes, Prefix extends string> = Routes extends readonly (infer Entry)[] ? EndpointsOf<Entry, Prefix> : never;

/** Distributes over the entries of a routes array (an array of a union, or a tuple). */
type EndpointsOf<Entry, Prefix extends string> =
  Entry extends Include<infer P, infer Inner>
    ? EndpointsIn<Inner, `${Prefix}${P}`>
    : Entry extends Route<infer P, infer M, infer H, infer O>
      ? // A path made at run time (`string`) says nothing a client could check: it is left out.
        string extends `${Prefix}${P}`
        ? never
        : { readonly path: `${Prefix}${P}`; readonly method: Uppercase<M>; readonly handler: H; readonly options: O }
      : never;

/**
 * The HTTP endpoints of a routes array type (`typeof routes`): one member per `Route`, with
 * `Include` prefixes joined. Routes whose path is not a literal are left out.
 *
 * @example
 * type Endpoints = HttpEndpoints<typeof routes>;   // { path: '/notes/{id:int}'; method: 'GET'; ... } | ...
 */
export type HttpEndpoints<Routes> = EndpointsIn<Routes, ''>;

/** The methods a client may call, upper-case (`'GET' | 'POST'`). */
export type MethodsOf<E extends HttpEndpoint> = E['method'];

/** The paths served for `method`. */
export type PathsOf<E extends HttpEndpoint, M extends string> = Extract<E, { readonly method: M }>['path'];

/** The endpoint at `method` and `path`. */
export type EndpointAt<E extends HttpEndpoint, M extends string, P extends string> = Extract<E, { readonly method: M; readonly path: P }>;

type TokensOf<E extends HttpEndpoint> = InjectedTokens<E['handler']>[number];

// ——— path parameters ———

/** `'/notes/{id:int}/{slug}'` → `'id:int' | 'slug'`. */
type TemplateSegments<P extends string> = P extends `${string}{${infer Segment}}${infer Rest}` ? Segment | TemplateSegments<Rest> : never;
type ParamName<S extends string> = S extends `${infer Name}:${string}` ? Name : S;
/** What a converter matches, when no `PathParam` token says more. */
type ConverterValue<S extends string> = S extends `${string}:${'int' | 'float'}` ? number : string;

/** QueryParam tokens also have a name and a schema: they are told apart by `required`. */
type PathParamTokenOf<Tokens, Name extends string> = Exclude<
  Extract<Tokens, PathParamToken<unknown, Name>>,
  QueryParamToken<unknown, string, boolean>
>;

type PathParamValue<Tokens, Name extends string, Fallback> = [PathParamTokenOf<Tokens, Name>] extends [never]
  ? Fallback
  : PathParamTokenOf<Tokens, Name> extends PathParamToken<infer T, Name>
    ? T
    : Fallback;

/** The values of a path's `{name}` segments, typed by the route's `PathParam` tokens or else by their converters. */
export type PathParamsOf<E extends HttpEndpoint> = {
  readonly [S in TemplateSegments<E['path']> as ParamName<S>]: PathParamValue<TokensOf<E>, ParamName<S>, ConverterValue<S>>;
};

// ——— query, headers, body ———

type QueryTokens<Tokens> = Extract<Tokens, QueryParamToken<unknown, string, boolean>>;
type LiteralName<N extends string> = string extends N ? never : N;

/** The query parameters the route's `QueryParam` tokens declare: required ones as required, the rest optional. */
export type QueryOf<E extends HttpEndpoint> = Simplify<
  {
    readonly [Tk in QueryTokens<TokensOf<E>> as Tk extends QueryParamToken<unknown, infer N, true>
      ? LiteralName<N>
      : never]: Tk extends QueryParamToken<infer T, string, boolean> ? T : never;
  } & {
    readonly [Tk in QueryTokens<TokensOf<E>> as Tk extends QueryParamToken<unknown, string, true>
      ? never
      : Tk extends QueryParamToken<unknown, infer N, boolean>
        ? LiteralName<N>
        : never]?: Tk extends QueryParamToken<infer T, string, boolean> ? Exclude<T, undefined> : never;
  }
>;

/** The header names the route's `Header` tokens read (any case on the wire). */
export type HeaderNamesOf<E extends HttpEndpoint> =
  Extract<TokensOf<E>, HeaderToken<string>> extends HeaderToken<infer N> ? LiteralName<N> : never;

/** The JSON body of a route with a `Body` token (its schema's type); `never` for a route without one. */
export type BodyOf<E extends HttpEndpoint> = [Extract<TokensOf<E>, BodyToken<unknown>>] extends [never]
  ? never
  : Extract<TokensOf<E>, BodyToken<unknown>> extends BodyToken<infer T>
    ? T
    : never;

/** Whether the route reads a form (`Form`, `Files`, `FormFile` tokens). */
type ReadsForm<E extends HttpEndpoint> = [Extract<TokensOf<E>, { readonly bodyFormat: 'form' }>] extends [never] ? false : true;

// ——— the response ———

/** The 2xx statuses whose declared schema types the answer (204 and 205 carry no body). */
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;

type DeclaredSuccess<O> = O extends { readonly responses: infer Declared }
  ? { [S in keyof Declared & SuccessStatus]: S extends 204 | 205 ? undefined : FromSchema<Declared[S]> }[keyof Declared & SuccessStatus]
  : never;

/** What JSON.stringify makes of a value, as far as a client can tell: `toJSON()` results (dates become strings). */
export type Jsonified<T> = T extends { toJSON(): infer J }
  ? J
  : T extends readonly (infer Item)[]
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** How the server renders a handler's return value (lib/http/response.ts, `toResponse`). */
type Rendered<R> = R extends ServerResponse
  ? unknown
  : R extends void
    ? undefined
    : R extends string
      ? string
      : R extends Uint8Array | AsyncIterable<unknown>
        ? unknown
        : Jsonified<R>;

type Returned<H> = H extends (...args: never[]) => infer R ? Rendered<Awaited<R>> : unknown;

/**
 * What a successful call answers: the route's declared 2xx `responses` schemas when it has any,
 * else what its handler returns, as the server renders it (`unknown` for a `Response`).
 */
export type ResponseOf<E extends HttpEndpoint> = [DeclaredSuccess<E['options']>] extends [never]
  ? Returned<E['handler']>
  : DeclaredSuccess<E['options']>;

// ——— one call's options ———

/** Headers of one call: those the route reads by name, and any others. */
export type CallHeaders<Names extends string> = { readonly [N in Names]?: string } & Readonly<Record<string, string>>;

type ParamsPart<E extends HttpEndpoint> = [keyof PathParamsOf<E>] extends [never]
  ? { readonly params?: never }
  : { readonly params: PathParamsOf<E> };

type QueryPart<E extends HttpEndpoint> = [keyof QueryOf<E>] extends [never]
  ? { readonly query?: never }
  : Partial<QueryOf<E>> extends QueryOf<E>
    ? { readonly query?: QueryOf<E> }
    : { readonly query: QueryOf<E> };

type BodyPart<E extends HttpEndpoint> = [BodyOf<E>] extends [never]
  ? ReadsForm<E> extends true
    ? { readonly json?: never; readonly form: FormData | URLSearchParams }
    : { readonly json?: never; readonly form?: never }
  : { readonly json: BodyOf<E>; readonly form?: never };

/**
 * The options of one call to an endpoint: `params` (the path's `{name}` segments), `query`,
 * `json` (the body), `headers`, and an abort `signal`. A key the route does not take is `never`.
 */
export type CallOptions<E extends HttpEndpoint> = Simplify<
  ParamsPart<E> & QueryPart<E> & BodyPart<E> & { readonly headers?: CallHeaders<HeaderNamesOf<E>>; readonly signal?: AbortSignal }
>;

type IsUnion<T, All = T> = T extends unknown ? ([All] extends [T] ? false : true) : never;

/**
 * The call's options as a rest parameter: optional when nothing in them is required. A path
 * that is not one of the routes' makes TypeScript fall back to all of them (a union): then
 * the options are left alone, so the error it reports is the path's, not a missing argument.
 */
export type CallArguments<E extends HttpEndpoint> =
  true extends IsUnion<E['path']>
    ? [options?: never]
    : Partial<CallOptions<E>> extends CallOptions<E>
      ? [options?: CallOptions<E>]
      : [options: CallOptions<E>];
