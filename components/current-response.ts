import { Response } from '../lib/response';
import { Token, type Provider } from '../lib/token';

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

  compile(): Provider<Response> {
    return (connection) => connection.response as Response;
  }
}

export const CurrentResponse = new CurrentResponseToken();
