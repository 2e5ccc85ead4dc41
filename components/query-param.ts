import type { FromSchema, JsonSchema } from '../lib/schema';
import { Token, type CompileSite, type Provider } from '../lib/token';
import { parameterValidator } from '../lib/validation';

/** A query parameter is optional unless its schema gives a default. */
type QueryValue<S> = S extends { readonly default: unknown } ? FromSchema<S> : FromSchema<S> | undefined;

/**
 * One query parameter, coerced and validated by its schema (compiled once). Without a schema
 * the handler gets the raw string, or `undefined` when absent; a repeated key gives its first
 * value unless the schema is an array.
 *
 * @example
 * new Route('/search', 'GET', inject([QueryParam('q'), QueryParam('page', { type: 'integer', minimum: 1, default: 1 })],
 *   (q, page) => ({ q, page })));   // q: string | undefined, page: number
 */
export class QueryParamToken<T> extends Token<T> {
  readonly label: string;

  constructor(readonly name: string, readonly schema: JsonSchema | undefined) {
    super();
    this.label = `QueryParam(${JSON.stringify(name)})`;
  }

  compile(site: CompileSite): Provider<T> {
    const name = this.name;
    if (!this.schema) {
      return (connection) => {
        const value = connection.scope.query[name];
        return (Array.isArray(value) ? value[0] : value) as T;
      };
    }
    const validate = parameterValidator<T>(this.schema, `query parameter "${name}"`, site.where);
    // ajv coerces in place: validate a copy of a repeated key's list, so the shared
    // `scope.query` keeps its strings for `Request.query` and other tokens.
    return (connection) => {
      const value = connection.scope.query[name];
      return validate(Array.isArray(value) ? [...value] : value);
    };
  }
}

export function QueryParam(name: string): QueryParamToken<string | undefined>;
export function QueryParam<const S extends JsonSchema>(name: string, schema: S): QueryParamToken<QueryValue<S>>;
export function QueryParam(name: string, schema?: JsonSchema): QueryParamToken<unknown> {
  return new QueryParamToken(name, schema);
}
