import { CurrentResponse } from '../components/current-response';
import { Scope } from '../components/scope';
import * as status from '../lib/errors/status';
import { Response } from '../lib/http/response';
import { inject } from '../lib/inject/inject';

export interface CorsOptions {
  /** Origins allowed to read responses: a list, or `'*'` for any. Default: none. */
  allowOrigins?: readonly string[] | '*';
  /** Default: GET, HEAD, POST, PUT, PATCH, DELETE. */
  allowMethods?: readonly string[];
  /** Request headers a preflight may ask for. Default: `content-type`, `authorization`. */
  allowHeaders?: readonly string[];
  /** Response headers the browser may expose to scripts. */
  exposeHeaders?: readonly string[];
  /** Send `access-control-allow-credentials: true` (never together with a `'*'` origin answer). */
  allowCredentials?: boolean;
  /** Seconds a browser may cache a preflight answer. Default 600. */
  maxAge?: number;
}

/**
 * Cross-origin resource sharing for HTTP routes: answers preflight requests itself (204, or 400
 * for a disallowed origin or method) and adds the CORS headers to every response, error
 * responses included. It wraps outside the other hooks wherever it is listed, so a preflight
 * (which carries no credentials) is answered before an auth hook can refuse it, and the auth
 * hook's 401 still carries the headers a browser needs to read it.
 *
 * @example
 * new App({ routes, hooks: [auth, new Cors({ allowOrigins: ['https://chat.example.com'], allowCredentials: true })] });
 */
export class Cors {
  readonly appliesTo = ['http'] as const;
  readonly outermost = true;
  private readonly origins: ReadonlySet<string> | '*';
  private readonly methods: string;
  private readonly methodSet: ReadonlySet<string>;
  private readonly headers: ReadonlySet<string>;
  private readonly options: CorsOptions;

  constructor(options: CorsOptions = {}) {
    if (options.allowOrigins === '*' && options.allowCredentials) {
      throw new TypeError(
        "new Cors(): allowOrigins '*' with allowCredentials would let every site read credentialed responses; list the allowed origins",
      );
    }
    this.options = options;
    this.origins = options.allowOrigins === '*' ? '*' : new Set(options.allowOrigins ?? []);
    const methods = options.allowMethods ?? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
    this.methods = methods.join(', ');
    this.methodSet = new Set(methods.map((method) => method.toUpperCase()));
    this.headers = new Set((options.allowHeaders ?? ['content-type', 'authorization']).map((header) => header.toLowerCase()));
  }

  @inject([Scope])
  onRequest(scope: Scope): Response | undefined {
    const origin = header(scope, 'origin');
    const requested = header(scope, 'access-control-request-method');
    if (scope.method !== 'OPTIONS' || origin === undefined || requested === undefined) return undefined;
    const response = new Response(null, { status: status.HTTP_204_NO_CONTENT });
    if (!this.allows(origin)) return failed(response, 'origin');
    if (!this.methodSet.has(requested.toUpperCase())) return failed(response, 'method');
    const asked = (header(scope, 'access-control-request-headers') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    if (asked.some((h) => !this.headers.has(h))) return failed(response, 'headers');
    this.decorate(response, origin);
    response.setHeader('access-control-allow-methods', this.methods);
    if (asked.length) response.setHeader('access-control-allow-headers', asked.join(', '));
    response.setHeader('access-control-max-age', String(this.options.maxAge ?? 600));
    return response;
  }

  @inject([Scope, CurrentResponse])
  onResponse(scope: Scope, response: Response): void {
    const origin = header(scope, 'origin');
    if (origin !== undefined && this.allows(origin)) this.decorate(response, origin);
  }

  @inject([Scope, CurrentResponse])
  onError(scope: Scope, response: Response): void {
    this.onResponse(scope, response);
  }

  private allows(origin: string): boolean {
    return this.origins === '*' || this.origins.has(origin);
  }

  private decorate(response: Response, origin: string): void {
    if (response.getHeader('access-control-allow-origin') !== undefined) return;
    const wildcard = this.origins === '*' && !this.options.allowCredentials;
    response.setHeader('access-control-allow-origin', wildcard ? '*' : origin);
    if (!wildcard) response.appendHeader('vary', 'Origin');
    if (this.options.allowCredentials) response.setHeader('access-control-allow-credentials', 'true');
    if (this.options.exposeHeaders?.length) response.setHeader('access-control-expose-headers', this.options.exposeHeaders.join(', '));
  }
}

function header(scope: Scope, name: string): string | undefined {
  const value = scope.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function failed(response: Response, what: string): Response {
  response.status = status.HTTP_400_BAD_REQUEST;
  response.body = `Disallowed CORS ${what}`;
  response.setHeader('content-type', 'text/plain; charset=utf-8');
  return response;
}
