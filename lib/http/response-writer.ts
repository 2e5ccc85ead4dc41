import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { REQUEST_ID_HEADER } from './request-id';
import type { Response } from './response';

/**
 * Writes a `Response` to Node's `ServerResponse`; for HEAD, headers only. `requestId`, when
 * given, goes out as `X-Request-Id` unless the response sets that header itself.
 */
export function writeResponse(res: ServerResponse, response: Response, head: boolean, requestId?: string): void | Promise<void> {
  const body = response.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    const headers = response.headers;
    if (headers['content-length'] === undefined && mayHaveBody(response.status)) {
      // A body of known size goes out with its length, for GET and HEAD alike, not chunked.
      // The response is on its way out, so recording the length on it is safe.
      headers['content-length'] = String(byteLength(body));
    }
    writeHead(res, response.status, headers, requestId);
    res.end(head || body === null ? undefined : body);
    return;
  }
  writeHead(res, response.status, response.headers, requestId);
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
 * `res.writeHead` with the request id among the headers for the moment of the call: one more key
 * on the object Node reads keeps its fast path (`res.setHeader` would not), and the response,
 * which a handler may send again, is left as it was.
 */
function writeHead(res: ServerResponse, status: number, headers: Response['headers'], requestId: string | undefined): void {
  if (requestId === undefined || headers[REQUEST_ID_HEADER] !== undefined) {
    res.writeHead(status, headers);
    return;
  }
  headers[REQUEST_ID_HEADER] = requestId;
  try {
    res.writeHead(status, headers);
  } finally {
    // Removing the key just added takes the object back to its shape, fast in V8.
    delete headers[REQUEST_ID_HEADER];
  }
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
