import { Readable } from 'node:stream';
import { assertHeader, assertHeaders, assertStatus, isStatus } from '../errors/http-fields';
import * as status from '../errors/status';
import type { ResponseSerializer } from '../routing/response-serializer';

/** Outgoing headers, names lower-case; a list value sends the header once per item. */
export type OutgoingHeaders = Record<string, string | string[]>;

export interface ResponseInit {
  status?: number;
  headers?: Record<string, string | string[]>;
}

export type ResponseBody = string | Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array | string> | null;

function lowerKeys(headers: Record<string, string | string[]> | undefined): OutgoingHeaders {
  const result: OutgoingHeaders = {};
  if (headers) for (const name of Object.keys(headers)) result[name.toLowerCase()] = headers[name];
  return result;
}

/**
 * An HTTP response. A handler may return one to control status and headers; plain values are
 * turned into one (objects → `JSONResponse`, strings → `PlainTextResponse`, buffers → bytes,
 * streams and async iterables → `StreamingResponse`, `undefined` → 204).
 *
 * @example
 * return new Response('created', { status: status.HTTP_201_CREATED, headers: { location: '/items/7' } });
 *
 * A status outside 100–599 or a header value with CR, LF or another control character is a
 * TypeError when the response is made or the header set, so it never reaches the wire.
 */
export class Response {
  status: number;
  readonly headers: OutgoingHeaders;
  body: ResponseBody;

  constructor(body: ResponseBody = null, init?: ResponseInit, mediaType?: string) {
    this.status = init?.status ?? status.HTTP_200_OK;
    // The class name goes into the error only: reading `new.target.name` on every response costs.
    if (!isStatus(this.status)) assertStatus(this.status, new.target.name);
    const given = init?.headers;
    if (given === undefined) {
      // The usual response, made by a subclass for a handler's value: one object of one shape.
      this.headers = mediaType ? { 'content-type': mediaType } : {};
    } else {
      this.headers = lowerKeys(given);
      assertHeaders(this.headers, new.target.name);
      if (mediaType && this.headers['content-type'] === undefined) this.headers['content-type'] = mediaType;
    }
    this.body = body;
  }

  /** Sets a header, replacing any value it had. */
  setHeader(name: string, value: string | string[]): this {
    assertHeader(name, value, 'Response');
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** Adds a value to a header, keeping the ones it had (e.g. `set-cookie`, `vary`). */
  appendHeader(name: string, value: string): this {
    assertHeader(name, value, 'Response');
    const key = name.toLowerCase();
    const seen = this.headers[key];
    this.headers[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    return this;
  }
}

/**
 * A JSON response; the value is serialized once, when the response is made.
 *
 * @example
 * return new JSONResponse({ error: 'gone' }, { status: 410 });
 */
export class JSONResponse extends Response {
  constructor(data: unknown, init?: ResponseInit) {
    super(JSON.stringify(data) ?? 'null', init, 'application/json');
  }
}

/** @example return new HTMLResponse('<h1>Hello</h1>'); */
export class HTMLResponse extends Response {
  constructor(html: string, init?: ResponseInit) {
    super(html, init, 'text/html; charset=utf-8');
  }
}

/** @example return new PlainTextResponse('pong'); */
export class PlainTextResponse extends Response {
  constructor(text: string, init?: ResponseInit) {
    super(text, init, 'text/plain; charset=utf-8');
  }
}

/**
 * A redirect, 307 by default so the method and body are kept.
 *
 * @example
 * return new RedirectResponse('/login', status.HTTP_303_SEE_OTHER);
 */
export class RedirectResponse extends Response {
  constructor(location: string, statusCode: number = status.HTTP_307_TEMPORARY_REDIRECT, init: ResponseInit = {}) {
    super(null, { ...init, status: statusCode });
    this.headers.location = encodeURI(location).replace(/%25([0-9A-Fa-f]{2})/g, '%$1');
  }
}

/**
 * A body written as it is produced, from a Node stream or any async iterable of chunks.
 *
 * @example
 * async function* ticks() { for (let i = 0; i < 3; i++) yield `tick ${i}\n`; }
 * return new StreamingResponse(ticks(), { headers: { 'content-type': 'text/plain' } });
 */
export class StreamingResponse extends Response {
  constructor(stream: Readable | AsyncIterable<Uint8Array | string>, init?: ResponseInit) {
    super(stream, init, 'application/octet-stream');
  }
}

/** Turns what a handler returned into a response. */
export function toResponse(value: unknown): Response {
  return nonJsonResponse(value) ?? new JSONResponse(value);
}

/**
 * Like `toResponse`, but a value that would go out as JSON is written by the route's compiled
 * serializer (only the properties its schema lists) and sent with the serializer's status.
 */
export function serializedResponse(value: unknown, serializer: ResponseSerializer): Response {
  return nonJsonResponse(value) ?? new Response(serializer.serialize(value), { status: serializer.status }, 'application/json');
}

/** The response for a value that is not sent as JSON; undefined for one that is. */
function nonJsonResponse(value: unknown): Response | undefined {
  if (value instanceof Response) return value;
  if (value === undefined) return new Response(null, { status: status.HTTP_204_NO_CONTENT });
  if (typeof value === 'string') return new PlainTextResponse(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return new Response(value, {}, 'application/octet-stream');
  if (value instanceof Readable) return new StreamingResponse(value);
  // An async generator would otherwise serialize as "{}".
  if (isAsyncIterable(value)) return new StreamingResponse(value);
  return undefined;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === 'object' && value !== null && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}
