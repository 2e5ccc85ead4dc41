import { Scope } from '../components/scope';
import { HTTPException } from '../lib/errors/exceptions';
import * as status from '../lib/errors/status';
import type { HookDescription } from '../lib/inject/api-description';
import { inject } from '../lib/inject/inject';

/**
 * Refuses WebSocket handshakes from pages on other origins with 403, before the upgrade:
 * browsers send `Origin` on every WebSocket handshake and apply no same-origin policy to
 * WebSockets, so this is what stops cross-site WebSocket hijacking. Clients that send no
 * `Origin` (servers, CLIs) pass unless `allowMissing` is false.
 *
 * @example
 * new App({ routes, hooks: [new AllowedOrigins(['https://chat.example.com'])] });
 */
export class AllowedOrigins {
  readonly appliesTo = ['websocket'] as const;
  private readonly origins: ReadonlySet<string>;

  constructor(
    origins: readonly string[],
    private readonly options: { allowMissing?: boolean } = {},
  ) {
    this.origins = new Set(origins.map((origin) => origin.toLowerCase()));
  }

  /**
   * The refusal, for the API descriptions.
   *
   * @example
   * new AllowedOrigins(['https://chat.example.com']).describeApi(); // { statuses: { 403: ... } }
   */
  describeApi(): HookDescription {
    return { statuses: { [status.HTTP_403_FORBIDDEN]: `The page's Origin is not one of ${[...this.origins].join(', ')}` } };
  }

  @inject([Scope])
  onRequest(scope: Scope): void {
    const header = scope.headers.origin;
    const origin = (Array.isArray(header) ? header[0] : header)?.toLowerCase();
    if (origin === undefined && this.options.allowMissing !== false) return;
    if (origin === undefined || !this.origins.has(origin)) {
      throw new HTTPException(status.HTTP_403_FORBIDDEN, `Origin ${origin ?? '(none)'} is not allowed`);
    }
  }
}
