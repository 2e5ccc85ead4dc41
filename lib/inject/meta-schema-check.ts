import type { default as Ajv, AnySchema, ValidateFunction } from 'ajv';

/**
 * The draft-07 meta-schema validator that `npm run build` writes next to this file
 * (scripts/compile-meta-schema.ts): ajv's own, generated once as code. Compiling it is most
 * of what the first schema costs an ajv instance (about 25 ms, paid again by each instance),
 * which `starwire serve` would otherwise pay at every start.
 */
export const META_SCHEMA_VALIDATOR_FILE = 'draft-07-meta-schema.js';

let loaded: ValidateFunction | null | undefined;

/** The generated validator; null when this build has none (compiled by tsc alone). */
function precompiled(): ValidateFunction | null {
  if (loaded === undefined) {
    try {
      loaded = require(`./${META_SCHEMA_VALIDATOR_FILE}`) as ValidateFunction;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
      loaded = null;
    }
  }
  return loaded;
}

/**
 * Has `ajv` check the schemas it compiles against draft-07 with the generated validator, as
 * its own `validateSchema` would (same errors, same message, at the same step of `compile`).
 * A schema naming its own `$schema` is left to ajv. Without a generated validator, ajv is
 * left as it is.
 *
 * @example
 * const ajv = withPrecompiledMetaSchema(new Ajv({ strict: true }));
 * ajv.compile({ type: 'strin' }); // throws: schema is invalid: data/type must be equal to one of the allowed values, ...
 */
export function withPrecompiledMetaSchema(ajv: Ajv): Ajv {
  const validate = precompiled();
  if (validate === null) return ajv;
  const own = ajv.validateSchema.bind(ajv);
  ajv.validateSchema = (schema: AnySchema, throwOrLogError?: boolean) => {
    if (typeof schema !== 'object' || schema === null || schema.$schema !== undefined) return own(schema, throwOrLogError);
    const valid = validate(schema) as boolean;
    ajv.errors = valid ? null : validate.errors;
    if (!valid && throwOrLogError) throw new Error(`schema is invalid: ${ajv.errorsText()}`);
    return valid;
  };
  return ajv;
}
