import type { TokenDescription } from '../lib/inject/api-description';
import { type Provider, Token } from '../lib/inject/token';

/**
 * One request header (on WebSocket routes, a handshake header), or `undefined` when absent.
 * A repeated header is joined with `, `.
 *
 * @example
 * const agent = inject([Header('user-agent')], (ua) => ({ ua: ua ?? 'unknown' }));
 */
export class HeaderToken<N extends string = string> extends Token<string | undefined> {
  readonly label: string;
  private readonly key: string;

  constructor(readonly name: N) {
    super();
    this.key = name.toLowerCase();
    this.label = `Header(${JSON.stringify(name)})`;
  }

  override describeApi(): TokenDescription {
    return { kind: 'parameter', in: 'header', name: this.name, required: false };
  }

  compile(): Provider<string | undefined> {
    const key = this.key;
    return (connection) => {
      const source = connection.scope.source;
      // Read from the raw pairs where the source can: Node then never builds `req.headers`.
      if (source.header !== undefined) return source.header(key);
      const headers = connection.scope.headers;
      // Own keys only: Node's header object inherits `toString`, `constructor`, ...
      if (!Object.hasOwn(headers, key)) return undefined;
      const value = headers[key];
      return Array.isArray(value) ? value.join(', ') : value;
    };
  }
}

/**
 * One request (or handshake) header by name, any case, or `undefined`; see `HeaderToken`.
 *
 * @example
 * new Route('/agent', 'GET', inject([Header('User-Agent')], (ua) => ({ ua: ua ?? 'unknown' })));
 */
export function Header<const N extends string>(name: N): HeaderToken<N> {
  return new HeaderToken(name);
}
