import { ConfigurationError } from '../lib/errors/exceptions';
import type { Response } from '../lib/http/response';
import { type CompileSite, type ConnectionKind, type Provider, Token } from '../lib/inject/token';

/**
 * The response about to be sent, for `onResponse` and `onError` hooks (HTTP routes).
 *
 * @example
 * class PoweredBy {
 *   @inject([CurrentResponse])
 *   onResponse(response: Response) { response.setHeader('x-powered-by', 'starwire'); }
 * }
 */
export class CurrentResponseToken extends Token<Response> {
  readonly label = 'CurrentResponse';
  override readonly kinds: readonly ConnectionKind[] = ['http'];

  compile(site: CompileSite): Provider<Response> {
    if (site.kind !== 'http') throw new ConfigurationError(`${site.where}: CurrentResponse is only available on HTTP routes`);
    return (connection) => connection.response as Response;
  }
}

/**
 * The response about to be sent, for `onResponse` and `onError` hooks; see `CurrentResponseToken`.
 *
 * @example
 * class PoweredBy {
 *   @inject([CurrentResponse])
 *   onResponse(response: Response) { response.setHeader('x-powered-by', 'starwire'); }
 * }
 */
export const CurrentResponse = new CurrentResponseToken();
