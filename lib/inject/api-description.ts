import type { JsonSchema } from './schema';

/**
 * What a token reads from a request or message, for the API descriptions (`app.openapi()`,
 * `app.asyncapi()`): a parameter, the request body, or the WebSocket message. A token without
 * such a description (a service, `Scope`, `WebSocket`) adds nothing to the documents.
 *
 * @example
 * class ApiKey extends Token<string | undefined> {
 *   readonly label = 'ApiKey';
 *   describeApi(): TokenDescription {
 *     return { kind: 'parameter', in: 'header', name: 'x-api-key', required: false };
 *   }
 *   compile(): Provider<string | undefined> { ... }
 * }
 */
export type TokenDescription = ParameterDescription | BodyDescription | MessageDescription;

/** A path, query, header or cookie parameter. */
export interface ParameterDescription {
  readonly kind: 'parameter';
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly name: string;
  /** Its JSON Schema; undefined for a plain string. */
  readonly schema?: JsonSchema;
  /** A request without it is refused. */
  readonly required: boolean;
}

/** The request body, in one or more media types. */
export interface BodyDescription {
  readonly kind: 'body';
  /** `application/json`; `multipart/form-data` and `application/x-www-form-urlencoded` for forms. */
  readonly mediaTypes: readonly string[];
  /** The body's JSON Schema; undefined when it is not validated. */
  readonly schema?: JsonSchema;
}

/** The WebSocket message a message handler receives. */
export interface MessageDescription {
  readonly kind: 'message';
  /** The message's JSON Schema; undefined when it is not validated. */
  readonly schema?: JsonSchema;
}

/** How a client proves who it is: OpenAPI's security scheme object, in its two common forms. */
export type ApiSecurityScheme =
  | { readonly type: 'http'; readonly scheme: string; readonly bearerFormat?: string; readonly description?: string }
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string; readonly description?: string };

/**
 * What a hook adds to the routes it wraps, for the API descriptions: credentials it asks for,
 * the HTTP statuses and close codes it answers with, the subprotocols it negotiates.
 *
 * @example
 * class RequireKey {
 *   describeApi(): HookDescription {
 *     return { security: [{ type: 'apiKey', in: 'header', name: 'x-api-key' }], statuses: { 401: 'No valid API key' } };
 *   }
 *   onRequest() { ... }
 * }
 */
export interface HookDescription {
  /** Alternative credentials: any one of them satisfies the hook. */
  readonly security?: readonly ApiSecurityScheme[];
  /** True when a request without credentials passes too. */
  readonly securityOptional?: boolean;
  /** HTTP statuses the hook may answer (on a WebSocket route: refusals of the handshake), with why. */
  readonly statuses?: Readonly<Record<number, string>>;
  /** Close codes the hook may end an accepted WebSocket with, with why. */
  readonly closeCodes?: Readonly<Record<number, string>>;
  /** WebSocket subprotocols the hook negotiates, preferred first. */
  readonly subprotocols?: readonly string[];
  /** Whether a client offering none of `subprotocols` is refused. */
  readonly subprotocolRequired?: boolean;
}
