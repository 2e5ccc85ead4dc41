import { Scope } from '../../components/scope';
import type { App } from '../app';
import { type ApiInfo, type AsyncApiOptions, checkInfo, type OpenApiOptions } from '../descriptions/document-types';
import { Response } from '../http/response';
import { inject } from '../inject/inject';
import { Route } from '../routing/routes';

/** Options of `apiDescriptionRoutes`. */
export interface ApiDescriptionRoutesOptions {
  /** The `info` of both documents: title and version at least. */
  readonly info: ApiInfo;
  /** Where the OpenAPI document is served; `false` leaves it out. Default `/openapi.json`. */
  readonly openapi?: string | false;
  /** Where the AsyncAPI document is served; `false` leaves it out. Default `/asyncapi.json`. */
  readonly asyncapi?: string | false;
  /** `servers` of the OpenAPI document. */
  readonly openapiServers?: OpenApiOptions['servers'];
  /** `servers` of the AsyncAPI document. */
  readonly asyncapiServers?: AsyncApiOptions['servers'];
}

/** The document text of each app, made at the first request: the routes do not change after `new App()`. */
type Documents = WeakMap<App, string>;

function documentRoute(path: string, make: (app: App) => unknown): Route {
  const made: Documents = new WeakMap();
  const serve = inject([Scope], (scope) => {
    let text = made.get(scope.app);
    if (text === undefined) made.set(scope.app, (text = JSON.stringify(make(scope.app))));
    return new Response(text, { headers: { 'content-type': 'application/json' } });
  });
  return new Route(path, 'GET', serve, { hidden: true });
}

/**
 * Ready-made routes serving the app's API descriptions, listed among its routes:
 * `GET /openapi.json` (OpenAPI 3.1, the HTTP routes) and `GET /asyncapi.json` (AsyncAPI 3.0,
 * the WebSocket routes). They leave themselves out of the documents. The app's hooks run on
 * them as on any route, so an auth hook on the whole app guards them too.
 *
 * @example
 * const app = new App({ routes: [...apiDescriptionRoutes({ info: { title: 'Chat', version: '1.0.0' } }), ...routes] });
 * // GET /openapi.json, GET /asyncapi.json
 */
export function apiDescriptionRoutes(options: ApiDescriptionRoutesOptions): Route[] {
  const { info } = options;
  checkInfo(info, 'apiDescriptionRoutes({ info })');
  const routes: Route[] = [];
  const openapi = options.openapi ?? '/openapi.json';
  const asyncapi = options.asyncapi ?? '/asyncapi.json';
  if (openapi !== false) routes.push(documentRoute(openapi, (app) => app.openapi(info, { servers: options.openapiServers })));
  if (asyncapi !== false) routes.push(documentRoute(asyncapi, (app) => app.asyncapi(info, { servers: options.asyncapiServers })));
  return routes;
}
