// `promises` of node:fs, not node:fs/promises: node loads it when first read, so `require('starwire')` does not pay for it.
import { createReadStream, promises } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * One file sent in a `multipart/form-data` body, spooled to a temporary file before the
 * handler runs (so every limit has been checked and the whole form is there). The file is
 * removed when the request ends, whatever happens: copy or move it (`fs.copyFile(file.path, …)`)
 * to keep it.
 *
 * @example
 * new Route('/avatar', 'POST', inject([FormFile('avatar')], async (avatar) => {
 *   await copyFile(avatar.path, `/srv/avatars/${randomUUID()}`);
 *   return { name: avatar.filename, type: avatar.contentType, size: avatar.size };
 * }));
 */
export class UploadFile {
  constructor(
    /** The form field the file was sent in (`<input type="file" name="avatar">`). */
    readonly fieldName: string,
    /** The file's name as the client gave it, without any folder (untrusted: never use it as a path). */
    readonly filename: string,
    /** The part's `Content-Type` as the client gave it (untrusted), `application/octet-stream` when absent. */
    readonly contentType: string,
    /** Its size in bytes. */
    readonly size: number,
    /** The temporary file holding it, removed when the request ends. */
    readonly path: string,
  ) {}

  /** Its content, read from the temporary file. */
  bytes(): Promise<Buffer> {
    return promises.readFile(this.path);
  }

  /** Its content as UTF-8 text. */
  text(): Promise<string> {
    return promises.readFile(this.path, 'utf8');
  }

  /** A stream of its content, for files too large to hold in memory; read it before the handler returns. */
  stream(): Readable {
    return createReadStream(this.path);
  }
}
