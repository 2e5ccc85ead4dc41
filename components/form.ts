import { type FormLimits, formLimitsProblem } from '../lib/config/form-settings';
import { ConfigurationError } from '../lib/errors/exceptions';
import type { FormContent } from '../lib/http/form-limits';
import type { TokenDescription } from '../lib/inject/api-description';
import type { FromSchema, JsonSchema } from '../lib/inject/schema';
import { type CompileSite, type ConnectionKind, type Provider, Token } from '../lib/inject/token';
import { formValidator } from '../lib/inject/validation';

/** A form's fields as sent: a name sent more than once gives an array, in order. */
export type FormFields = Readonly<Record<string, string | string[]>>;

/** The bodies a form token reads. */
const FORM_MEDIA_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'] as const;

/** Per-route limits of a form token; any left out are `settings.forms`'. */
export type FormOptions = Partial<FormLimits>;

/**
 * What `Form`, `Files` and `FormFile` share: HTTP routes only, the body read as a form (so
 * never with `Body` on one function), limits checked at startup. The form is parsed once per
 * request, whichever of them asks first; each checks its own limits on it.
 */
export abstract class FormReadingToken<T> extends Token<T> {
  override readonly kinds: readonly ConnectionKind[] = ['http'];
  override readonly bodyFormat = 'form';

  constructor(readonly limits: FormOptions) {
    super();
  }

  compile(site: CompileSite): Provider<T> {
    if (site.kind !== 'http') {
      throw new ConfigurationError(
        `${site.where}: ${this.label} is only available on HTTP routes; a WebSocket handler receives from its WebSocket`,
      );
    }
    const problem = formLimitsProblem(this.limits, `${site.where}: ${this.label} options`);
    if (problem) throw new ConfigurationError(problem);
    const read = this.reader(site);
    const limits = this.limits;
    return (connection) => connection.request.form(limits).then(read);
  }

  /** What the token makes of the parsed form; may throw a 400. */
  protected abstract reader(site: CompileSite): (form: FormContent) => T;
}

/**
 * The fields of a form body (`application/x-www-form-urlencoded` or `multipart/form-data`;
 * another type is a 415), validated by `schema` with strings coerced as query parameters are
 * (`"3"` is 3 for an integer, a lone value is `[value]` for an array). Files are not fields:
 * inject `Files` or `FormFile` for them. A failing schema is a 400 shaped as `Body`'s, a limit
 * passed a 413 naming it, a malformed body a 400. HTTP routes only, never with `Body`.
 *
 * @example
 * const signup = inject([Form({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] })],
 *   (form) => ({ hello: form.name, age: form.age }));   // form: { name: string; age?: number }
 */
export class FormToken<T> extends FormReadingToken<T> {
  readonly label = 'Form';

  constructor(
    readonly schema: JsonSchema | undefined,
    limits: FormOptions,
  ) {
    super(limits);
  }

  override describeApi(): TokenDescription {
    const fields = { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } };
    return { kind: 'body', mediaTypes: FORM_MEDIA_TYPES, schema: this.schema ?? fields };
  }

  protected reader(site: CompileSite): (form: FormContent) => T {
    if (!this.schema) return (form) => form.fields as T;
    const validate = formValidator<T>(this.schema, 'form', site.where);
    return (form) => validate(form.fields);
  }
}

/**
 * The fields of a form body as sent, unvalidated; see `FormToken`.
 *
 * @example
 * new Route('/contact', 'POST', inject([Form()], (fields) => ({ from: fields.email })));   // fields: FormFields
 */
export function Form(schema?: undefined, options?: FormOptions): FormToken<FormFields>;
/**
 * The fields of a form body, coerced and validated by `schema` and typed by it; `options`
 * overrides `settings.forms` limits for this route. See `FormToken`.
 *
 * @example
 * new Route('/search', 'POST', inject([Form({ type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } }, { maxFields: 20 })],
 *   (form) => ({ tags: form.tags ?? [] })));   // a repeated `tags` field arrives as an array
 */
export function Form<const S extends JsonSchema>(schema: S, options?: FormOptions): FormToken<FromSchema<S>>;
export function Form(schema?: JsonSchema, options: FormOptions = {}): FormToken<unknown> {
  return new FormToken(schema, options);
}
