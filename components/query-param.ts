import type { TokenDescription } from '../lib/inject/api-description';
import type { FromSchema, JsonSchema } from '../lib/inject/schema';
import { type CompileSite, type Provider, Token } from '../lib/inject/token';
import { parameterValidator } from '../lib/inject/validation';

/** A query parameter is optional unless its schema gives a default or it is declared required. */
type QueryValue<S, R> = R extends true
  ? FromSchema<S>
  : S extends { readonly default: unknown }
    ? FromSchema<S>
    : FromSchema<S> | undefined;

export interface QueryParamOptions {
  /** A request without the parameter is a 400 naming it. Default false. */
  readonly required?: boolean;
}

/**
 * One query parameter, coerced and validated by its schema (compiled once). Without a schema
 * the handler gets the raw string, or `undefined` when absent; a repeated key gives its first
 * value unless the schema is an array. With `{ required: true }` a missing parameter is a 400.
 *
 * @example
 * new Route('/search', 'GET', inject([QueryParam('q'), QueryParam('page', { type: 'integer', minimum: 1, default: 1 })],
 *   (q, page) => ({ q, page })));   // q: string | undefined, page: number
 */
export class QueryParamToken<T, N extends string = string, R extends boolean = boolean> extends Token<T> {
  readonly label: string;

  constructor(
    readonly name: N,
    readonly schema: JsonSchema | undefined,
    readonly required: R = false as R,
  ) {
    super();
    this.label = `QueryParam(${JSON.stringify(name)})`;
  }

  override describeApi(): TokenDescription {
    return { kind: 'parameter', in: 'query', name: this.name, schema: this.schema, required: this.required };
  }

  compile(site: CompileSite): Provider<T> {
    const name = this.name;
    if (!this.schema && !this.required) {
      return (connection) => {
        const value = connection.scope.query[name];
        return (Array.isArray(value) ? value[0] : value) as T;
      };
    }
    const validate = parameterValidator<T>(this.schema ?? { type: 'string' }, `query parameter "${name}"`, site.where, this.required);
    // ajv coerces in place: validate a copy of a repeated key's list, so the shared
    // `scope.query` keeps its strings for `Request.query` and other tokens.
    return (connection) => {
      const value = connection.scope.query[name];
      return validate(Array.isArray(value) ? [...value] : value);
    };
  }
}

/**
 * One query parameter as the raw string, `undefined` when absent; see `QueryParamToken`.
 *
 * @example
 * new Route('/search', 'GET', inject([QueryParam('q')], (q) => ({ q: q ?? '' })));
 */
export function QueryParam<const N extends string>(name: N): QueryParamToken<string | undefined, N, false>;
/**
 * One query parameter, coerced and validated by `schema`; `undefined` when absent unless the
 * schema has a `default` or `options.required` is true (then a missing one is a 400).
 *
 * @example
 * new Route('/search', 'GET', inject([QueryParam('page', { type: 'integer', minimum: 1, default: 1 }),
 *   QueryParam('q', { type: 'string' }, { required: true })], (page, q) => ({ page, q })));   // page: number, q: string
 */
export function QueryParam<const N extends string, const S extends JsonSchema, const O extends QueryParamOptions = { required: false }>(
  name: N,
  schema: S,
  options?: O,
): QueryParamToken<QueryValue<S, O['required']>, N, O['required'] extends true ? true : false>;
export function QueryParam(name: string, schema?: JsonSchema, options: QueryParamOptions = {}): QueryParamToken<unknown> {
  return new QueryParamToken(name, schema, options.required ?? false);
}
