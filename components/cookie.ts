import { parse } from 'cookie';
import type { TokenDescription } from '../lib/inject/api-description';
import { type Provider, Token } from '../lib/inject/token';

/**
 * One cookie from the `Cookie` header (HTTP requests and WebSocket handshakes), or `undefined`.
 *
 * @example
 * const session = inject([Cookie('session')], (id) => ({ signedIn: id !== undefined }));
 */
export class CookieToken extends Token<string | undefined> {
  readonly label: string;

  constructor(readonly name: string) {
    super();
    this.label = `Cookie(${JSON.stringify(name)})`;
  }

  override describeApi(): TokenDescription {
    return { kind: 'parameter', in: 'cookie', name: this.name, required: false };
  }

  compile(): Provider<string | undefined> {
    const name = this.name;
    return (connection) => {
      const header = connection.scope.headers.cookie;
      if (header === undefined) return undefined;
      return parse(Array.isArray(header) ? header.join('; ') : header)[name];
    };
  }
}

/**
 * One cookie of the request or handshake by name, or `undefined`; see `CookieToken`.
 *
 * @example
 * new Route('/me', 'GET', inject([Cookie('session')], (session) => ({ signedIn: session !== undefined })));
 */
export function Cookie(name: string): CookieToken {
  return new CookieToken(name);
}
