import type { TokenDescription } from './api-description';
import type { Connection } from './connection';
import type { MessageFrame } from './message-frame';

/** Where a token can be resolved: on HTTP requests, on WebSocket connections, or per message. */
export type ConnectionKind = 'http' | 'websocket';

/** What a compiled plan may read: the connection, and for message handlers the message. */
export type Provider<T = unknown> = (connection: Connection, message: MessageFrame | undefined) => T | Promise<T>;

/** What the resolver tells a token when compiling it into a provider. */
export interface CompileSite {
  /** The kind of connection the plan serves. */
  readonly kind: ConnectionKind;
  /** True inside a message handler (or a component it uses) on a WebSocket route. */
  readonly perMessage: boolean;
  /** "route GET /users/{id}, function getUser, parameter 2" — for error messages. */
  readonly where: string;
  /** Path parameters of the route and their converters (`{ id: 'int' }`); undefined where unknown. */
  readonly pathParams: Readonly<Record<string, string>> | undefined;
}

/**
 * A value a handler can ask for that is not a class: a path parameter, a query parameter,
 * a header, a validated body. `T` is the type the handler receives.
 *
 * Subclasses compile themselves once per use site, at startup, into a provider that runs per
 * request; that is where validators are built and misuse is reported.
 *
 * @example
 * class RequestId extends Token<string> {
 *   readonly label = 'RequestId';
 *   compile(): Provider<string> {
 *     return (connection) => {
 *       const id = connection.scope.headers['x-request-id'];
 *       return typeof id === 'string' ? id : randomUUID();
 *     };
 *   }
 * }
 * new Route('/ping', 'GET', inject([new RequestId()], (id) => ({ id })));
 */
export abstract class Token<T> {
  /** Carries `T` for type inference only; never set at run time. */
  declare readonly __type: T;
  /** How the token reads in error messages and docs: `PathParam("id")`. */
  abstract readonly label: string;
  /**
   * The kinds of connection that have this value; undefined for both. An app hook's method is
   * skipped where a token it injects does not exist, instead of failing the app.
   */
  readonly kinds?: readonly ConnectionKind[];
  /**
   * How the token reads the request body (`'JSON'`, `'form'`); undefined when it does not. The
   * body can be read only one way, so one function whose tokens read it two ways is a startup error.
   */
  readonly bodyFormat?: string;
  /**
   * What the token reads (a parameter, the body, the message), for the API descriptions;
   * undefined (or no method) when it reads none of them.
   */
  describeApi?(): TokenDescription | undefined;
  /** Turns the token into a per-request provider; throws a `ConfigurationError` on misuse. */
  abstract compile(site: CompileSite): Provider<T>;
}

/** Anything accepted in an `inject([...])` list: a `Token`, a class, or a tsyringe string/symbol token. */
export type TokenLike = Token<unknown> | (abstract new (...args: never[]) => unknown) | string | symbol;

/** The type a token resolves to. */
export type Resolved<K> = K extends Token<infer T> ? T : K extends abstract new (...args: never[]) => infer I ? I : unknown;

/** The tuple of types a token list resolves to, position by position. */
export type ResolvedAll<Ts extends readonly unknown[]> = { -readonly [I in keyof Ts]: Resolved<Ts[I]> };

/** A readable name for any token, for error messages. */
export function tokenLabel(token: unknown): string {
  if (token instanceof Token) return token.label;
  if (typeof token === 'function') return token.name || '(anonymous class)';
  if (typeof token === 'symbol') return token.toString();
  if (typeof token === 'string') return JSON.stringify(token);
  return String(token);
}
