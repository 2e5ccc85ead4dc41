import { ConfigurationError } from '../lib/errors/exceptions';
import type { TokenDescription } from '../lib/inject/api-description';
import type { FromSchema, JsonSchema } from '../lib/inject/schema';
import { type CompileSite, type Provider, Token } from '../lib/inject/token';
import { parameterValidator } from '../lib/inject/validation';

/**
 * One path parameter. Without a schema the handler gets a string (`{slug}`, `{key:uuid}`,
 * `{rest:path}`); with one, the value is coerced and validated, and a mismatch is a 400 naming
 * the parameter. Numeric converters (`{id:int}`, `{x:float}`) need a numeric schema, so the
 * handler's type matches the value. A name the route does not declare is a startup error.
 *
 * @example
 * new Route('/rooms/{room}/messages/{id:int}', 'GET',
 *   inject([PathParam('room'), PathParam('id', { type: 'integer', minimum: 1 })], (room, id) => ({ room, id })));
 */
export class PathParamToken<T, N extends string = string> extends Token<T> {
  readonly label: string;

  constructor(
    readonly name: N,
    readonly schema: JsonSchema | undefined,
  ) {
    super();
    this.label = `PathParam(${JSON.stringify(name)})`;
  }

  override describeApi(): TokenDescription {
    return { kind: 'parameter', in: 'path', name: this.name, schema: this.schema, required: true };
  }

  compile(site: CompileSite): Provider<T> {
    const name = this.name;
    // Own keys only: a name like "toString" must not find Object.prototype's.
    const converter = site.pathParams && Object.hasOwn(site.pathParams, name) ? site.pathParams[name] : undefined;
    if (site.pathParams && converter === undefined) {
      const names = Object.keys(site.pathParams);
      const declared = names.length ? names.map((p) => `{${p}}`).join(', ') : 'none';
      throw new ConfigurationError(`${site.where}: the route has no path parameter "${name}" (declared: ${declared})`);
    }
    if (!this.schema && (converter === 'int' || converter === 'float')) {
      // The token's type says string; a numeric converter would hand the handler a number.
      const type = converter === 'int' ? 'integer' : 'number';
      throw new ConfigurationError(
        `${site.where}: {${name}:${converter}} converts to a number; declare it as PathParam(${JSON.stringify(name)}, { type: '${type}' }) so the handler's type says so`,
      );
    }
    if (!this.schema) return (connection) => connection.scope.pathParams[name] as T;
    const validate = parameterValidator<T>(this.schema, `path parameter "${name}"`, site.where);
    const proven = provenBy(this.schema);
    if (proven === undefined) return (connection) => validate(connection.scope.pathParams[name]);
    // A number the converter made already is what the schema asks for: ajv would hand it back as it is.
    return (connection) => {
      const value = connection.scope.pathParams[name];
      return proven(value) ? (value as T) : validate(value);
    };
  }
}

/**
 * For a schema that says only `{ type: 'integer' }` or `{ type: 'number' }`, the test ajv would
 * pass a number by; undefined for any other schema, which only ajv checks.
 */
function provenBy(schema: JsonSchema): ((value: unknown) => boolean) | undefined {
  const keys = Object.keys(schema);
  if (keys.length !== 1 || keys[0] !== 'type') return undefined;
  const type = (schema as { type?: unknown }).type;
  if (type === 'integer') return isInteger;
  if (type === 'number') return isFiniteNumber;
  return undefined;
}

const isInteger = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value);
const isFiniteNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/**
 * One path parameter as a string (`{slug}`, `{key:uuid}`, `{rest:path}`); see `PathParamToken`.
 *
 * @example
 * new Route('/files/{rest:path}', 'GET', inject([PathParam('rest')], (rest) => ({ path: rest })));
 */
export function PathParam<const N extends string>(name: N): PathParamToken<string, N>;
/**
 * One path parameter, coerced and validated by `schema`, which numeric converters need.
 *
 * @example
 * new Route('/users/{id:int}', 'GET', inject([PathParam('id', { type: 'integer', minimum: 1 })], (id) => ({ id })));   // id: number
 */
export function PathParam<const N extends string, const S extends JsonSchema>(name: N, schema: S): PathParamToken<FromSchema<S>, N>;
export function PathParam(name: string, schema?: JsonSchema): PathParamToken<unknown> {
  return new PathParamToken(name, schema);
}
