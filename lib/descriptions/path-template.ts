import type { ParameterDescription } from '../inject/api-description';
import type { JsonSchema } from '../inject/schema';

/** What each path converter accepts, as JSON Schema. */
const CONVERTER_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  str: { type: 'string', minLength: 1 },
  int: { type: 'integer' },
  float: { type: 'number' },
  uuid: { type: 'string', format: 'uuid' },
  // OpenAPI has no way to say a parameter spans segments; the description says so.
  path: { type: 'string', description: 'The rest of the path: may contain "/"' },
};

/**
 * A route template as OpenAPI and AsyncAPI write it: converters dropped (`/notes/{id:int}` →
 * `/notes/{id}`); their types go into the parameters' schemas instead.
 *
 * @example
 * openApiPath('/files/{rest:path}'); // '/files/{rest}'
 */
export function openApiPath(template: string): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*):[a-z]+\}/g, '{$1}');
}

/**
 * The path parameter a template declares when no `PathParam` with a schema describes it: its
 * converter's type (`int` → integer, `float` → number, `uuid` → string with format uuid).
 *
 * @example
 * converterParameter('id', 'int'); // { kind: 'parameter', in: 'path', name: 'id', schema: { type: 'integer' }, required: true }
 */
export function converterParameter(name: string, converter: string): ParameterDescription {
  return { kind: 'parameter', in: 'path', name, schema: CONVERTER_SCHEMAS[converter] ?? CONVERTER_SCHEMAS.str, required: true };
}

/** True for the schema `converterParameter` gave (no `PathParam` schema describes the parameter). */
export function isConverterSchema(schema: JsonSchema | undefined): boolean {
  return schema === undefined || Object.values(CONVERTER_SCHEMAS).includes(schema);
}
