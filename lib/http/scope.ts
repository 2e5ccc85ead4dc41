import { unescape as unescapeQuery } from 'node:querystring';
import { decodePath } from '../routing/path-decoding';
import type { Address, IncomingSource } from './address';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';

/**
 * The app serving a connection, as `scope.app` shows it. http/ stands below the App, so it names
 * no member here: lib/app.ts merges `App` into this interface, which makes `scope.app` an `App`
 * wherever Starwire is imported, without http/ importing the file that imports it.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the declaration merge in lib/app.ts
export interface ScopeApp {}

/** Parsed query string: a key seen once maps to a string, a repeated key to a list. */
export type Query = Readonly<Record<string, string | string[]>>;

/**
 * The description of one connection, HTTP or WebSocket, in the spirit of an ASGI scope.
 * Hooks and handlers inject it as `Scope`; `state` is the one bag per connection that
 * handler, hooks, error path and finalizers share.
 *
 * @example
 * const whoAmI = inject([Scope], (scope) => ({ path: scope.path, ip: scope.client?.host }));
 */
export class Scope {
  readonly type: 'http' | 'websocket';
  /** The path, percent-decoded except `%2F`, which stays encoded so it cannot split a segment. */
  readonly path: string;
  /** @internal The path's percent-encoding is malformed; the app answers 400. */
  readonly malformedPath: boolean;
  /** The path as it arrived on the wire. */
  readonly rawPath: string;
  /** Subprotocols the client offered (WebSocket only; empty for HTTP). */
  readonly subprotocols: readonly string[];
  /** Path parameters, converted by their converters (`{id:int}` gives a number). */
  pathParams: Readonly<Record<string, string | number>> = EMPTY;
  readonly app: ScopeApp;
  /** @internal Where the connection came from; replaced by a snapshot once a WebSocket is open. */
  source: IncomingSource;
  private parsedQuery: Query | undefined = undefined;
  private bag: Record<string, unknown> | undefined = undefined;
  private id: string | undefined = undefined;

  constructor(type: 'http' | 'websocket', source: IncomingSource, app: ScopeApp, subprotocols: readonly string[] = NONE) {
    this.type = type;
    this.source = source;
    const url = source.url;
    const mark = url.indexOf('?');
    this.rawPath = mark === -1 ? url : url.slice(0, mark);
    const path = decodePath(this.rawPath);
    // A malformed path is answered 400 before routing; until then it reads as it came.
    this.path = path ?? this.rawPath;
    this.malformedPath = path === undefined;
    this.subprotocols = subprotocols;
    this.app = app;
  }

  // The method and query string are read from the source rather than copied: an open WebSocket
  // keeps its scope, and each copy would be a field more on every one.
  get method(): string {
    return this.source.method;
  }

  /** The query string without the `?`, undecoded. */
  get queryString(): string {
    const url = this.source.url;
    return url.length > this.rawPath.length ? url.slice(this.rawPath.length + 1) : '';
  }

  /** Request headers, names lower-cased. */
  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    return this.source.headers;
  }

  get client(): Address | null {
    return this.source.client;
  }

  get server(): Address | null {
    return this.source.server;
  }

  /**
   * The request's id: its `X-Request-Id` header when valid (printable, at most 200 characters),
   * else a new one. Echoed in the response's `X-Request-Id`; every log line of the request carries
   * it as `reqId`. For a WebSocket, the id of the upgrade request.
   */
  get requestId(): string {
    if (this.id !== undefined) return this.id;
    const source = this.source;
    return (this.id = requestIdOf(source.header ? source.header(REQUEST_ID_HEADER) : source.headers[REQUEST_ID_HEADER]));
  }

  /** Per-connection bag shared by hooks, handler and error path. */
  get state(): Record<string, unknown> {
    return (this.bag ??= {});
  }

  /**
   * @internal Keeps what the scope reports and lets go of the request it came from: a
   * WebSocket lives long after its handshake, and the request and its socket buffers need not.
   */
  detach(): void {
    this.source.release?.();
  }

  /** The parsed query string, parsed on first use. */
  get query(): Query {
    return (this.parsedQuery ??= parseQuery(this.queryString));
  }
}

declare module '../inject/connection' {
  /** A connection's scope is a `Scope`. */
  interface ConnectionScope extends Scope {}
}

const NONE: readonly string[] = Object.freeze([]);

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A fast object without a prototype chain: keys like `__proto__` or `toString` are plain data,
 * and V8 keeps it a fast object, unlike `Object.create(null)` literals, which become dictionaries.
 */
const QueryBag = function QueryBag() {} as unknown as new () => Record<string, string | string[]>;
QueryBag.prototype = Object.create(null) as object;

function decodeComponent(text: string): string {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  // querystring.unescape keeps malformed escapes as they are instead of throwing.
  return unescapeQuery(text.replace(/\+/g, ' '));
}

function parseQuery(queryString: string): Query {
  const result = new QueryBag();
  const length = queryString.length;
  let start = 0;
  while (start < length) {
    let end = queryString.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      const eq = queryString.indexOf('=', start);
      const split = eq !== -1 && eq < end;
      const key = decodeComponent(queryString.slice(start, split ? eq : end));
      const value = split ? decodeComponent(queryString.slice(eq + 1, end)) : '';
      const seen = result[key];
      if (seen === undefined) result[key] = value;
      else if (Array.isArray(seen)) seen.push(value);
      else result[key] = [seen, value];
    }
    start = end + 1;
  }
  return result;
}
