import { ConfigurationError } from '../lib/errors/exceptions';
import type { TokenDescription } from '../lib/inject/api-description';
import type { FromSchema, JsonSchema } from '../lib/inject/schema';
import { type CompileSite, type ConnectionKind, type Provider, Token } from '../lib/inject/token';
import { jsonValidator } from '../lib/inject/validation';

/**
 * The request body parsed as JSON and validated by `schema` (compiled once at startup).
 * Malformed JSON and schema failures are 400s carrying ajv's errors; a body over
 * `settings.maxBodySize` is a 413. HTTP routes only.
 *
 * @example
 * const create = inject([Body({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] })],
 *   (body) => ({ created: body.name }));
 */
export class BodyToken<T> extends Token<T> {
  readonly label = 'Body';
  override readonly kinds: readonly ConnectionKind[] = ['http'];
  override readonly bodyFormat = 'JSON';

  constructor(readonly schema: JsonSchema | undefined) {
    super();
  }

  override describeApi(): TokenDescription {
    return { kind: 'body', mediaTypes: ['application/json'], schema: this.schema };
  }

  compile(site: CompileSite): Provider<T> {
    if (site.kind !== 'http') {
      throw new ConfigurationError(
        `${site.where}: Body is only available on HTTP routes; a WebSocket handler injects Message(schema) or receives from its WebSocket`,
      );
    }
    if (!this.schema) return (connection) => connection.request.json() as Promise<T>;
    const validate = jsonValidator<T>(this.schema, 'body', site.where);
    return (connection) => connection.request.json().then(validate);
  }
}

/**
 * The request body as JSON, unvalidated (`unknown`); see `BodyToken`.
 *
 * @example
 * new Route('/echo', 'POST', inject([Body()], (body) => ({ received: body })));
 */
export function Body(): BodyToken<unknown>;
/**
 * The request body as JSON, validated by `schema` and typed by it; see `BodyToken`.
 *
 * @example
 * new Route('/rooms', 'POST', inject([Body({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] })],
 *   (room) => ({ created: room.name })));   // room: { name: string }
 */
export function Body<const S extends JsonSchema>(schema: S): BodyToken<FromSchema<S>>;
export function Body(schema?: JsonSchema): BodyToken<unknown> {
  return new BodyToken(schema);
}
