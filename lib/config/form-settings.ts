import { tmpdir } from 'node:os';

/**
 * Limits on a form body (`application/x-www-form-urlencoded` or `multipart/form-data`); past
 * any of them the request is a 413 whose detail names the limit. App-wide in
 * `settings.forms`; a `Form`, `Files` or `FormFile` token may tighten or loosen them for its route.
 */
export interface FormLimits {
  /** Largest uploaded file, in bytes. Default 10 MiB. */
  maxFileSize: number;
  /** Most files in one request. Default 10. */
  maxFiles: number;
  /** Most fields (parts that are not files) in one request. Default 1000. */
  maxFields: number;
  /** Largest value of one field, in bytes. Default 1 MiB. */
  maxFieldSize: number;
  /** Largest whole body, in bytes, files included. Default 50 MiB. */
  maxTotalSize: number;
}

/** Form limits, and where uploaded files are spooled. */
export interface FormSettings extends FormLimits {
  /** The folder in which each request's uploads get a temporary folder of their own. Default: `os.tmpdir()`. */
  uploadDir: string;
}

export const defaultFormSettings: FormSettings = {
  maxFileSize: 10 * 1024 * 1024,
  maxFiles: 10,
  maxFields: 1000,
  maxFieldSize: 1024 * 1024,
  maxTotalSize: 50 * 1024 * 1024,
  uploadDir: tmpdir(),
};

const LIMIT_NAMES = ['maxFileSize', 'maxFiles', 'maxFields', 'maxFieldSize', 'maxTotalSize'] as const;

/** What is wrong with `limits` (`where` names them), or undefined: each must be a non-negative integer. */
export function formLimitsProblem(limits: Partial<FormLimits>, where: string): string | undefined {
  for (const key of LIMIT_NAMES) {
    const value = limits[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      return `${where}.${key} must be a non-negative integer, got ${String(value)}`;
    }
  }
  return undefined;
}
