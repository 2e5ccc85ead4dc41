import type { JsonSchema } from '../inject/schema';
import { isConverterSchema } from './path-template';
import type { DescribedRoute } from './route-walker';

/**
 * The bodies of the error answers (lib/errors/error-table.ts): `{ detail }`, and for a failed
 * validation `{ detail, parameter, errors }` with ajv's errors.
 */
export const ERROR_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Error: {
    type: 'object',
    properties: { detail: { description: 'What went wrong; a string unless the raiser gave other JSON' } },
    required: ['detail'],
  },
  ValidationError: {
    type: 'object',
    properties: {
      detail: { type: 'string', description: 'The first problem, in words' },
      parameter: { type: 'string', description: 'The input that failed: `body`, `query parameter "page"`, ...' },
      errors: { type: 'array', items: { $ref: '#/components/schemas/ValidationIssue' } },
    },
    required: ['detail', 'parameter', 'errors'],
  },
  ValidationIssue: {
    type: 'object',
    description: "One of ajv's errors",
    properties: {
      instancePath: { type: 'string' },
      schemaPath: { type: 'string' },
      keyword: { type: 'string' },
      params: { type: 'object' },
      message: { type: 'string' },
    },
    required: ['instancePath', 'schemaPath', 'keyword', 'params'],
  },
};

const errorContent = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });

/** The answers Starwire gives by itself, as OpenAPI response objects in `components.responses`. */
export const FRAMEWORK_RESPONSES = {
  ValidationFailed: {
    description: 'A parameter or the body failed validation (or was not JSON)',
    content: errorContent('ValidationError'),
  },
  NotFound: { description: 'No route matches the path (a path parameter of the wrong type included)', content: errorContent('Error') },
  MethodNotAllowed: {
    description: 'The path exists, not for this method; `Allow` lists those it has',
    headers: { Allow: { schema: { type: 'string' } } },
    content: errorContent('Error'),
  },
  ContentTooLarge: {
    description: 'The body is larger than the limit (`settings.maxBodySize`, form limits)',
    content: errorContent('Error'),
  },
  UnsupportedMediaType: { description: 'The body is not of a media type the route reads', content: errorContent('Error') },
  ServiceUnavailable: { description: 'The server is shutting down or has too many connections', content: errorContent('Error') },
} as const;

/** A response naming one of `FRAMEWORK_RESPONSES`. */
export type FrameworkResponseRef = { readonly $ref: `#/components/responses/${keyof typeof FRAMEWORK_RESPONSES}` };

const ref = (name: keyof typeof FRAMEWORK_RESPONSES): FrameworkResponseRef => ({ $ref: `#/components/responses/${name}` });

/**
 * True when a request can fail validation: any body, a required parameter, or one a schema
 * checks (a path parameter's converter alone refuses with 404, not 400).
 */
export function validatesInput(route: DescribedRoute): boolean {
  return (
    route.body !== undefined ||
    route.parameters.some((parameter) =>
      parameter.in === 'path' ? !isConverterSchema(parameter.schema) : parameter.schema !== undefined || parameter.required,
    )
  );
}

/**
 * The statuses Starwire itself may answer a route with, by status: 400 where input is
 * validated, 404 where a path parameter's converter can refuse a segment, 413 and 415 where a
 * body is read. (405 answers methods a path does not have, so no operation lists it; it is in
 * `components.responses`.)
 *
 * @example
 * frameworkResponses(route); // { 400: { $ref: '#/components/responses/ValidationFailed' }, 413: ..., 415: ... }
 */
export function frameworkResponses(route: DescribedRoute): Record<number, FrameworkResponseRef> {
  const responses: Record<number, FrameworkResponseRef> = {};
  if (validatesInput(route)) responses[400] = ref('ValidationFailed');
  if (/\{[A-Za-z_][A-Za-z0-9_]*:(?:int|float|uuid)\}/.test(route.template)) responses[404] = ref('NotFound');
  if (route.body) {
    responses[413] = ref('ContentTooLarge');
    responses[415] = ref('UnsupportedMediaType');
  }
  return responses;
}
