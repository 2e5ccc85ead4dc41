// Apps decorated with tsyringe's decorators need the polyfill before they load, as index.ts does.
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from '../app';
import { type AppReference, modulePath } from './app-reference';

/** `starwire serve` could not produce an App: the message names the module and the export. */
export class AppLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppLoadError';
  }
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/**
 * Loads the module and returns its app: an `App` export, or a zero-argument function (a
 * factory) returning an `App` or a promise of one. Without an export name, `app` is tried,
 * then `default`. A `.ts` module needs `tsx` installed where the command runs.
 *
 * @example
 * const app = await loadApp({ module: 'dist/samples/chat/app.js', exportName: 'chatApp' });
 * await app.listen(8000);
 */
export async function loadApp(reference: AppReference, cwd = process.cwd()): Promise<App> {
  const file = modulePath(reference, cwd);
  if (!existsSync(file)) throw new AppLoadError(`Cannot find module ${reference.module} (looked for ${file})`);
  if (TYPESCRIPT.has(extname(file))) registerTypeScript(reference.module, cwd);
  const exports = await importModule(file, reference.module);
  const names = reference.exportName ? [reference.exportName] : ['app', 'default'];
  const name = names.find((candidate) => exports[candidate] !== undefined);
  if (name === undefined) {
    const available = Object.keys(exports).filter((key) => key !== '__esModule');
    const wanted = reference.exportName ? `export '${reference.exportName}'` : `export 'app' or default export`;
    throw new AppLoadError(`${reference.module} has no ${wanted}; it exports: ${available.join(', ') || '(nothing)'}`);
  }
  return appFrom(exports[name], `${reference.module} export '${name}'`);
}

async function importModule(file: string, label: string): Promise<Record<string, unknown>> {
  try {
    if (extname(file) === '.mjs') return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    try {
      return require(file) as Record<string, unknown>;
    } catch (error) {
      // An ES module (by "type": "module" or syntax) cannot be required before Node 20.19, nor
      // one with top-level await after it: import() loads both.
      if (!isRequireEsm(error)) throw error;
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new AppLoadError(`Loading ${label} failed: ${stackOf(error)}`);
  }
}

const REQUIRE_ESM_CODES = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE']);

function isRequireEsm(error: unknown): boolean {
  return typeof error === 'object' && error !== null && REQUIRE_ESM_CODES.has((error as { code?: unknown }).code as string);
}

/** An `App`, or what a zero-argument factory makes of it. */
async function appFrom(value: unknown, label: string): Promise<App> {
  if (isApp(value)) return value;
  if (typeof value !== 'function') throw new AppLoadError(`${label} is ${describe(value)}, not an App or a function returning one`);
  if (value.length > 0) throw new AppLoadError(`${label} takes ${value.length} argument(s); a factory must take none`);
  let made: unknown;
  try {
    made = await (value as () => unknown)();
  } catch (error) {
    throw new AppLoadError(`${label} threw: ${stackOf(error)}`);
  }
  if (!isApp(made)) throw new AppLoadError(`${label} returned ${describe(made)}, not an App`);
  return made;
}

/**
 * An App from this copy of Starwire, or from another one (a project's own `node_modules/starwire`
 * served by a globally installed CLI) recognised by its methods.
 */
function isApp(value: unknown): value is App {
  if (value instanceof App) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['listen', 'close', 'attach', 'startup'].every((method) => typeof candidate[method] === 'function') && 'channelLayer' in candidate;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return typeof value === 'function' ? 'a function' : `a ${typeof value}`;
}

/**
 * Node 20 cannot run TypeScript by itself: register `tsx` from the working directory's
 * packages, or say how to get on.
 */
function registerTypeScript(label: string, cwd: string): void {
  let api: string;
  try {
    api = require.resolve('tsx/cjs/api', { paths: [cwd] });
  } catch {
    throw new AppLoadError(
      `${label} is TypeScript, which Node 20 cannot load by itself: install tsx (npm install --save-dev tsx) ` +
        `to serve it directly, or compile it (npx tsc) and serve the .js file`,
    );
  }
  const loaded = require(api) as { register?: () => unknown };
  if (typeof loaded.register !== 'function') throw new AppLoadError(`${api} has no register(); tsx 4 or later is needed to serve ${label}`);
  loaded.register();
}

/** What user code threw, with its stack where it has one. */
function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
