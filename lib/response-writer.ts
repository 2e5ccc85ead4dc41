import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from './response';

/** Writes a `Response` to Node's `ServerResponse`; for HEAD, headers only. */
export function writeResponse(res: ServerResponse, response: Response, head: boolean): void | Promise<void> {
  const body = response.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    if (head && body !== null && response.headers['content-length'] === undefined) {
      response.headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    }
    res.writeHead(response.status, response.headers);
    res.end(head || body === null ? undefined : body);
    return;
  }
  res.writeHead(response.status, response.headers);
  const stream = body instanceof Readable ? body : Readable.from(body);
  if (head) {
    stream.destroy();
    res.end();
    return;
  }
  // A failing stream cannot change a status already sent: the connection is cut instead.
  return pipeline(stream, res).catch((error: unknown) => {
    res.destroy(error as Error);
  });
}
