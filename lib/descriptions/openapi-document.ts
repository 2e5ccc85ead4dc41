import { STATUS_CODES } from 'node:http';
import type { ParameterDescription } from '../inject/api-description';
import type { JsonSchema } from '../inject/schema';
import type { Route } from '../routing/routes';
import type { ApiInfo, JsonObject, OpenApiDocument, OpenApiOptions } from './document-types';
import { ERROR_SCHEMAS, FRAMEWORK_RESPONSES, frameworkResponses } from './framework-responses';
import { OperationIds } from './operation-ids';
import type { DescribedRoute } from './route-walker';
import { documentSchema } from './schema-dialect';
import { SecuritySchemes } from './security-schemes';

/** The methods an OpenAPI 3.1 path item has a field for; a route of another method cannot be described. */
const OPENAPI_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

const ANY_STRING: JsonSchema = { type: 'string' };

/**
 * The OpenAPI 3.1 document of an app's HTTP routes: paths with their parameters, request
 * bodies, declared responses and the statuses Starwire answers by itself, security from the
 * auth hooks, tags and operation ids. `app.openapi(info)` calls it.
 *
 * @example
 * const document = openApiDocument(describeRoutes(source), { title: 'Notes', version: '1.0.0' });
 */
export function openApiDocument(routes: readonly DescribedRoute[], info: ApiInfo, options: OpenApiOptions = {}): OpenApiDocument {
  const ids = new OperationIds();
  const schemes = new SecuritySchemes();
  const paths: Record<string, Record<string, JsonObject>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (route.kind !== 'http' || !OPENAPI_METHODS.has(method)) continue;
    const item = (paths[route.path] ??= {});
    // Two templates may be one OpenAPI path (`{id:int}` and `{id:uuid}`): the first route keeps it.
    if (item[method]) continue;
    for (const tag of route.tags) tags.add(tag);
    item[method] = operationOf(route, ids.next(route.route.options.name, method, route.template), schemes);
  }
  const securitySchemes = Object.fromEntries(
    Object.entries(schemes.all()).map(([name, scheme]) => [
      name,
      scheme.type === 'http' ? { ...scheme, scheme: scheme.scheme.toLowerCase() } : scheme,
    ]),
  );
  return {
    openapi: '3.1.0',
    info,
    ...(options.servers ? { servers: options.servers } : {}),
    ...(tags.size ? { tags: [...tags].map((name) => ({ name })) } : {}),
    paths,
    components: {
      schemas: ERROR_SCHEMAS,
      responses: FRAMEWORK_RESPONSES,
      ...(Object.keys(securitySchemes).length ? { securitySchemes } : {}),
    },
  };
}

function operationOf(route: DescribedRoute, operationId: string, schemes: SecuritySchemes): JsonObject {
  const options = (route.route as Route).options;
  const security = schemes.requirements(route.hooks);
  return {
    operationId,
    ...(options.summary ? { summary: options.summary } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(route.tags.length ? { tags: route.tags } : {}),
    ...(options.deprecated ? { deprecated: true } : {}),
    ...(route.parameters.length ? { parameters: route.parameters.map(parameterOf) } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(route.body.mediaTypes.map((type) => [type, { schema: documentSchema(route.body?.schema ?? {}) }])),
          },
        }
      : {}),
    responses: responsesOf(route),
    ...(security.length ? { security: security.map((names) => Object.fromEntries(names.map((name) => [name, []]))) } : {}),
  };
}

function parameterOf(parameter: ParameterDescription): JsonObject {
  const schema = parameter.schema ?? ANY_STRING;
  const { description, ...rest } = schema;
  return {
    name: parameter.name,
    in: parameter.in,
    required: parameter.in === 'path' || parameter.required,
    ...(typeof description === 'string' ? { description } : {}),
    schema: documentSchema(rest),
  };
}

function responsesOf(route: DescribedRoute): Record<string, JsonObject> {
  const responses: Record<string, JsonObject> = {};
  const declared = (route.route as Route).options.responses ?? {};
  for (const [code, schema] of Object.entries(declared)) {
    if (schema === undefined) continue;
    responses[code] = {
      description: STATUS_CODES[Number(code)] ?? `Status ${code}`,
      content: { 'application/json': { schema: documentSchema(schema) } },
    };
  }
  if (!Object.keys(responses).some((code) => code.startsWith('2'))) {
    responses['200'] = { description: 'Successful response (the route declares no schema for it)' };
  }
  for (const [code, response] of Object.entries(frameworkResponses(route))) responses[code] ??= response;
  for (const hook of route.hooks) {
    for (const [code, why] of Object.entries(hook.statuses ?? {})) {
      responses[code] ??= { description: why, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
  }
  return responses;
}
