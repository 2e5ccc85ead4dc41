import { PassThrough, type Readable } from 'node:stream';
import type sendModule from 'send';
import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import type { Request } from './request';
import { Response } from './response';

// Loaded on first use and kept: an app that serves no files does not pay for loading `send`.
let send: typeof sendModule | undefined;
const loadSend = (): typeof sendModule => (send ??= require('send') as typeof sendModule);

/**
 * The caching headers a served file carries, as the `send` package writes them.
 *
 * @example
 * StaticFiles('/assets', 'public/assets', { maxAge: '365d', immutable: true });
 */
export interface FileCacheOptions {
  /** `Cache-Control: max-age`, in milliseconds or as `ms` text (`'1d'`). Default 0. */
  readonly maxAge?: number | string;
  /** Adds `immutable` to `Cache-Control` (use it with a `maxAge`). Default false. */
  readonly immutable?: boolean;
  /** Sends a weak `ETag`. Default true. */
  readonly etag?: boolean;
  /** Sends `Last-Modified`. Default true. */
  readonly lastModified?: boolean;
}

/** How `fileResponse` sends a file. */
export interface FileSendOptions extends FileCacheOptions {
  /** Dotfiles below `root`: `'allow'` serves them, `'ignore'` answers 404. */
  readonly dotfiles: 'allow' | 'ignore';
}

/** The error `send` raises (an `http-errors` object): its status and the headers it asks for. */
interface SendError extends Error {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What `send` writes, recorded instead of sent: `send` drives a Node `ServerResponse`, and this
 * stands in for one (status, headers, `end()`, and the stream it pipes the file into), so the
 * file leaves as an ordinary `Response` that hooks see and that the server and `TestClient`
 * write alike.
 */
class ResponseRecorder extends PassThrough {
  statusCode: number = status.HTTP_200_OK;
  /** `send` checks this before it starts; nothing has been sent while it records. */
  readonly headersSent = false;
  private readonly fields = new Map<string, string | string[]>();

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.fields.set(name.toLowerCase(), typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value]);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.fields.get(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.fields.delete(name.toLowerCase());
  }

  getHeaderNames(): string[] {
    return [...this.fields.keys()];
  }

  /** The recorded answer, with `body` (the recorder itself while a file streams through it). */
  toResponse(body: Readable | null): Response {
    return new Response(body, { status: this.statusCode, headers: Object.fromEntries(this.fields) });
  }
}

/** An error of `send` as what the error table answers: a 4xx is an `HTTPException` with its headers. */
function sendFailure(error: SendError): unknown {
  const code = error.status ?? status.HTTP_500_INTERNAL_SERVER_ERROR;
  if (code >= 500) return error;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(error.headers ?? {})) headers[name.toLowerCase()] = value;
  return new HTTPException(code, undefined, headers);
}

/**
 * The response that serves the file at `relative` (a path checked by the caller, inside `root`,
 * with `/` separators) to `request`, as the `send` package answers it: content type from the
 * extension, `ETag` and `Last-Modified` with 304 on a matching `If-None-Match` or
 * `If-Modified-Since`, a single `Range` as 206 with `Content-Range` (416 when unsatisfiable),
 * and no body for HEAD. A failure before the first byte (the file vanished: 404) rejects with
 * the error to answer; one while streaming cuts the body.
 */
export function fileResponse(request: Request, root: string, relative: string, options: FileSendOptions): Promise<Response> {
  const url = `/${relative.split('/').map(encodeURIComponent).join('/')}`;
  return new Promise<Response>((resolve, reject) => {
    const recorder = new ResponseRecorder();
    let settled = false;
    let file: Readable | undefined;
    // `send` reads only `method` and `headers` of the request it is given.
    const sending = loadSend()(request as unknown as Readable, url, {
      root,
      index: false,
      extensions: false,
      dotfiles: options.dotfiles,
      maxAge: options.maxAge ?? 0,
      immutable: options.immutable ?? false,
      etag: options.etag ?? true,
      lastModified: options.lastModified ?? true,
    });
    sending.on('error', (error: SendError) => {
      if (settled) recorder.destroy(error);
      else {
        settled = true;
        reject(sendFailure(error));
      }
    });
    // The caller serves files only; a directory here appeared since it looked.
    sending.on('directory', () => {
      settled = true;
      reject(new HTTPException(status.HTTP_404_NOT_FOUND));
    });
    sending.on('stream', (stream: Readable) => {
      file = stream;
      settled = true;
      resolve(recorder.toResponse(recorder));
    });
    // Ended with no stream: a 304, or the answer to HEAD.
    recorder.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve(recorder.toResponse(null));
    });
    // The body was dropped (client gone, HEAD) before the file was read through: close the file.
    recorder.on('close', () => file?.destroy());
    sending.pipe(recorder);
  });
}
