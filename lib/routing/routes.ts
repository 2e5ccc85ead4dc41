import { checkExceptionHandlers, type ExceptionHandlerEntry } from '../errors/exception-handlers';
import type { ValidationError } from '../errors/exceptions';
import type { HookLike } from '../inject/hook';
import type { JsonSchema } from '../inject/schema';

/** A handler: a function annotated with `inject([...], fn)`, or one that takes no parameters. */
export type Handler = (...args: never[]) => unknown;

export interface RouteOptions {
  /** A name for the route, for logs and URL building. */
  name?: string;
  /** Hooks for this route only; they run after the app's and the enclosing `Include`'s. */
  hooks?: readonly HookLike[];
  /**
   * Exception handlers for this route only, consulted before the enclosing `Include`'s and the
   * app's (for the same class, this one wins; the nearest class still wins across all of them).
   */
  exceptionHandlers?: readonly ExceptionHandlerEntry[];
  /** A one-line summary for the API descriptions (`app.openapi()`, `app.asyncapi()`). */
  summary?: string;
  /** A longer description for the API descriptions; Markdown. */
  description?: string;
  /** Tags grouping the route in the API descriptions, after those of the enclosing `Include`s. */
  tags?: readonly string[];
  /** Marks the route deprecated in the API descriptions. */
  deprecated?: boolean;
  /** Leaves the route out of the API descriptions (the routes serving them, say). */
  hidden?: boolean;
}

/**
 * The JSON bodies a route answers, by status. A declared 2xx schema also shapes the body:
 * properties it does not list are left out of the response.
 *
 * @example
 * const responses: ResponseSchemas = { 200: noteSchema, 404: errorSchema };
 */
export type ResponseSchemas = Readonly<Partial<Record<number, JsonSchema>>>;

export interface HttpRouteOptions extends RouteOptions {
  /** The JSON bodies the route answers, by status (see `ResponseSchemas`). */
  responses?: ResponseSchemas;
}

/**
 * An HTTP route. The path is a template: `{name}`, `{id:int}`, `{x:float}`, `{key:uuid}`,
 * `{rest:path}`. A GET route also answers HEAD.
 *
 * @example
 * new Route('/users/{id:int}', 'GET', inject([PathParam('id', { type: 'integer' })], (id) => ({ id })));
 */
export class Route<
  P extends string = string,
  M extends string = string,
  H extends Handler = Handler,
  const O extends HttpRouteOptions = HttpRouteOptions,
> {
  /** The method in capitals (`'GET'`), whatever case it was given in. */
  readonly method: Uppercase<M>;

  constructor(
    readonly path: P,
    method: M,
    readonly handler: H,
    readonly options: O = {} as O,
  ) {
    if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
      throw new TypeError(`Route ${path}: method must be an HTTP method name like 'GET', got ${String(method)}`);
    }
    if (typeof handler !== 'function') throw new TypeError(`Route ${method} ${path}: handler must be a function`);
    this.method = method.toUpperCase() as Uppercase<M>;
    checkExceptionHandlers(options.exceptionHandlers, `Route ${this.method} ${path}`);
  }
}

/**
 * Builds the reply to an incoming message a message handler could not accept (bad JSON, a
 * schema failure). `message` is the parsed JSON, or `undefined` when the text was not JSON,
 * so a reply can echo a correlation field the client sent (its `requestId`, say).
 *
 * @example
 * new WebSocketRoute('/ws', handle, {
 *   onInvalidMessage: (error, message) => ({ type: 'error', detail: error.message, replyTo: requestIdOf(message) }),
 * });
 */
export type InvalidMessageReply = (error: ValidationError, message: unknown) => unknown;

/**
 * What to do with an incoming message a message handler cannot accept (bad JSON, schema
 * failure): close, send the standard error reply, or send what a function builds.
 */
export type InvalidMessagePolicy = 'close' | 'reply' | InvalidMessageReply;

/** A consumer class, given to `WebSocketRoute` in place of a handler function. */
export type ConsumerClass = abstract new (...args: never[]) => object;

export interface WebSocketRouteOptions extends RouteOptions {
  /**
   * `'close'` (default): close 1007 with a short reason. `'reply'`: send
   * `{ "type": "error", "detail": ..., "errors": [...] }` and keep the connection. A function
   * `(error, message) => reply`: send what it returns (as JSON) and keep the connection;
   * `message` is the parsed JSON, `undefined` when it was not JSON.
   */
  onInvalidMessage?: InvalidMessagePolicy;
  /**
   * The messages the server sends on this route, by name: a message with a `type` field is
   * named after it. The API descriptions list them, and typed clients receive them.
   *
   * @example
   * sends: { 'chat.message': chatMessageSchema, error: errorSchema }
   */
  sends?: Readonly<Record<string, JsonSchema>>;
}

/**
 * A WebSocket route. The handler either owns the socket (it injects `WebSocket` and runs once
 * per connection) or handles messages (it injects `Message(schema)` and runs once per message);
 * a consumer class may stand in for the handler.
 *
 * @example
 * new WebSocketRoute('/echo', inject([WebSocket], async (ws) => {
 *   await ws.accept();
 *   for await (const message of ws) await ws.send(message);
 * }));
 */
export class WebSocketRoute<
  P extends string = string,
  H extends Handler | ConsumerClass = Handler | ConsumerClass,
  const O extends WebSocketRouteOptions = WebSocketRouteOptions,
> {
  constructor(
    readonly path: P,
    readonly handler: H,
    readonly options: O = {} as O,
  ) {
    if (typeof handler !== 'function') throw new TypeError(`WebSocketRoute ${path}: handler must be a function or a consumer class`);
    checkExceptionHandlers(options.exceptionHandlers, `WebSocketRoute ${path}`);
  }
}

export interface IncludeOptions {
  /** Hooks for every route inside, after the app's hooks and before each route's own. */
  hooks?: readonly HookLike[];
  /** Exception handlers for every route inside, consulted after a route's own and before the app's. */
  exceptionHandlers?: readonly ExceptionHandlerEntry[];
  /** Tags for every route inside, in the API descriptions. */
  tags?: readonly string[];
}

/**
 * A group of routes under a path prefix, with hooks of its own.
 *
 * @example
 * new Include('/api', [new Route('/users', 'GET', listUsers)], { hooks: [TokenAuth] });
 */
export class Include<
  P extends string = string,
  const R extends readonly RouteLike[] = readonly RouteLike[],
  const O extends IncludeOptions = IncludeOptions,
> {
  constructor(
    readonly prefix: P,
    readonly routes: R,
    readonly options: O = {} as O,
  ) {
    if (!prefix.startsWith('/') || prefix.endsWith('/')) {
      throw new TypeError(`Include prefix ${JSON.stringify(prefix)} must start with "/" and not end with one`);
    }
    checkExceptionHandlers(options.exceptionHandlers, `Include ${prefix}`);
  }
}

export type RouteLike = Route | WebSocketRoute | Include;

/** A route with its full path and every hook that wraps it, outermost first. */
export interface FlatRoute {
  readonly route: Route | WebSocketRoute;
  readonly path: string;
  readonly hooks: readonly HookLike[];
  /** The exception handlers of the route and its `Include`s, innermost first (the app's come after). */
  readonly exceptionHandlers: readonly ExceptionHandlerEntry[];
  /** The tags of the enclosing `Include`s, outermost first, then the route's own. */
  readonly tags: readonly string[];
}

/** Expands `Include`s into a flat list, joining prefixes and stacking hooks, exception handlers and tags. */
export function flattenRoutes(
  routes: readonly RouteLike[],
  prefix = '',
  hooks: readonly HookLike[] = [],
  handlers: readonly ExceptionHandlerEntry[] = [],
  tags: readonly string[] = [],
): FlatRoute[] {
  const flat: FlatRoute[] = [];
  for (const route of routes) {
    if (route instanceof Include) {
      const inner = [...(route.options.exceptionHandlers ?? []), ...handlers];
      const innerTags = [...tags, ...(route.options.tags ?? [])];
      flat.push(...flattenRoutes(route.routes, prefix + route.prefix, [...hooks, ...(route.options.hooks ?? [])], inner, innerTags));
    } else if (route instanceof Route || route instanceof WebSocketRoute) {
      const exceptionHandlers = [...(route.options.exceptionHandlers ?? []), ...handlers];
      const routeHooks = [...hooks, ...(route.options.hooks ?? [])];
      flat.push({ route, path: prefix + route.path, hooks: routeHooks, exceptionHandlers, tags: [...tags, ...(route.options.tags ?? [])] });
    } else {
      throw new TypeError(`routes: expected Route, WebSocketRoute or Include, got ${String(route)}`);
    }
  }
  return flat;
}
