import { ValidationError } from '../lib/errors/exceptions';
import type { FormContent } from '../lib/http/form-limits';
import type { UploadFile } from '../lib/http/upload-file';
import type { TokenDescription } from '../lib/inject/api-description';
import type { CompileSite } from '../lib/inject/token';
import { type FormOptions, FormReadingToken } from './form';

export { UploadFile } from '../lib/http/upload-file';

/** One uploaded file in a described multipart body (OpenAPI 3.1's way of saying binary content). */
const FILE_SCHEMA = { type: 'string', contentMediaType: 'application/octet-stream' } as const;

/**
 * The files of a `multipart/form-data` body, every one or those sent in field `name`, in the
 * order sent, each spooled to a temporary file removed when the request ends (see
 * `UploadFile`). A urlencoded form has none. Limits, 413s and 400s as for `Form`, with which it
 * shares one parse; HTTP routes only, never with `Body`.
 *
 * @example
 * new Route('/photos', 'POST', inject([Files('photo')], (photos) => photos.map((p) => ({ name: p.filename, size: p.size }))));
 */
export class FilesToken extends FormReadingToken<readonly UploadFile[]> {
  readonly label: string;

  constructor(
    readonly name: string | undefined,
    limits: FormOptions,
  ) {
    super(limits);
    this.label = name === undefined ? 'Files' : `Files(${JSON.stringify(name)})`;
  }

  override describeApi(): TokenDescription {
    const files = { type: 'array', items: FILE_SCHEMA };
    const schema =
      this.name === undefined ? { type: 'object', additionalProperties: files } : { type: 'object', properties: { [this.name]: files } };
    return { kind: 'body', mediaTypes: ['multipart/form-data'], schema };
  }

  protected reader(): (form: FormContent) => readonly UploadFile[] {
    const name = this.name;
    return name === undefined ? (form) => form.files : (form) => form.files.filter((file) => file.fieldName === name);
  }
}

/**
 * Every file of a multipart body, or those of field `name` (`<input type="file" multiple>`);
 * `options` overrides `settings.forms` limits for this route. See `FilesToken`.
 *
 * @example
 * new Route('/upload', 'POST', inject([Files(undefined, { maxFiles: 3 })], (files) => ({ count: files.length })));
 */
export function Files(name?: string, options: FormOptions = {}): FilesToken {
  return new FilesToken(name, options);
}

/** Options of `FormFile`: limits, and whether the file may be left out. */
export interface FormFileOptions extends FormOptions {
  /** A request without the file is a 400 naming it. Default true. */
  readonly required?: boolean;
}

/**
 * The one file sent in field `name` of a `multipart/form-data` body (see `UploadFile`). A
 * missing file is a 400 naming the field unless `{ required: false }` (then `undefined`); two
 * files in the field are a 400 (inject `Files(name)` for several). Limits, 413s and 400s as for
 * `Form`; HTTP routes only, never with `Body`.
 *
 * @example
 * new Route('/avatar', 'POST', inject([FormFile('avatar', { maxFileSize: 1024 * 1024 })],
 *   async (avatar) => ({ type: avatar.contentType, size: avatar.size })));
 */
export class FormFileToken<T extends UploadFile | undefined> extends FormReadingToken<T> {
  readonly label: string;

  constructor(
    readonly name: string,
    readonly required: boolean,
    limits: FormOptions,
  ) {
    super(limits);
    this.label = `FormFile(${JSON.stringify(name)})`;
  }

  override describeApi(): TokenDescription {
    const schema = { type: 'object', properties: { [this.name]: FILE_SCHEMA }, required: this.required ? [this.name] : [] };
    return { kind: 'body', mediaTypes: ['multipart/form-data'], schema };
  }

  protected reader(_site: CompileSite): (form: FormContent) => T {
    const { name, required } = this;
    const parameter = `file "${name}"`;
    return (form) => {
      const found = form.files.filter((file) => file.fieldName === name);
      if (found.length > 1) throw fileCountError(parameter, found.length);
      if (found.length === 0 && required) throw missingFileError(parameter);
      return found[0] as T;
    };
  }
}

function missingFileError(parameter: string): ValidationError {
  const issue = { instancePath: '', schemaPath: '#/required', keyword: 'required', params: { missingProperty: parameter } };
  return new ValidationError(parameter, [{ ...issue, message: 'is required' }], `Missing ${parameter}`);
}

function fileCountError(parameter: string, count: number): ValidationError {
  const issue = { instancePath: '', schemaPath: '#/maxItems', keyword: 'maxItems', params: { limit: 1 } };
  return new ValidationError(
    parameter,
    [{ ...issue, message: `must be one file, got ${count}` }],
    `Expected one ${parameter}, got ${count}`,
  );
}

/**
 * The file sent in field `name`; a request without it is a 400. See `FormFileToken`.
 *
 * @example
 * new Route('/avatar', 'POST', inject([FormFile('avatar')], (avatar) => ({ name: avatar.filename })));   // avatar: UploadFile
 */
export function FormFile(name: string, options?: FormFileOptions & { readonly required?: true }): FormFileToken<UploadFile>;
/**
 * The file sent in field `name`, or `undefined` when it was left out. See `FormFileToken`.
 *
 * @example
 * new Route('/profile', 'POST', inject([FormFile('avatar', { required: false })], (avatar) => ({ changed: avatar !== undefined })));
 */
export function FormFile(name: string, options: FormFileOptions & { readonly required: false }): FormFileToken<UploadFile | undefined>;
export function FormFile(name: string, options: FormFileOptions = {}): FormFileToken<UploadFile | undefined> {
  const { required = true, ...limits } = options;
  return new FormFileToken(name, required, limits);
}
