import type { JsonSchema } from '../inject/schema';

/**
 * A request or message schema as the documents carry it: a copy in which ajv's `nullable: true`
 * (an OpenAPI 3.0 keyword that neither OpenAPI 3.1 nor AsyncAPI's schemas know) becomes `"null"`
 * among the types. Everything else is JSON Schema already, and stays as written.
 *
 * @example
 * documentSchema({ type: 'string', nullable: true }); // { type: ['string', 'null'] }
 */
export function documentSchema(schema: JsonSchema): JsonSchema {
  return convert(schema) as JsonSchema;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    // `enum`, `const`, `default` and `examples` hold data, not schemas: copied as they are.
    copy[key] = key === 'enum' || key === 'const' || key === 'default' || key === 'examples' ? inner : convert(inner);
  }
  if (copy.nullable === true) {
    delete copy.nullable;
    const type = copy.type;
    if (typeof type === 'string') copy.type = [type, 'null'];
    else if (Array.isArray(type) && !type.includes('null')) copy.type = [...type, 'null'];
  }
  return copy;
}
