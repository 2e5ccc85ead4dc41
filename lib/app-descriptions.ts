import type * as AsyncApiBuilder from './descriptions/asyncapi-document';
import {
  type ApiInfo,
  type AsyncApiDocument,
  type AsyncApiOptions,
  checkInfo,
  type OpenApiDocument,
  type OpenApiOptions,
} from './descriptions/document-types';
import type * as OpenApiBuilder from './descriptions/openapi-document';
import type * as RouteWalker from './descriptions/route-walker';
import type { DescribedRoute, RouteSource } from './descriptions/route-walker';

/**
 * The builders are loaded when an app is first described: most processes never describe
 * their API, and the builders' dozen modules are a sizeable share of `require('starwire')`.
 */
const asyncApiBuilder = (): typeof AsyncApiBuilder => require('./descriptions/asyncapi-document.js') as typeof AsyncApiBuilder;
const openApiBuilder = (): typeof OpenApiBuilder => require('./descriptions/openapi-document.js') as typeof OpenApiBuilder;
const routeWalker = (): typeof RouteWalker => require('./descriptions/route-walker.js') as typeof RouteWalker;

/**
 * The API descriptions of one App, from the routes, hooks and components it was made with.
 * The routes are walked on first use, then kept: they do not change after `new App()`.
 */
export class AppDescriptions {
  private described: DescribedRoute[] | undefined = undefined;

  constructor(private readonly source: RouteSource) {}

  openapi(info: ApiInfo, options?: OpenApiOptions): OpenApiDocument {
    checkInfo(info, 'app.openapi()');
    return openApiBuilder().openApiDocument(this.routes(), info, options);
  }

  asyncapi(info: ApiInfo, options?: AsyncApiOptions): AsyncApiDocument {
    checkInfo(info, 'app.asyncapi()');
    return asyncApiBuilder().asyncApiDocument(this.routes(), info, options);
  }

  private routes(): DescribedRoute[] {
    return (this.described ??= routeWalker().describeRoutes(this.source));
  }
}
