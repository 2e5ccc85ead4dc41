/** A JSON object of a document (an operation, a channel, a schema). */
export type JsonObject = { readonly [key: string]: unknown };

/** The `info` of either document: title and version at least. */
export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly [field: string]: unknown;
}

/** Options of `app.openapi()`. */
export interface OpenApiOptions {
  /** Where the API is served (`[{ url: 'https://api.example.com' }]`). */
  readonly servers?: readonly JsonObject[];
}

/** Options of `app.asyncapi()`. */
export interface AsyncApiOptions {
  /** Servers by name (`{ production: { host: 'chat.example.com', protocol: 'wss' } }`). */
  readonly servers?: Readonly<Record<string, JsonObject>>;
}

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: ApiInfo;
  readonly servers?: readonly JsonObject[];
  readonly tags?: readonly { readonly name: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;
  readonly components: JsonObject;
}

/** An AsyncAPI 3.0 document. */
export interface AsyncApiDocument {
  readonly asyncapi: '3.0.0';
  readonly info: ApiInfo;
  readonly defaultContentType: string;
  readonly servers?: Readonly<Record<string, JsonObject>>;
  readonly channels: Readonly<Record<string, JsonObject>>;
  readonly operations: Readonly<Record<string, JsonObject>>;
  readonly components: JsonObject;
}

/**
 * Checks the `info` given to `app.openapi()` or `app.asyncapi()`: both documents require a
 * title and a version.
 *
 * @example
 * checkInfo({ title: 'Chat', version: '1.0.0' }, 'app.asyncapi()');
 */
export function checkInfo(info: ApiInfo, where: string): void {
  if (typeof info?.title !== 'string' || typeof info.version !== 'string') {
    throw new TypeError(`${where}: info needs a title and a version (strings), e.g. { title: 'Chat', version: '1.0.0' }`);
  }
}
