import { pipeline, Readable, type Transform } from 'node:stream';
import { promisify } from 'node:util';
import type * as Zlib from 'node:zlib';
import { CurrentResponse } from '../components/current-response';
import { Scope } from '../components/scope';
import { type ContentCoding, isCompressible, negotiateEncoding } from '../lib/http/content-coding';
import type { Response } from '../lib/http/response';
import { mayHaveBody } from '../lib/http/response-writer';
import { inject } from '../lib/inject/inject';

export interface CompressionOptions {
  /** Bodies smaller than this many bytes go out as they are. Default 1024. */
  threshold?: number;
  /** The codings to offer, preferred first (the client's `q` values decide; equal ones go to the earlier). Default `['br', 'gzip']`. */
  encodings?: readonly ContentCoding[];
  /**
   * Compression level: a number for both codings (gzip 1–9, brotli quality 0–11; capped per
   * coding), or one per coding. Default gzip 6, brotli 4: brotli's own default (11) is meant
   * for files compressed once, not for responses made per request.
   */
  level?: number | { gzip?: number; br?: number };
}

/** `node:zlib` and its promised one-shot codings. */
interface Codecs {
  readonly zlib: typeof Zlib;
  readonly gzip: (body: Zlib.InputType, options: Zlib.ZlibOptions) => Promise<Buffer>;
  readonly brotli: (body: Zlib.InputType, options: Zlib.BrotliOptions) => Promise<Buffer>;
}

// Loaded with the first Compression hook: `require('starwire')` does not pay for node:zlib.
let codecs: Codecs | undefined;
function loadCodecs(): Codecs {
  if (codecs === undefined) {
    const zlib = require('node:zlib') as typeof Zlib;
    codecs = { zlib, gzip: promisify(zlib.gzip), brotli: promisify(zlib.brotliCompress) };
  }
  return codecs;
}

/**
 * Compresses HTTP responses with gzip or brotli (`node:zlib`), as the request's
 * `Accept-Encoding` allows (`q` values, `*`, `identity;q=0`; brotli preferred when equal).
 * Sets `Content-Encoding`, adds `Vary: Accept-Encoding`, fixes `Content-Length` (a stream goes
 * out chunked) and weakens a strong `ETag`.
 *
 * Left alone: bodies under `threshold` bytes, types not worth it (images but SVG, audio, video,
 * archives, woff2 fonts, `application/octet-stream`; see `isCompressible`), `text/event-stream`,
 * responses that already have a `Content-Encoding` or say `Cache-Control: no-transform`, HEAD
 * requests, and 1xx/204/304/206 responses. A streamed body is compressed as a stream, each chunk
 * flushed as it comes, so a slow stream is not held back. Buffers are compressed off the main
 * thread (zlib's thread pool).
 *
 * @example
 * new App({ routes, hooks: [new Compression({ threshold: 2048 })] });
 */
export class Compression {
  readonly appliesTo = ['http'] as const;
  /** Last on the way out: it compresses the body the other hooks settled on. */
  readonly outermost = true;
  private readonly threshold: number;
  private readonly encodings: readonly ContentCoding[];
  private readonly gzipOptions: Zlib.ZlibOptions;
  private readonly brotliOptions: Zlib.BrotliOptions;

  constructor(options: CompressionOptions = {}) {
    this.threshold = options.threshold ?? 1024;
    if (!Number.isFinite(this.threshold) || this.threshold < 0) {
      throw new TypeError(`new Compression(): threshold must be a number of bytes ≥ 0, got ${String(options.threshold)}`);
    }
    this.encodings = options.encodings ?? ['br', 'gzip'];
    for (const coding of this.encodings) {
      if (coding !== 'br' && coding !== 'gzip') {
        throw new TypeError(`new Compression(): encodings may list 'br' and 'gzip', got ${JSON.stringify(coding)}`);
      }
    }
    const { zlib } = loadCodecs();
    const level = options.level;
    const gzipLevel = typeof level === 'number' ? Math.min(level, 9) : (level?.gzip ?? 6);
    const brLevel = typeof level === 'number' ? Math.min(level, 11) : (level?.br ?? 4);
    this.gzipOptions = { level: gzipLevel };
    this.brotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: brLevel } };
    // Bad levels fail here, at startup, rather than on the first large response.
    zlib.gzipSync('', this.gzipOptions);
    zlib.brotliCompressSync('', this.brotliOptions);
  }

  @inject([Scope, CurrentResponse])
  onResponse(scope: Scope, response: Response): void | Promise<void> {
    if (!this.eligible(scope, response)) return;
    const body = response.body;
    if (body === null) return;
    const known = typeof body === 'string' || body instanceof Uint8Array;
    if (known && Buffer.byteLength(body) < this.threshold) return;
    if (!varies(response)) response.appendHeader('vary', 'Accept-Encoding');
    const accept = scope.headers['accept-encoding'];
    const coding = negotiateEncoding(Array.isArray(accept) ? accept.join(',') : accept, this.encodings);
    if (coding === undefined) return;
    response.setHeader('content-encoding', coding);
    const etag = response.getHeader('etag');
    if (typeof etag === 'string' && !etag.startsWith('W/')) response.setHeader('etag', `W/${etag}`);
    const { zlib, gzip, brotli } = loadCodecs();
    if (known) {
      const compress = coding === 'br' ? brotli(body, this.brotliOptions) : gzip(body, this.gzipOptions);
      return compress.then((compressed) => {
        response.body = compressed;
        response.setHeader('content-length', String(compressed.byteLength));
      });
    }
    delete response.headers['content-length'];
    const source = body instanceof Readable ? body : Readable.from(body);
    const compressor: Transform =
      coding === 'br'
        ? zlib.createBrotliCompress({ ...this.brotliOptions, flush: zlib.constants.BROTLI_OPERATION_FLUSH })
        : zlib.createGzip({ ...this.gzipOptions, flush: zlib.constants.Z_SYNC_FLUSH });
    // The writer's pipeline destroys the compressor on a disconnect; this one passes that on to the
    // source (an EventStream's generator stops), and a source's error on to the writer.
    response.body = pipeline(source, compressor, ignore);
  }

  @inject([Scope, CurrentResponse])
  onError(scope: Scope, response: Response): void | Promise<void> {
    return this.onResponse(scope, response);
  }

  /** Whether this response may be compressed at all, whatever the client accepts. */
  private eligible(scope: Scope, response: Response): boolean {
    if (scope.method === 'HEAD' || !mayHaveBody(response.status) || response.status === 206) return false;
    if (response.getHeader('content-encoding') !== undefined) return false;
    const cacheControl = response.getHeader('cache-control');
    if (cacheControl !== undefined && /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(cacheControl))) return false;
    const type = response.getHeader('content-type');
    return isCompressible(Array.isArray(type) ? type[0] : type);
  }
}

/** Whether the response already says it varies by `Accept-Encoding` (or by everything). */
function varies(response: Response): boolean {
  const vary = response.getHeader('vary');
  if (vary === undefined) return false;
  return (Array.isArray(vary) ? vary.join(',') : vary).split(',').some((name) => /^\s*(?:accept-encoding|\*)\s*$/i.test(name));
}

/** The writer learns of a failure from the compressor itself. */
function ignore(): void {}
