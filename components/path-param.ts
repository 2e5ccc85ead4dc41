import { ConfigurationError } from '../lib/exceptions';
import type { FromSchema, JsonSchema } from '../lib/schema';
import { Token, type CompileSite, type Provider } from '../lib/token';
import { parameterValidator } from '../lib/validation';

/**
 * One path parameter. Without a schema the handler gets what the route's converter gives
 * (`{id:int}` → number, `{slug}` → string); with one, the value is coerced and validated,
 * and a mismatch is a 400 naming the parameter. A name the route does not declare is a
 * startup error.
 *
 * @example
 * new Route('/rooms/{room}/messages/{id:int}', 'GET',
 *   inject([PathParam('room'), PathParam('id', { type: 'integer', minimum: 1 })], (room, id) => ({ room, id })));
 */
export class PathParamToken<T> extends Token<T> {
  readonly label: string;

  constructor(readonly name: string, readonly schema: JsonSchema | undefined) {
    super();
    this.label = `PathParam(${JSON.stringify(name)})`;
  }

  compile(site: CompileSite): Provider<T> {
    const name = this.name;
    if (site.pathParams && !site.pathParams.includes(name)) {
      const declared = site.pathParams.length ? site.pathParams.map((p) => `{${p}}`).join(', ') : 'none';
      throw new ConfigurationError(`${site.where}: the route has no path parameter "${name}" (declared: ${declared})`);
    }
    if (!this.schema) return (connection) => connection.scope.pathParams[name] as T;
    const validate = parameterValidator<T>(this.schema, `path parameter "${name}"`, site.where);
    return (connection) => validate(connection.scope.pathParams[name]);
  }
}

export function PathParam(name: string): PathParamToken<string>;
export function PathParam<const S extends JsonSchema>(name: string, schema: S): PathParamToken<FromSchema<S>>;
export function PathParam(name: string, schema?: JsonSchema): PathParamToken<unknown> {
  return new PathParamToken(name, schema);
}
