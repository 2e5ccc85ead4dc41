/**
 * Serves the browser client, `starwire/client`, to the chat page as ONE bundled ES module:
 * `npm run build` writes dist/client/starwire-client.bundle.mjs (esbuild, scripts/bundle-client.ts)
 * and `StaticFiles` serves dist/client at `/client/`, with ETags so a reload revalidates it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inject, PlainTextResponse, Route, StaticFiles, status } from '../../index';
import { packageRoot } from './package-root';

/** The bundle's file name in dist/client. */
const BUNDLE = 'starwire-client.bundle.mjs';

/** The URL path the page imports the client from. */
export const CLIENT_BUNDLE_PATH = `/client/${BUNDLE}`;

/**
 * The route serving `root`/dist/client at `/client/`. When the bundle was not built, every
 * `/client/...` answers 503 saying what to run.
 *
 * @example
 * new App({ routes: [new WebSocketRoute('/ws', handle), clientModuleRoute(), StaticFiles('/', 'public')] });
 */
export function clientModuleRoute(root: string = packageRoot()): Route {
  const dir = join(root, 'dist', 'client');
  if (existsSync(join(dir, BUNDLE))) return StaticFiles('/client', dir);
  const message = `The browser client ${join(dir, BUNDLE)} is missing: run \`npm run build\` first, then restart.\n`;
  const unbuilt = inject([], () => {
    return new PlainTextResponse(message, { status: status.HTTP_503_SERVICE_UNAVAILABLE, headers: { 'cache-control': 'no-store' } });
  });
  return new Route('/client/{path:path}', 'GET', unbuilt);
}
