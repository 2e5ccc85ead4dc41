import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type busboy from 'busboy';
import type { FormLimits } from '../config/form-settings';
import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import { type FormContent, formTooLarge } from './form-limits';
import { UploadFile } from './upload-file';

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

// Loaded on first use and kept: an app that takes no forms does not pay for loading busboy.
let parse: typeof busboy | undefined;
const loadBusboy = (): typeof busboy => (parse ??= require('busboy') as typeof busboy);

/** Why a body with this `Content-Type` is not a form that Starwire reads (a 415's detail); undefined when it is. */
export function formMediaTypeProblem(contentType: string | undefined): string | undefined {
  const expected = `send it as ${FORM_TYPES.join(' or ')}`;
  if (contentType === undefined || contentType.trim() === '') return `The request body has no Content-Type; ${expected}`;
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  if (FORM_TYPES.includes(type)) return undefined;
  return `Unsupported Content-Type ${JSON.stringify(contentType)}: the body is read as a form; ${expected}`;
}

/** What `accept` says on a 415 for a form. */
export const FORM_ACCEPT = FORM_TYPES.join(', ');

function malformed(error: unknown): HTTPException {
  return new HTTPException(status.HTTP_400_BAD_REQUEST, `Malformed form body: ${(error as Error).message}`);
}

/**
 * One request's form body being parsed: `content` settles with the form or the 4xx that
 * stopped it; `dispose()` waits until no file is being written any more, then removes the
 * request's upload folder. Every stream involved (the body, busboy, each file part, each
 * temporary file) has its errors handled here: none reaches the process.
 */
export class FormParse {
  readonly content: Promise<FormContent>;
  private folder: Promise<string> | undefined = undefined;
  /** Settles once every temporary file this parse opened is closed. */
  private readonly writes = new Set<Promise<void>>();
  private readonly parts = new Set<Readable>();
  /** What stopped the parse: a 4xx, or (the disk failing) an error for the 500 path. */
  private failure: Error | undefined = undefined;
  private wake: (() => void) | undefined = undefined;
  private reject: ((error: Error) => void) | undefined = undefined;

  constructor(
    body: AsyncIterable<Buffer | string>,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    private readonly limits: FormLimits,
    private readonly uploadDir: string,
  ) {
    this.content = this.parse(body, headers);
    // The caller may never look (a hook answered first); the failure is theirs to read, not unhandled.
    this.content.catch(() => undefined);
  }

  /** Waits for the parse to stop writing, then removes every temporary file it made. */
  async dispose(): Promise<void> {
    this.fail(new HTTPException(status.HTTP_400_BAD_REQUEST, 'The request ended before its form was read'));
    await this.content.catch(() => undefined);
    const folder = await this.folder?.catch(() => undefined);
    // A part that was waiting for the folder sees the failure and opens no file.
    while (this.writes.size > 0) await Promise.all(this.writes);
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  }

  /** Stops the parse with `error` (the first failure wins); the body is read no further. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const part of this.parts) part.destroy();
    this.wake?.();
    this.reject?.(error);
  }

  private parse(body: AsyncIterable<Buffer | string>, headers: FormParseHeaders): Promise<FormContent> {
    const declared = Number(headers['content-length']);
    if (declared > this.limits.maxTotalSize) return Promise.reject(formTooLarge.total(this.limits));
    let parser: busboy.Busboy;
    try {
      parser = loadBusboy()({
        headers: { 'content-type': String(headers['content-type']) },
        defParamCharset: 'utf8',
        limits: {
          // busboy reports the limit once a file reaches it; one byte more finds a file that passes it.
          fileSize: this.limits.maxFileSize + 1,
          files: this.limits.maxFiles,
          fields: this.limits.maxFields,
          fieldSize: this.limits.maxFieldSize,
        },
      });
    } catch (error) {
      return Promise.reject(malformed(error));
    }
    const fields = new Map<string, string | string[]>();
    const files: Promise<UploadFile>[] = [];
    return new Promise<FormContent>((resolve, reject) => {
      this.reject = reject;
      parser.on('error', (error) => this.fail(malformed(error)));
      parser.on('filesLimit', () => this.fail(formTooLarge.files(this.limits)));
      parser.on('fieldsLimit', () => this.fail(formTooLarge.fields(this.limits)));
      parser.on('field', (name, value, info) => {
        if (info.valueTruncated) return this.fail(formTooLarge.field(name, this.limits));
        const previous = fields.get(name);
        if (previous === undefined) fields.set(name, value);
        else if (Array.isArray(previous)) previous.push(value);
        else fields.set(name, [previous, value]);
      });
      parser.on('file', (name, stream, info) => {
        // Destroyed when the parse fails; the spool (or nobody) has seen that already.
        stream.on('error', () => undefined);
        // A file input left empty is sent with `filename=""` (which busboy reports as none): no file.
        if (!info.filename) {
          stream.resume();
          return;
        }
        stream.on('limit', () => this.fail(formTooLarge.file(name, this.limits)));
        const file = this.spool(name, stream, info, files.length);
        file.catch(() => undefined);
        files.push(file);
      });
      parser.on('finish', () => {
        Promise.all(files).then(
          (spooled) => resolve({ fields: Object.fromEntries(fields), files: spooled, size }),
          () => undefined,
        );
      });
      let size = 0;
      void this.feed(body, parser, (bytes) => {
        size += bytes;
        return size <= this.limits.maxTotalSize;
      });
    });
  }

  /** Writes the body into the parser with back-pressure, until it ends or the parse fails. */
  private async feed(body: AsyncIterable<Buffer | string>, parser: busboy.Busboy, count: (bytes: number) => boolean): Promise<void> {
    // Iterate by hand: leaving a `for await` early would destroy the socket before a 413 is sent.
    const iterator = body[Symbol.asyncIterator]();
    try {
      for (;;) {
        let step: IteratorResult<Buffer | string>;
        try {
          step = await iterator.next();
        } catch {
          // The client went away mid-body: an answer nobody will read, not a server error to report.
          return this.fail(new HTTPException(status.HTTP_400_BAD_REQUEST, 'The request body was not received completely'));
        }
        if (this.failure) return;
        if (step.done) break;
        const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
        if (!count(chunk.length)) return this.fail(formTooLarge.total(this.limits));
        if (!parser.write(chunk)) await new Promise<void>((resume) => this.waitForDrain(parser, resume));
        if (this.failure) return;
      }
      parser.end();
    } finally {
      if (this.failure) parser.destroy();
    }
  }

  private waitForDrain(parser: busboy.Busboy, resume: () => void): void {
    const done = (): void => {
      parser.off('drain', done);
      this.wake = undefined;
      resume();
    };
    this.wake = done;
    parser.once('drain', done);
  }

  /** Streams one file part into a temporary file of the request's upload folder. */
  private async spool(field: string, stream: Readable, info: busboy.FileInfo, index: number): Promise<UploadFile> {
    this.parts.add(stream);
    let closed: Promise<void> | undefined;
    try {
      // A part that arrives after a failure is only drained; the parser waits for it to end.
      if (this.failure) {
        stream.resume();
        throw this.failure;
      }
      const folder = await (this.folder ??= mkdtemp(join(this.uploadDir, 'starwire-upload-')));
      if (this.failure) throw this.failure;
      const path = join(folder, String(index));
      const output = createWriteStream(path);
      // Every opened file is waited for before the folder is removed, so none is created after.
      closed = new Promise<void>((settle) => output.once('close', settle));
      this.writes.add(closed);
      try {
        await pipeline(stream, output);
      } catch (error) {
        // The part ended early (a malformed or cut body), or the disk failed: a 400, or a 500 to report.
        throw this.failure ?? (output.errored ? error : malformed(error));
      }
      if (this.failure) throw this.failure;
      return new UploadFile(field, info.filename ?? '', info.mimeType || 'application/octet-stream', output.bytesWritten, path);
    } catch (error) {
      this.fail(error as Error);
      throw error;
    } finally {
      this.parts.delete(stream);
      const opened = closed;
      if (opened) void opened.then(() => this.writes.delete(opened));
    }
  }
}

type FormParseHeaders = Readonly<Record<string, string | string[] | undefined>>;
