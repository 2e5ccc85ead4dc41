/**
 * Serves the browser client, `starwire/client`, to the chat page: `GET /client.mjs` is
 * dist/client/index.mjs, and the modules it imports (`./backoff.mjs`, ...) are served beside it,
 * at `/backoff.mjs` and so on, where the browser resolves them. Read from dist/ on every
 * request (it is small, and a rebuild shows up without a restart).
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, PlainTextResponse, Response, Route, status } from '../../index';
import { packageRoot } from './package-root';

/** The URL path the page imports the client from. */
const CLIENT_PATH = '/client.mjs';

/**
 * One `GET` route per compiled client module in `root`/dist/client. When the project was not
 * built, `/client.mjs` still exists and answers 503 saying so.
 *
 * @example
 * new App({ routes: [...clientModuleRoutes(), new WebSocketRoute('/ws', handle)] });
 */
export function clientModuleRoutes(root: string = packageRoot()): Route[] {
  const dir = join(root, 'dist', 'client');
  const siblings = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.mjs') && file !== 'index.mjs') : [];
  return [
    new Route(CLIENT_PATH, 'GET', moduleHandler(join(dir, 'index.mjs'))),
    ...siblings.map((file) => new Route(`/${file}`, 'GET', moduleHandler(join(dir, file)))),
  ];
}

function moduleHandler(file: string): () => Promise<Response> {
  return inject([], async () => {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch {
      return new PlainTextResponse(`The browser client ${file} is missing: run \`npm run build\` first, then reload.\n`, {
        status: status.HTTP_503_SERVICE_UNAVAILABLE,
        headers: { 'cache-control': 'no-store' },
      });
    }
    return new Response(source, { headers: { 'cache-control': 'no-cache' } }, 'text/javascript; charset=utf-8');
  });
}
