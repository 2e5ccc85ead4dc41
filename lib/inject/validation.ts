import type { default as Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type addFormatsModule from 'ajv-formats';
import { ConfigurationError, ValidationError, type ValidationIssue } from '../errors/exceptions';
import { withPrecompiledMetaSchema } from './meta-schema-check';
import type { JsonSchema } from './schema';

/**
 * Two ajv instances, each compiling a schema once: parameters (path, query, header) and form
 * fields arrive as strings and are coerced to the schema's types; JSON bodies and messages are not.
 * Neither collects all errors: on untrusted input the first problem is enough.
 *
 * Both run in ajv's strict mode, so a misspelt keyword (`minLenght`), a keyword on the wrong
 * type, or a `format` nobody defined fails at `new App()` instead of silently checking nothing;
 * ajv-formats supplies the formats (email, date-time, uuid, uri, ...).
 */
export const AJV_OPTIONS: Options = { strict: true, allowUnionTypes: true, useDefaults: true };
// Made on first use: an app without schemas (or a process that only imports) pays nothing.
// ajv itself is loaded then too: it is the largest thing `require('starwire')` would otherwise load.
let paramAjv: Ajv | undefined;
let jsonAjv: Ajv | undefined;
function ajv(options: Options): Ajv {
  const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
  const addFormats = (require('ajv-formats') as { default: typeof addFormatsModule }).default;
  return addFormats(withPrecompiledMetaSchema(new AjvClass({ ...AJV_OPTIONS, ...options })));
}
const params = (): Ajv => (paramAjv ??= ajv({ coerceTypes: 'array' }));
// `discriminator` lets a oneOf of messages told apart by `type` report the member that matched.
const documents = (): Ajv => (jsonAjv ??= ajv({ discriminator: true }));

/** Checks and converts one value; throws `ValidationError` naming `parameter`. */
export type Validator<T> = (value: unknown) => T;

function issues(errors: ErrorObject[] | null | undefined, prefix: string): ValidationIssue[] {
  // Parameters are validated wrapped as { value }; their errors are reported as if they were not.
  const schemaPrefix = prefix ? '#/properties/value' : '';
  return (errors ?? []).map((error) => ({
    instancePath: error.instancePath.startsWith(prefix) ? error.instancePath.slice(prefix.length) : error.instancePath,
    schemaPath:
      schemaPrefix && error.schemaPath.startsWith(schemaPrefix) ? `#${error.schemaPath.slice(schemaPrefix.length)}` : error.schemaPath,
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
    message: error.message,
  }));
}

/*
 * Compiled validators by schema text. ajv caches by object identity only, while routes written
 * out by hand repeat the same small schemas (`{ type: 'integer' }`) as new objects, and a
 * parameter's schema is wrapped anew on every route: compiling costs about a millisecond each,
 * which an app of a thousand routes would pay at every start.
 */
const compiled = new WeakMap<Ajv, Map<string, ValidateFunction>>();

function compile(ajv: Ajv, schema: object, parameter: string, where: string): ValidateFunction {
  let byText = compiled.get(ajv);
  if (byText === undefined) compiled.set(ajv, (byText = new Map()));
  const text = JSON.stringify(schema);
  const known = byText.get(text);
  if (known !== undefined) return known;
  try {
    const validate = ajv.compile(schema);
    byText.set(text, validate);
    return validate;
  } catch (error) {
    throw new ConfigurationError(`${where}: invalid JSON Schema for ${parameter}: ${(error as Error).message}`);
  }
}

/**
 * A validator for a single string-valued parameter. ajv coerces only inside objects, so the
 * value is wrapped as `{ value }` and unwrapped after coercion and defaults.
 */
export function parameterValidator<T>(schema: JsonSchema, parameter: string, where: string, required = false): Validator<T> {
  const validate = compile(params(), { type: 'object', properties: { value: schema } }, parameter, where);
  return (value) => {
    if (value === undefined && required) {
      throw new ValidationError(
        parameter,
        [
          {
            instancePath: '',
            schemaPath: '#/required',
            keyword: 'required',
            params: { missingProperty: parameter },
            message: 'is required',
          },
        ],
        `Missing ${parameter}`,
      );
    }
    const holder: { value?: unknown } = value === undefined ? {} : { value };
    if (!validate(holder)) throw new ValidationError(parameter, issues(validate.errors, '/value'));
    return holder.value as T;
  };
}

/** A validator for a JSON document (request body, WebSocket message). */
export function jsonValidator<T>(schema: JsonSchema, parameter: string, where: string): Validator<T> {
  const validate = compile(documents(), schema, parameter, where);
  return (value) => {
    if (!validate(value)) throw new ValidationError(parameter, issues(validate.errors, ''));
    return value as T;
  };
}

/**
 * Checks `schema` as the JSON-document validators would read it (ajv's strict mode), without
 * keeping a validator: a schema used for writing (a declared response) fails at `new App()` on
 * a misspelt keyword as a request's would.
 */
export function checkJsonSchema(schema: JsonSchema, parameter: string, where: string): void {
  compile(documents(), schema, parameter, where);
}

/**
 * A validator for a form's fields (`{ name: string | string[] }`): coerced like parameters, so
 * `"3"` passes `{ type: 'integer' }` as 3, a single value passes an array schema as `[value]`.
 * The fields are copied first: ajv coerces in place.
 */
export function formValidator<T>(schema: JsonSchema, parameter: string, where: string): Validator<T> {
  const validate = compile(params(), schema, parameter, where);
  return (value) => {
    const copy =
      value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, Array.isArray(item) ? [...item] : item]))
        : value;
    if (!validate(copy)) throw new ValidationError(parameter, issues(validate.errors, ''));
    return copy as T;
  };
}
