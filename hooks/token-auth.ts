import { Scope } from '../components/scope';
import { User } from '../components/user';
import { HTTPException, WebSocketException } from '../lib/errors/exceptions';
import * as status from '../lib/errors/status';
import type { ApiSecurityScheme, HookDescription } from '../lib/inject/api-description';
import { type ComponentDefinition, component } from '../lib/inject/component';
import { inject } from '../lib/inject/inject';
import { isThenable, type MaybePromise } from '../lib/inject/thenable';

export interface TokenAuthOptions {
  /** Turns a token into a user; `null`/`undefined` means the token is not valid. */
  verify: (token: string, scope: Scope) => MaybePromise<User | null | undefined>;
  /** Header carrying `<scheme> <token>`. Default `authorization`. */
  header?: string;
  /** Default `Bearer`. */
  scheme?: string;
  /**
   * Query parameter that may carry the token, for browsers, which cannot set headers on a
   * WebSocket handshake. Default `token` on WebSocket routes only; `false` turns it off.
   */
  query?: string | false;
  /** Refuse requests without a token (default). When false they pass, and injecting `User` gives 401. */
  required?: boolean;
  /**
   * How a WebSocket without a valid token is refused: `'deny'` (default) answers the handshake
   * with HTTP 401; `'close'` accepts and closes with 3000, which browsers can read.
   */
  websocket?: 'deny' | 'close';
}

/** Users authenticated on each connection, shared by every TokenAuth so that one `User` component serves them all. */
const authenticated = new WeakMap<Scope, User>();

const authenticatedUser = component(User, [Scope], (scope) => {
  const user = authenticated.get(scope);
  if (!user) throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Authentication required', { 'www-authenticate': 'Bearer' });
  return user;
});

/**
 * Bearer-token authentication for HTTP and WebSocket routes. List the hook and its `user`
 * component; handlers then inject `User`.
 *
 * @example
 * const auth = new TokenAuth({ verify: (token) => (token === 'let-me-in' ? new User('alice') : null) });
 * const me = inject([User], (user) => ({ id: user.id }));
 * new App({ routes: [new Route('/me', 'GET', me)], hooks: [auth], components: [auth.user] });
 */
export class TokenAuth {
  /** The `User` component this hook provides; add it to `App({ components })`. */
  readonly user: ComponentDefinition<User> = authenticatedUser;
  private readonly header: string;
  private readonly prefix: string;

  constructor(private readonly options: TokenAuthOptions) {
    if (typeof options?.verify !== 'function') throw new TypeError('new TokenAuth({ verify }): verify must be a function');
    this.header = (options.header ?? 'authorization').toLowerCase();
    this.prefix = `${(options.scheme ?? 'Bearer').toLowerCase()} `;
  }

  /**
   * The credentials this hook reads, for the API descriptions: a bearer token (or the header's
   * own scheme) and, where it applies, the query parameter; the refusal it answers with.
   *
   * @example
   * new TokenAuth({ verify }).describeApi('http'); // { security: [{ type: 'http', scheme: 'bearer' }], statuses: { 401: ... } }
   */
  describeApi(kind: 'http' | 'websocket'): HookDescription {
    const scheme = this.prefix.trim();
    const security: ApiSecurityScheme[] = [
      this.header === 'authorization'
        ? { type: 'http', scheme }
        : { type: 'apiKey', in: 'header', name: this.header, description: `"${scheme} <token>"` },
    ];
    const query = this.options.query ?? (kind === 'websocket' ? 'token' : false);
    if (query !== false) security.push({ type: 'apiKey', in: 'query', name: query });
    const refusal = 'Missing or invalid token';
    const closes = kind === 'websocket' && this.options.websocket === 'close';
    return {
      security,
      securityOptional: this.options.required === false,
      statuses: closes ? {} : { [status.HTTP_401_UNAUTHORIZED]: refusal },
      closeCodes: closes ? { [status.WS_3000_UNAUTHORIZED]: refusal } : {},
    };
  }

  @inject([Scope])
  onRequest(scope: Scope): MaybePromise<void> {
    const token = this.tokenOf(scope);
    if (token === undefined) {
      if (this.options.required === false) return;
      throw this.refusal(scope, 'Authentication required');
    }
    const verified = this.options.verify(token, scope);
    const settle = (user: User | null | undefined): void => {
      if (!user) throw this.refusal(scope, 'Invalid token');
      authenticated.set(scope, user);
    };
    // Any thenable, not just this realm's Promise: a promise from another realm (vm, test
    // runners) or library would otherwise count as a truthy user and let the request through.
    return isThenable<User | null | undefined>(verified) ? Promise.resolve(verified).then(settle) : settle(verified);
  }

  private tokenOf(scope: Scope): string | undefined {
    const value = scope.headers[this.header];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text.toLowerCase().startsWith(this.prefix)) return text.slice(this.prefix.length).trim() || undefined;
    const query = this.options.query ?? (scope.type === 'websocket' ? 'token' : false);
    if (query === false) return undefined;
    const fromQuery = scope.query[query];
    return (Array.isArray(fromQuery) ? fromQuery[0] : fromQuery) || undefined;
  }

  private refusal(scope: Scope, detail: string): Error {
    if (scope.type === 'websocket' && this.options.websocket === 'close') {
      return new WebSocketException(status.WS_3000_UNAUTHORIZED, detail);
    }
    return new HTTPException(status.HTTP_401_UNAUTHORIZED, detail, {
      'www-authenticate': this.prefix.trim().replace(/^./, (c) => c.toUpperCase()),
    });
  }
}
