import { ConfigurationError } from '../lib/errors/exceptions';
import type { TokenDescription } from '../lib/inject/api-description';
import type { FromSchema, JsonSchema } from '../lib/inject/schema';
import { type CompileSite, type ConnectionKind, type Provider, Token } from '../lib/inject/token';
import { jsonValidator } from '../lib/inject/validation';

/**
 * The current WebSocket message, parsed as JSON and validated by `schema`. A handler that
 * injects it is a *message handler*: the connection is accepted for it once the `onRequest`
 * hooks pass, and it runs once per message; what it returns (other than `undefined`) is sent
 * back as JSON. Bad JSON or a schema failure closes with 1007, or sends an error reply where
 * the route's `onInvalidMessage` is `'reply'`.
 *
 * @example
 * const say = inject([Message({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] })],
 *   (message) => ({ echo: message.text }));
 * new WebSocketRoute('/say', say);
 */
export class MessageToken<T> extends Token<T> {
  readonly label = 'Message';
  readonly scope = 'message' as const;
  override readonly kinds: readonly ConnectionKind[] = ['websocket'];

  constructor(readonly schema: JsonSchema | undefined) {
    super();
  }

  override describeApi(): TokenDescription {
    return { kind: 'message', schema: this.schema };
  }

  compile(site: CompileSite): Provider<T> {
    if (site.kind !== 'websocket' || !site.perMessage) {
      throw new ConfigurationError(
        `${site.where}: Message is only available to WebSocket message handlers (a WebSocketRoute handler that injects Message)`,
      );
    }
    if (!this.schema) return (_connection, message) => message!.value as T;
    const validate = jsonValidator<T>(this.schema, 'message', site.where);
    return (_connection, message) => validate(message!.value);
  }
}

/**
 * The current WebSocket message as JSON, unvalidated (`unknown`); see `MessageToken`.
 *
 * @example
 * new WebSocketRoute('/echo', inject([Message()], (message) => message));
 */
export function Message(): MessageToken<unknown>;
/**
 * The current WebSocket message as JSON, validated by `schema` and typed by it; see `MessageToken`.
 *
 * @example
 * new WebSocketRoute('/say', inject([Message({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] })],
 *   (message) => ({ echo: message.text })));   // message: { text: string }
 */
export function Message<const S extends JsonSchema>(schema: S): MessageToken<FromSchema<S>>;
export function Message(schema?: JsonSchema): MessageToken<unknown> {
  return new MessageToken(schema);
}
