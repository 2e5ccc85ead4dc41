import { asyncApiDocument } from './descriptions/asyncapi-document';
import {
  type ApiInfo,
  type AsyncApiDocument,
  type AsyncApiOptions,
  checkInfo,
  type OpenApiDocument,
  type OpenApiOptions,
} from './descriptions/document-types';
import { openApiDocument } from './descriptions/openapi-document';
import { type DescribedRoute, describeRoutes, type RouteSource } from './descriptions/route-walker';

/**
 * The API descriptions of one App, from the routes, hooks and components it was made with.
 * The routes are walked on first use, then kept: they do not change after `new App()`.
 */
export class AppDescriptions {
  private described: DescribedRoute[] | undefined = undefined;

  constructor(private readonly source: RouteSource) {}

  openapi(info: ApiInfo, options?: OpenApiOptions): OpenApiDocument {
    checkInfo(info, 'app.openapi()');
    return openApiDocument(this.routes(), info, options);
  }

  asyncapi(info: ApiInfo, options?: AsyncApiOptions): AsyncApiDocument {
    checkInfo(info, 'app.asyncapi()');
    return asyncApiDocument(this.routes(), info, options);
  }

  private routes(): DescribedRoute[] {
    return (this.described ??= describeRoutes(this.source));
  }
}
