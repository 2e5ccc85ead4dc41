import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { REQUEST_ID_HEADER } from './request-id';
import type { OutgoingHeaders, Response } from './response';

/**
 * Writes a `Response` to Node's `ServerResponse`; for HEAD, headers only. `requestId`, when
 * given, goes out as `X-Request-Id` unless the response sets that header itself.
 */
export function writeResponse(res: ServerResponse, response: Response, head: boolean, requestId?: string): void | Promise<void> {
  const body = response.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    // A body of known size goes out with its length, for GET and HEAD alike, not chunked.
    const length = mayHaveBody(response.status) ? byteLength(body) : -1;
    res.writeHead(response.status, rawHeaders(response.headers, requestId, length));
    res.end(head || body === null ? undefined : body);
    return;
  }
  res.writeHead(response.status, rawHeaders(response.headers, requestId, -1));
  const stream = body instanceof Readable ? body : Readable.from(body);
  // An event stream's headers go out at once: the EventSource opens before the first event,
  // which may be long in coming (or, for a room, wait for its history read).
  if (!head && isEventStream(response)) res.flushHeaders();
  if (head) {
    stream.destroy();
    res.end();
    return;
  }
  // A failing stream cannot change a status already sent: the connection is cut instead.
  // A client that went away mid-stream (an EventSource tab closed) is no failure of the app.
  let clientLeft = false;
  res.once('close', () => {
    clientLeft = !res.writableFinished && !stream.destroyed;
  });
  return pipeline(stream, res).catch((error: unknown) => {
    res.destroy();
    if (!(clientLeft && isPrematureClose(error))) throw error;
  });
}

/**
 * The response's headers as the flat name/value list `res.writeHead` takes, with the body's
 * `length` (when not negative and the response sets no `Content-Length`) and the request id
 * (unless the response sets `X-Request-Id` itself) added. Node reads a list with less work than
 * an object, and the response, which a handler may send again, is left as it was: adding keys
 * to it and deleting them after cost more than the list.
 */
function rawHeaders(headers: OutgoingHeaders, requestId: string | undefined, length: number): (string | string[])[] {
  const raw: (string | string[])[] = [];
  let hasLength = false;
  let hasId = false;
  for (const name in headers) {
    // Own keys only, as Node reads an object of headers.
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    if (value !== undefined) {
      if (name === 'content-length') hasLength = true;
      else if (name === REQUEST_ID_HEADER) hasId = true;
    }
    raw.push(name, value);
  }
  if (length >= 0 && !hasLength) raw.push('content-length', String(length));
  if (requestId !== undefined && !hasId) raw.push(REQUEST_ID_HEADER, requestId);
  return raw;
}

/** 1xx, 204 and 304 responses never carry a body, so they never carry a content-length either. */
export function mayHaveBody(statusCode: number): boolean {
  return statusCode >= 200 && statusCode !== 204 && statusCode !== 304;
}

/** The size on the wire of a body whose size is known before it is sent. */
export function byteLength(body: string | Uint8Array | null): number {
  return body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

function isPrematureClose(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function isEventStream(response: Response): boolean {
  const type = response.headers['content-type'];
  return typeof type === 'string' && type.startsWith('text/event-stream');
}
