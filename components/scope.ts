import type { Address } from '../lib/address';
import type { App } from '../lib/app';

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
  readonly method: string;
  /** The path, percent-decoded. */
  readonly path: string;
  /** The path as it arrived on the wire. */
  readonly rawPath: string;
  /** The query string without the `?`, undecoded. */
  readonly queryString: string;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly client: Address | null;
  readonly server: Address | null;
  /** Subprotocols the client offered (WebSocket only; empty for HTTP). */
  readonly subprotocols: readonly string[];
  /** Path parameters, converted by their converters (`{id:int}` gives a number). */
  pathParams: Readonly<Record<string, string | number>>;
  /** Per-connection bag shared by hooks, handler and error path. */
  readonly state: Record<string, unknown> = {};
  readonly app: App;
  private parsedQuery: Query | undefined = undefined;

  constructor(init: {
    type: 'http' | 'websocket';
    method: string;
    url: string;
    headers: Readonly<Record<string, string | string[] | undefined>>;
    client: Address | null;
    server: Address | null;
    subprotocols?: readonly string[];
    app: App;
  }) {
    this.type = init.type;
    this.method = init.method;
    const url = init.url;
    const mark = url.indexOf('?');
    this.rawPath = mark === -1 ? url : url.slice(0, mark);
    this.queryString = mark === -1 ? '' : url.slice(mark + 1);
    this.path = decodePath(this.rawPath);
    this.headers = init.headers;
    this.client = init.client;
    this.server = init.server;
    this.subprotocols = init.subprotocols ?? [];
    this.pathParams = EMPTY;
    this.app = init.app;
  }

  /** The parsed query string, parsed on first use. */
  get query(): Query {
    return (this.parsedQuery ??= parseQuery(this.queryString));
  }
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/** Percent-decodes a raw path, keeping `%2F` encoded so it cannot split a segment. */
export function decodePath(raw: string): string {
  if (raw.indexOf('%') === -1) return raw;
  try {
    // %2F stays encoded so a decoded slash can never create a new path segment.
    return raw.split(/%2f/i).map(decodeURIComponent).join('%2F');
  } catch {
    return raw;
  }
}

function parseQuery(queryString: string): Query {
  const result: Record<string, string | string[]> = Object.create(null);
  if (queryString === '') return result;
  for (const [key, value] of new URLSearchParams(queryString)) {
    const seen = result[key];
    if (seen === undefined) result[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else result[key] = [seen, value];
  }
  return result;
}
