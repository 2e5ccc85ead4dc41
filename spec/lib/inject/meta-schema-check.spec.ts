import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { META_SCHEMA_VALIDATOR_FILE, withPrecompiledMetaSchema } from '../../../lib/inject/meta-schema-check';
import { AJV_OPTIONS } from '../../../lib/inject/validation';
import { metaSchemaValidatorCode, writeMetaSchemaValidator } from '../../../scripts/compile-meta-schema';

/** Schemas the meta-schema refuses, and some it lets through to the compiler. */
const SCHEMAS: unknown[] = [
  { type: 'strin' },
  { type: ['string', 'strin'] },
  { minLength: -1 },
  { maxItems: 1.5 },
  { required: 'name' },
  { enum: [] },
  { properties: { a: { type: 5 } } },
  { items: [{ type: 'nope' }] },
  { $id: 5 },
  { type: 'string', pattern: '(' },
  { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
  { type: 'object', properties: { a: { type: 'string', minLenght: 1 } } },
  { oneOf: [{ type: 'integer' }, { type: 'string' }] },
  true,
];

/** What compiling `schema` says: 'ok', or the error's message. */
function outcome(ajv: Ajv, schema: unknown): string {
  try {
    ajv.compile(schema as object);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

const ajvAsShipped = (): Ajv => addFormats(new Ajv({ ...AJV_OPTIONS }));

describe('meta-schema-check', () => {
  it('finds a generated validator in this build, next to the module', () => {
    assert.ok(existsSync(join(__dirname, '..', '..', '..', 'lib', 'inject', META_SCHEMA_VALIDATOR_FILE)));
  });

  it('refuses and accepts exactly the schemas ajv refuses and accepts, with the same message', () => {
    for (const coerce of [{}, { coerceTypes: 'array' as const }]) {
      for (const schema of SCHEMAS) {
        const own = addFormats(new Ajv({ ...AJV_OPTIONS, ...coerce }));
        const precompiled = addFormats(withPrecompiledMetaSchema(new Ajv({ ...AJV_OPTIONS, ...coerce })));
        assert.equal(outcome(precompiled, schema), outcome(own, schema), JSON.stringify(schema));
      }
    }
  });

  it('reports errors through ajv as validateSchema does, without throwing when not asked to', () => {
    const precompiled = withPrecompiledMetaSchema(ajvAsShipped());
    assert.equal(precompiled.validateSchema({ type: 'strin' }), false);
    assert.match(precompiled.errorsText(), /^data\/type must be equal to one of the allowed values/);
    assert.equal(precompiled.validateSchema({ type: 'string' }), true);
    assert.equal(precompiled.errors, null);
  });

  it('leaves a schema that names its own $schema to ajv', () => {
    const precompiled = withPrecompiledMetaSchema(ajvAsShipped());
    assert.throws(() => precompiled.compile({ $schema: 'https://example.com/other', type: 'string' }), /no schema with key or ref/);
  });

  it('is what scripts/compile-meta-schema.ts generates from the ajv installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'starwire-meta-'));
    try {
      const file = writeMetaSchemaValidator(dir);
      assert.equal(readFileSync(file, 'utf8'), metaSchemaValidatorCode());
      const shipped = join(__dirname, '..', '..', '..', 'lib', 'inject', META_SCHEMA_VALIDATOR_FILE);
      assert.equal(readFileSync(shipped, 'utf8'), metaSchemaValidatorCode());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
