/**
 * JSON Schema as Starwire accepts it, and the TypeScript type a schema describes, so that
 * `Body({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] })`
 * injects a `{ name: string }` without a separate interface.
 *
 * The inference covers what request and message schemas use: `type` (one or a list),
 * `properties`/`required`, `items`, `enum`, `const`, `nullable`, and `oneOf`/`anyOf` (a union,
 * e.g. messages told apart by a `type` constant). Anything it cannot read becomes `unknown`,
 * which a handler must narrow before use.
 */

/** A JSON Schema object (draft 7 / 2019-09 keywords, as ajv reads it). */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly nullable?: boolean;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly [keyword: string]: unknown;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type FromType<S, T> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { readonly items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : T extends 'object'
            ? FromObject<S>
            : unknown;

type FromObject<S> = S extends { readonly properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends RequiredOf<S> ? K : never]: FromSchema<P[K]> } & {
        -readonly [K in keyof P as K extends RequiredOf<S> ? never : K]?: FromSchema<P[K]>;
      } & (S extends { readonly additionalProperties: false } ? unknown : Record<string, unknown>)
    >
  : Record<string, unknown>;

type RequiredOf<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

/** Distributes over the members of a union schema. */
type FromMembers<M> = M extends unknown ? FromSchema<M> : never;

type WithNull<S, T> = S extends { readonly nullable: true } ? T | null : T;

/**
 * The TypeScript type of values that a JSON Schema literal (written `as const` or inline) accepts.
 *
 * @example
 * const newRoom = { type: 'object', properties: { name: { type: 'string' }, size: { type: 'integer' } }, required: ['name'] } as const;
 * type NewRoom = FromSchema<typeof newRoom>;   // { name: string; size?: number }
 */
export type FromSchema<S> = S extends { readonly oneOf: readonly (infer M)[] }
  ? FromMembers<M>
  : S extends { readonly anyOf: readonly (infer M)[] }
    ? FromMembers<M>
    : S extends { readonly const: infer C }
      ? C
      : S extends { readonly enum: readonly (infer E)[] }
        ? E
        : S extends { readonly type: readonly (infer T)[] }
          ? WithNull<S, FromType<S, T>>
          : S extends { readonly type: infer T }
            ? WithNull<S, FromType<S, T>>
            : unknown;
