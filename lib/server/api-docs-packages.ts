import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '../errors/exceptions';

/**
 * A browser bundle shipped in an npm package: the files a docs page loads, served as they are
 * installed (no bundling at run time, no CDN).
 */
export interface BrowserBundle {
  /** The npm package, e.g. `swagger-ui-dist`. */
  readonly name: string;
  readonly version: string;
  /** The package's installed directory. */
  readonly directory: string;
  /** Scripts the page loads, in order, relative to `directory`. */
  readonly scripts: readonly string[];
  /** Style sheets the page loads, relative to `directory`. */
  readonly styles: readonly string[];
  /** Other files the page or the browser's tools may ask for (source maps, icons). */
  readonly extras: readonly string[];
}

/** The files of a bundle, before the package is found. */
type BundleFiles = Pick<BrowserBundle, 'name' | 'scripts' | 'styles' | 'extras'>;

/**
 * Swagger UI's prebuilt bundle: React and every plugin in one script, no module loader, renders
 * OpenAPI 3.1. One dependency (an install-time counter that `scarfSettings` turns off).
 */
export const SWAGGER_UI: BundleFiles = {
  name: 'swagger-ui-dist',
  scripts: ['swagger-ui-bundle.js'],
  styles: ['swagger-ui.css'],
  extras: ['swagger-ui-bundle.js.map', 'swagger-ui.css.map', 'favicon-32x32.png'],
};

/**
 * The AsyncAPI React component's standalone bundle: React and the AsyncAPI parser included,
 * exposed as `AsyncApiStandalone`; it renders AsyncAPI 2.x and 3.0 documents fetched by URL.
 */
export const ASYNCAPI_REACT: BundleFiles = {
  name: '@asyncapi/react-component',
  scripts: ['browser/standalone/index.js'],
  styles: ['styles/default.min.css'],
  extras: [],
};

/** Whether `error` says that `name` itself is not installed (not one of its own files). */
function isMissing(error: unknown, name: string): boolean {
  return (
    (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
    String((error as Error).message)
      .split('\n')[0]
      .includes(`'${name}/package.json'`)
  );
}

/**
 * Finds an optional peer package's browser bundle, checking that every file it serves is there.
 * `user` names what needs it and `without` how to do without it, for the error when the
 * package is missing: failing when the routes are made, not on the first page view.
 */
export function findBrowserBundle(files: BundleFiles, user: string, without: string): BrowserBundle {
  let manifest: string;
  try {
    manifest = require.resolve(`${files.name}/package.json`);
  } catch (error) {
    if (!isMissing(error, files.name)) throw error;
    throw new ConfigurationError(
      `${user} needs the ${files.name} package, an optional peer dependency of starwire: npm install ${files.name} (${without})`,
    );
  }
  const directory = dirname(manifest);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
  for (const file of [...files.scripts, ...files.styles]) {
    if (!existsSync(join(directory, file))) {
      throw new ConfigurationError(
        `${user}: ${files.name}@${String(version)} at ${directory} has no ${file}; install a version this starwire supports (see its peerDependencies)`,
      );
    }
  }
  return { ...files, version: String(version), directory, extras: files.extras.filter((file) => existsSync(join(directory, file))) };
}
