import type { JsonSchema } from '../inject/schema';

/** A message of a WebSocket route's protocol: its name (the `type` it carries) and its schema. */
export interface NamedMessage {
  readonly name: string;
  readonly schema: JsonSchema;
}

/** The constant `type` a message schema requires, if it requires one. */
function typeConstant(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const type = (schema as JsonSchema).properties?.type;
  if (type === undefined) return undefined;
  if (typeof type.const === 'string') return type.const;
  return type.enum?.length === 1 && typeof type.enum[0] === 'string' ? type.enum[0] : undefined;
}

/**
 * The messages a schema that dispatches on `type` stands for, one per type: the branches of a
 * `oneOf`/`anyOf` that each fix `type`, or an `allOf` of `if {type: X} then {...}` pairs (the
 * form that gives ajv's clearest errors), or a single schema fixing `type`. Undefined when the
 * schema does not dispatch on `type`.
 *
 * @example
 * messagesByType({ oneOf: [{ properties: { type: { const: 'join' } } }, { properties: { type: { const: 'say' } } }] });
 * // [{ name: 'join', schema: ... }, { name: 'say', schema: ... }]
 */
export function messagesByType(schema: JsonSchema | undefined): NamedMessage[] | undefined {
  if (schema === undefined) return undefined;
  const single = typeConstant(schema);
  if (single !== undefined) return [{ name: single, schema }];
  for (const branches of [schema.oneOf, schema.anyOf]) {
    if (!branches?.length) continue;
    const named = branches.map((branch) => ({ name: typeConstant(branch), schema: branch }));
    if (named.every((message) => message.name !== undefined)) return named as NamedMessage[];
  }
  const all = schema.allOf as readonly { readonly if?: unknown; readonly then?: JsonSchema }[] | undefined;
  if (Array.isArray(all) && all.length > 0) {
    const named = all.map((entry) => ({ name: typeConstant(entry.if), schema: entry.then }));
    if (named.every((message) => message.name !== undefined && message.schema !== undefined)) return named as NamedMessage[];
  }
  return undefined;
}
