import { resolve } from 'node:path';

/** Where an app comes from: `path/to/module.js` or `path/to/module.js:exportName`. */
export interface AppReference {
  /** The module path as given, relative to the working directory (or absolute). */
  readonly module: string;
  /** The export named after the colon, or undefined for the defaults (`app`, then `default`). */
  readonly exportName: string | undefined;
}

/**
 * Splits `module[:export]`. Only a trailing identifier counts as an export, so `C:\app.js`
 * and paths with colons elsewhere stay whole.
 *
 * @example
 * parseAppReference('dist/samples/chat/app.js:chatApp'); // { module: 'dist/samples/chat/app.js', exportName: 'chatApp' }
 */
export function parseAppReference(text: string): AppReference {
  const match = /^(.+):([A-Za-z_$][\w$]*)$/.exec(text);
  return match ? { module: match[1], exportName: match[2] } : { module: text, exportName: undefined };
}

/** The absolute path `starwire serve` loads; the module's directory is what `--reload` watches. */
export function modulePath(reference: AppReference, cwd = process.cwd()): string {
  return resolve(cwd, reference.module);
}
