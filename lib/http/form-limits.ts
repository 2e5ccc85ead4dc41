import type { FormLimits } from '../config/form-settings';
import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import type { UploadFile } from './upload-file';

/** A form body as parsed: its fields, its files (spooled), and how many bytes it took. */
export interface FormContent {
  /** The parts that are not files, in order; a repeated name gives an array. */
  readonly fields: Readonly<Record<string, string | string[]>>;
  /** The files, in the order they were sent. */
  readonly files: readonly UploadFile[];
  /** The body's size in bytes. */
  readonly size: number;
}

/**
 * 413 naming the limit that was passed. The rest of the body is left unread, so the
 * connection is closed once the answer is out (Node would otherwise drain it).
 */
function tooLarge(detail: string): HTTPException {
  return new HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail, { connection: 'close' });
}

export const formTooLarge = {
  file: (field: string, limits: FormLimits) => tooLarge(`File '${field}' exceeds ${limits.maxFileSize} bytes`),
  files: (limits: FormLimits) => tooLarge(`Too many files: more than ${limits.maxFiles}`),
  fields: (limits: FormLimits) => tooLarge(`Too many fields: more than ${limits.maxFields}`),
  field: (field: string, limits: FormLimits) => tooLarge(`Field '${field}' exceeds ${limits.maxFieldSize} bytes`),
  total: (limits: FormLimits) => tooLarge(`Form body exceeds ${limits.maxTotalSize} bytes`),
};

/**
 * The first of `limits` that an already parsed form passes, as its 413; undefined when it
 * keeps to all. A form is parsed once per request, under the limits of the token that asked
 * first; another token on the route with tighter limits checks the result with this.
 */
export function formLimitProblem(form: FormContent, limits: FormLimits): HTTPException | undefined {
  if (form.size > limits.maxTotalSize) return formTooLarge.total(limits);
  if (form.files.length > limits.maxFiles) return formTooLarge.files(limits);
  for (const file of form.files) if (file.size > limits.maxFileSize) return formTooLarge.file(file.fieldName, limits);
  let count = 0;
  for (const [name, value] of Object.entries(form.fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (++count > limits.maxFields) return formTooLarge.fields(limits);
      if (Buffer.byteLength(item) > limits.maxFieldSize) return formTooLarge.field(name, limits);
    }
  }
  return undefined;
}
