import { parse as parseCookies } from 'cookie';
import type { FormLimits } from '../config/form-settings';
import type { Settings } from '../config/settings';
import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import type { MaybePromise } from '../inject/thenable';
import type { Address, IncomingSource } from './address';
import type * as FormLimitsModule from './form-limits';
import type { FormContent } from './form-limits';
import type * as FormParserModule from './form-parser';
import type { FormParse } from './form-parser';
import type { Query, Scope } from './scope';

/** The settings a `Request` reads. */
export type RequestSettings = Pick<Settings, 'maxBodySize' | 'forms'>;

/**
 * The incoming HTTP request. The body is read on first use, at most `maxBodySize` bytes,
 * and cached, so `json()` after `text()` costs nothing; or it is streamed once as a form by
 * `form()`.
 *
 * @example
 * const echo = inject([Request], async (request) => ({ got: await request.json() }));
 */
export class Request {
  readonly method: string;
  readonly scope: Scope;
  private readonly source: IncomingSource;
  private readonly settings: RequestSettings;
  private body: Promise<Buffer> | undefined = undefined;
  private formParse: FormParse | undefined = undefined;
  private parsedCookies: Readonly<Record<string, string | undefined>> | undefined = undefined;

  constructor(scope: Scope, source: IncomingSource, settings: RequestSettings) {
    this.scope = scope;
    this.method = scope.method;
    this.source = source;
    this.settings = settings;
  }

  /** Path and query string as sent, e.g. `/search?q=chat`. */
  get url(): string {
    return this.source.url;
  }
  get path(): string {
    return this.scope.path;
  }
  get query(): Query {
    return this.scope.query;
  }
  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    return this.scope.headers;
  }
  get client(): Address | null {
    return this.scope.client;
  }

  /** One header's value (a repeated header is joined with `, `). */
  header(name: string): string | undefined {
    const key = name.toLowerCase();
    // Own keys only: Node's header object inherits `toString`, `constructor`, ...
    if (!Object.hasOwn(this.scope.headers, key)) return undefined;
    const value = this.scope.headers[key];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  get cookies(): Readonly<Record<string, string | undefined>> {
    return (this.parsedCookies ??= parseCookies(this.header('cookie') ?? ''));
  }

  /** The raw body. Rejects with 413 when it exceeds the limit, without reading the rest. */
  bytes(): Promise<Buffer> {
    if (this.body === undefined && this.formParse !== undefined) {
      return Promise.reject(new Error(`${this.method} ${this.path}: the body was already read as a form`));
    }
    return (this.body ??= readBody(this.source, this.settings.maxBodySize));
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /**
   * The body parsed as JSON; malformed JSON is a 400. Only a body sent as `application/json` or
   * another `+json` type (charset UTF-8 if given) is read: anything else is a 415 before the
   * body is read, so a cross-site form or `text/plain` POST, which a browser sends without a
   * CORS preflight, never reaches a JSON handler.
   */
  async json(): Promise<unknown> {
    const problem = jsonMediaTypeProblem(this.header('content-type'));
    if (problem) throw new HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, problem, { accept: 'application/json' });
    const text = await this.text();
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new HTTPException(status.HTTP_400_BAD_REQUEST, `Malformed JSON body: ${(error as Error).message}`);
    }
  }

  /**
   * The body as a form (`application/x-www-form-urlencoded` or `multipart/form-data`; anything
   * else is a 415), parsed once: files are streamed to temporary files, which `close()` removes
   * (the app calls it when the request ends). Past a limit (`settings.forms`, or `limits`
   * given here, checked on the parsed form when another caller parsed it first) it is a 413
   * naming the limit; a malformed body is a 400.
   *
   * @example
   * const upload = inject([Request], async (request) => {
   *   const { fields, files } = await request.form({ maxFileSize: 1024 * 1024 });
   *   return { title: fields.title, sizes: files.map((file) => file.size) };
   * });
   */
  async form(limits: Partial<FormLimits> = {}): Promise<FormContent> {
    // Loaded with the first form read: an app that reads none does not pay for them at `require('starwire')`.
    const { FORM_ACCEPT, FormParse, formMediaTypeProblem } = require('./form-parser.js') as typeof FormParserModule;
    const { formLimitProblem } = require('./form-limits.js') as typeof FormLimitsModule;
    const problem = formMediaTypeProblem(this.header('content-type'));
    if (problem) throw new HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, problem, { accept: FORM_ACCEPT });
    const { uploadDir, ...defaults } = this.settings.forms;
    const wanted = { ...defaults, ...limits };
    if (this.formParse === undefined) {
      // A body already read (by a hook, say) is parsed from memory.
      const body = this.body ? this.body.then((bytes) => [bytes]) : undefined;
      this.formParse = new FormParse(body ? fromPromise(body) : this.source.body, this.scope.headers, wanted, uploadDir);
    }
    const form = await this.formParse.content;
    const exceeded = formLimitProblem(form, wanted);
    if (exceeded) throw exceeded;
    return form;
  }

  /** Removes the temporary files of an uploaded form, once nothing writes them; the app calls it when the request ends. */
  close(): MaybePromise<void> {
    return this.formParse?.dispose();
  }
}

/** The chunks of a body already read, as the iterable a parser reads. */
async function* fromPromise(chunks: Promise<Buffer[]>): AsyncIterable<Buffer> {
  yield* await chunks;
}

declare module '../inject/connection' {
  /** A connection's request is a `Request`. */
  interface ConnectionRequest extends Request {}
}

/** @internal The `RequestFactory` the HTTP path gives each connection. */
export function requestOf(scope: Scope, settings: Settings): Request {
  return new Request(scope, scope.source, settings);
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** RFC 9110 §8.3.1: type "/" subtype, then parameters. */
const MEDIA_TYPE = new RegExp(`^[\\t ]*(${TOKEN})/(${TOKEN})[\\t ]*((?:;.*)?)$`);
const PARAMETER = new RegExp(`[\\t ]*;[\\t ]*(?:(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")[\\t ]*)?`, 'y');

/** Why a body with this `Content-Type` is not JSON that Starwire reads; undefined when it is. */
export function jsonMediaTypeProblem(contentType: string | undefined): string | undefined {
  const expected = 'send it as application/json';
  if (contentType === undefined || contentType.trim() === '') return `The request body has no Content-Type; ${expected}`;
  const match = MEDIA_TYPE.exec(contentType);
  const subtype = match?.[2].toLowerCase() ?? '';
  if (!match || !((subtype === 'json' && match[1].toLowerCase() === 'application') || subtype.endsWith('+json'))) {
    return `Unsupported Content-Type ${JSON.stringify(contentType)}: the body is read as JSON; ${expected}`;
  }
  const parameters = match[3];
  PARAMETER.lastIndex = 0;
  while (PARAMETER.lastIndex < parameters.length) {
    const start = PARAMETER.lastIndex;
    const parameter = PARAMETER.exec(parameters);
    if (!parameter || PARAMETER.lastIndex === start) return `Malformed Content-Type ${JSON.stringify(contentType)}; ${expected}`;
    if (parameter[1]?.toLowerCase() !== 'charset') continue;
    const charset = parameter[2].replace(/^"|"$/g, '').toLowerCase();
    // RFC 8259 §8.1: JSON between systems is UTF-8; another charset would be misread, not converted.
    if (charset !== 'utf-8' && charset !== 'utf8') return `Unsupported charset ${JSON.stringify(charset)}: JSON bodies are read as UTF-8`;
  }
  return undefined;
}

function tooLarge(limit: number): HTTPException {
  // Closing the connection keeps Node from draining an unread oversized body.
  return new HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, `Request body is larger than ${limit} bytes`, { connection: 'close' });
}

async function readBody(source: IncomingSource, limit: number): Promise<Buffer> {
  const declared = Number(source.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // Iterate by hand: leaving a `for await` early would destroy the socket before the 413 is sent.
  const iterator = source.body[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<Buffer | string>;
    try {
      step = await iterator.next();
    } catch {
      // The client went away mid-body: an answer nobody will read, not a server error to report.
      throw new HTTPException(status.HTTP_400_BAD_REQUEST, 'The request body was not received completely');
    }
    if (step.done) break;
    const buffer = typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
    size += buffer.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}
