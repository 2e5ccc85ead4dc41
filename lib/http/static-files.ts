// `promises` of node:fs, not node:fs/promises: node loads it when first read, so `require('starwire')` does not pay for it.
import { promises, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigurationError, HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import { inject } from '../inject/inject';
import { Route, type RouteOptions } from '../routing/routes';
import type * as FileResponseModule from './file-response';
import type { FileCacheOptions, FileSendOptions } from './file-response';
import { Request } from './request';
import { RedirectResponse, type Response } from './response';

/**
 * Options of `StaticFiles`: its index file, dotfiles, caching headers, and the route's name and hooks.
 *
 * @example
 * StaticFiles('/', 'public', { index: 'index.html', maxAge: '10m', hooks: [new Timing()] });
 */
export interface StaticFilesOptions extends RouteOptions, FileCacheOptions {
  /**
   * The file served for a directory, e.g. `'index.html'`; `/dir` is redirected (301) to `/dir/`
   * first, as browsers resolve the page's relative links against it. Default: none, so a
   * directory is a 404.
   */
  readonly index?: string;
  /** Files and folders whose name starts with a dot: `'ignore'` (default) answers 404, `'allow'` serves them. */
  readonly dotfiles?: 'allow' | 'ignore';
}

/** The route's path parameter: the rest of the path after the prefix. */
const REST = 'path';

/** Percent-escapes of `/`, `\` and NUL: a request that hides a separator in a segment is refused outright. */
const HIDDEN_SEPARATOR = /%2f|%5c|%00/i;

function notFound(): HTTPException {
  return new HTTPException(status.HTTP_404_NOT_FOUND);
}

/** Whether `path` is `root` or inside it (both real, absolute paths). */
function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The request's path below the prefix, as segments, or a 404 for anything that could leave the
 * directory or reach what is not served: `.` and `..` segments (also encoded, `%2e%2e`), a
 * hidden separator (`%2f`, `%5c`, a backslash), a NUL byte (raw or `%00`), and dotfiles unless
 * allowed.
 */
function requestedSegments(request: Request, dotfiles: 'allow' | 'ignore'): string[] {
  if (HIDDEN_SEPARATOR.test(request.scope.rawPath)) throw notFound();
  const rest = String(request.scope.pathParams[REST] ?? '');
  const segments = rest.split('/');
  for (const segment of segments) {
    if (segment === '.' || segment === '..' || segment.includes('\\') || segment.includes('\0')) throw notFound();
    if (dotfiles !== 'allow' && segment.startsWith('.')) throw notFound();
  }
  return segments;
}

/** What a requested path is on disk: its real path (symlinks resolved) and whether it is a directory. */
interface Found {
  readonly real: string;
  readonly directory: boolean;
}

/** `path` with symlinks resolved, or a 404 when it does not exist or leads outside `root`. */
async function findInside(root: string, path: string, dotfiles: 'allow' | 'ignore'): Promise<Found> {
  let found: Found;
  try {
    const real = await promises.realpath(path);
    found = { real, directory: (await promises.stat(real)).isDirectory() };
  } catch {
    throw notFound();
  }
  if (!isInside(root, found.real)) throw notFound();
  // A link inside the directory may still name a dotfile.
  if (
    dotfiles !== 'allow' &&
    relative(root, found.real)
      .split(sep)
      .some((part) => part.startsWith('.'))
  )
    throw notFound();
  return found;
}

/**
 * A ready-made `GET` route (HEAD too; other methods get 405 with `Allow`) serving the files
 * under `directory` at `prefix/...`, through the `send` package: content type from the
 * extension, `ETag` and `Last-Modified` with 304 on `If-None-Match`/`If-Modified-Since`, byte
 * ranges (206, 416 when unsatisfiable), `Cache-Control` from `maxAge`. Nothing outside the
 * directory is ever served: `..` in any spelling, encoded separators, NUL bytes, symlinks that
 * lead out (their real path is checked) and dotfiles (unless allowed) are all 404. The directory
 * must exist when the route is made. Routes declared elsewhere win over it, so `StaticFiles('/',
 * dir)` serves what no other route takes.
 *
 * @example
 * const app = new App({
 *   routes: [
 *     new Route('/api/health', 'GET', () => ({ ok: true })),
 *     StaticFiles('/static', path.join(__dirname, 'public'), { index: 'index.html', maxAge: '1h' }),
 *   ],
 * });
 */
export function StaticFiles(prefix: string, directory: string, options: StaticFilesOptions = {}): Route {
  if (!prefix.startsWith('/') || (prefix !== '/' && prefix.endsWith('/'))) {
    throw new TypeError(`StaticFiles prefix ${JSON.stringify(prefix)} must start with "/" and not end with one`);
  }
  if (typeof directory !== 'string' || directory === '') throw new TypeError(`StaticFiles ${prefix}: directory must be a path`);
  const absolute = resolve(directory);
  let isDirectory = false;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch {}
  if (!isDirectory) throw new ConfigurationError(`StaticFiles ${prefix}: directory ${absolute} does not exist or is not a directory`);
  const index = options.index;
  if (index !== undefined && (index === '' || index.includes('/') || index.includes('\\') || isAbsolute(index))) {
    throw new TypeError(`StaticFiles ${prefix}: index must be a file name like 'index.html', got ${JSON.stringify(index)}`);
  }
  const dotfiles = options.dotfiles ?? 'ignore';
  const sendOptions: FileSendOptions = { ...options, dotfiles };
  // Loaded with the first StaticFiles route: an app that serves no files does not pay for it at `require('starwire')`.
  const { fileResponse } = require('./file-response.js') as typeof FileResponseModule;
  // Resolved on the first request and kept: every containment check compares real paths.
  let root: Promise<string> | undefined;

  const serve = async (request: Request): Promise<Response> => {
    const segments = requestedSegments(request, dotfiles);
    root ??= promises.realpath(absolute).catch((error: unknown) => {
      root = undefined;
      throw error;
    });
    const base = await root;
    let found = await findInside(base, join(base, ...segments), dotfiles);
    // `/file.txt/` names a directory that is not there.
    if (!found.directory && segments[segments.length - 1] === '') throw notFound();
    if (found.directory) {
      if (index === undefined) throw notFound();
      const raw = request.scope.rawPath;
      // Leading slashes collapsed: `//host/` would be read as another site.
      if (!raw.endsWith('/')) return new RedirectResponse(`/${raw.replace(/^\/+/, '')}/`, status.HTTP_301_MOVED_PERMANENTLY);
      found = await findInside(base, join(found.real, index), dotfiles);
      if (found.directory) throw notFound();
    }
    return fileResponse(request, base, relative(base, found.real).split(sep).join('/'), sendOptions);
  };

  const template = `${prefix === '/' ? '' : prefix}/{${REST}:path}`;
  return new Route(template, 'GET', inject([Request], serve), { name: options.name, hooks: options.hooks });
}
