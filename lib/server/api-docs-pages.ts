import { Request } from '../http/request';
import { HTMLResponse } from '../http/response';
import { inject } from '../inject/inject';
import { Route } from '../routing/routes';
import type * as DocsAssetsModule from './api-docs-assets';
import type { DocsAssets, OwnFile } from './api-docs-assets';
import type * as DocsPackages from './api-docs-packages';
import type { BrowserBundle } from './api-docs-packages';

/**
 * Options of `apiDocsPages()`: where the pages answer, which documents they show, their title
 * and the Content-Security-Policy they are sent with.
 *
 * @example
 * apiDocsPages({ path: '/reference', openapiUrl: '/api/openapi.json', asyncapiUrl: false });
 */
export interface ApiDocsPagesOptions {
  /** Where the HTTP page answers; the WebSocket page is `<path>/websocket`, the files `<path>/assets/...`. Default `/docs`. */
  path?: string;
  /** The OpenAPI document the HTTP page shows (Swagger UI); `false` leaves the page out. Default `/openapi.json`. */
  openapiUrl?: string | false;
  /** The AsyncAPI document the WebSocket page shows (AsyncAPI React); `false` leaves the page out. Default `/asyncapi.json`. */
  asyncapiUrl?: string | false;
  /** The pages' `<title>`, before " · HTTP" or " · WebSocket". Default `API reference`. */
  title?: string;
  /**
   * The `Content-Security-Policy` the pages are sent with, or `false` to send none (a hook of
   * the app then sets its own). Default: the least each page needs (see `docsPagePolicy`).
   */
  contentSecurityPolicy?: string | false;
}

/** The pages are small and name versioned assets: revalidated each time, so an upgrade shows at once. */
const NO_CACHE = 'no-cache';

/** Escapes text for an HTML attribute or text node. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The origin of an absolute http(s) URL, which the page must be allowed to fetch from; none for a path. */
function originOf(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? new URL(url).origin : undefined;
}

/**
 * The Content-Security-Policy a docs page needs, and no more: scripts and styles from the app
 * itself (no inline script, no inline style element), images from the app and `data:` (Swagger
 * UI's icons), fetches to the app and to the document's origin. The AsyncAPI page also needs
 * `'unsafe-eval'`: its parser compiles JSON Schema validators with `new Function`.
 *
 * @example
 * docsPagePolicy('https://api.example.com/openapi.json', false);
 * // "default-src 'none'; script-src 'self'; ... connect-src 'self' https://api.example.com; ..."
 */
export function docsPagePolicy(documentUrl: string, evaluates: boolean): string {
  const origin = originOf(documentUrl);
  return [
    "default-src 'none'",
    `script-src 'self'${evaluates ? " 'unsafe-eval'" : ''}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${origin === undefined ? '' : ` ${origin}`}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** What one page shows: its document, bundle, mount element and own script. */
interface PageSpec {
  readonly kind: 'HTTP' | 'WebSocket';
  readonly documentUrl: string;
  readonly bundle: BrowserBundle;
  readonly mountId: string;
  readonly init: OwnFile;
  readonly evaluates: boolean;
}

/** Links from one page to the other, relative so that the pages work under an `Include` prefix or a proxy's. */
interface PageLinks {
  /** From this page to the folder holding `assets/`. */
  readonly base: string;
  readonly http?: string;
  readonly websocket?: string;
}

function renderPage(spec: PageSpec, links: PageLinks, assets: DocsAssets, title: string): string {
  const asset = (name: string) => escapeHtml(`${links.base}assets/${name}`);
  const styles = [...spec.bundle.styles.map((file) => assets.url(spec.bundle, file)), assets.ownUrl('docs-pages.css')];
  const scripts = [...spec.bundle.scripts.map((file) => assets.url(spec.bundle, file)), assets.ownUrl(spec.init)];
  const nav =
    links.http !== undefined && links.websocket !== undefined
      ? `<nav class="starwire-docs-nav">${[
          ['HTTP', links.http],
          ['WebSocket', links.websocket],
        ]
          .map(([kind, href]) => `<a href="${escapeHtml(href)}"${kind === spec.kind ? ' aria-current="page"' : ''}>${kind}</a>`)
          .join('')}</nav>\n`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${title} · ${spec.kind}`)}</title>
<link rel="icon" href="data:,">
${styles.map((name) => `<link rel="stylesheet" href="${asset(name)}">`).join('\n')}
${scripts.map((name) => `<script defer src="${asset(name)}"></script>`).join('\n')}
</head>
<body>
${nav}<main id="${spec.mountId}" data-url="${escapeHtml(spec.documentUrl)}"></main>
</body>
</html>
`;
}

function checkUrl(value: unknown, option: string): string | false {
  if (value === false) return false;
  if (typeof value !== 'string' || value === '' || !(value.startsWith('/') || /^https?:\/\//i.test(value))) {
    throw new TypeError(
      `apiDocsPages(): ${option} must be a path like '/${option === 'openapiUrl' ? 'openapi' : 'asyncapi'}.json', an http(s) URL, or false; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Ready-made human docs pages, listed among an app's routes: `GET /docs` renders the OpenAPI
 * document at `openapiUrl` with Swagger UI, `GET /docs/websocket` the AsyncAPI document at
 * `asyncapiUrl` with the AsyncAPI React component, and `GET /docs/assets/...` serves their
 * scripts and styles from the installed npm packages (`swagger-ui-dist`,
 * `@asyncapi/react-component`: optional peer dependencies, needed only for the page that uses
 * them), versioned and cached for a year; nothing comes from a CDN. A missing package is an
 * error here, when the routes are made. The pages work against any valid document, wherever
 * it is served from, and carry a Content-Security-Policy with no inline script.
 *
 * @example
 * const app = new App({
 *   routes: [
 *     new Route('/openapi.json', 'GET', () => openapiDocument),
 *     new Route('/asyncapi.json', 'GET', () => asyncapiDocument),
 *     ...apiDocsPages(), // /docs and /docs/websocket
 *   ],
 * });
 */
export function apiDocsPages(options: ApiDocsPagesOptions = {}): Route[] {
  const path = options.path ?? '/docs';
  if (typeof path !== 'string' || !path.startsWith('/') || (path !== '/' && path.endsWith('/'))) {
    throw new TypeError(`apiDocsPages(): path must start with "/" and not end with one, got ${JSON.stringify(path)}`);
  }
  const openapiUrl = checkUrl(options.openapiUrl ?? '/openapi.json', 'openapiUrl');
  const asyncapiUrl = checkUrl(options.asyncapiUrl ?? '/asyncapi.json', 'asyncapiUrl');
  if (openapiUrl === false && asyncapiUrl === false)
    throw new TypeError('apiDocsPages(): openapiUrl and asyncapiUrl are both false: no page to serve');
  const title = options.title ?? 'API reference';
  const policy = options.contentSecurityPolicy;

  // Loaded when pages are first made: an app without them does not pay for them at `require('starwire')`.
  const { ASYNCAPI_REACT, findBrowserBundle, SWAGGER_UI } = require('./api-docs-packages.js') as typeof DocsPackages;
  const { DocsAssets } = require('./api-docs-assets.js') as typeof DocsAssetsModule;
  const specs: PageSpec[] = [];
  if (openapiUrl !== false) {
    const bundle = findBrowserBundle(SWAGGER_UI, 'apiDocsPages() (the HTTP page)', 'or openapiUrl: false leaves the page out');
    specs.push({ kind: 'HTTP', documentUrl: openapiUrl, bundle, mountId: 'swagger-ui', init: 'swagger-ui-init.js', evaluates: false });
  }
  if (asyncapiUrl !== false) {
    const bundle = findBrowserBundle(ASYNCAPI_REACT, 'apiDocsPages() (the WebSocket page)', 'or asyncapiUrl: false leaves the page out');
    specs.push({ kind: 'WebSocket', documentUrl: asyncapiUrl, bundle, mountId: 'asyncapi', init: 'asyncapi-init.js', evaluates: true });
  }
  const assets = new DocsAssets(specs.map((spec) => spec.bundle));

  const prefix = path === '/' ? '' : path;
  const last = prefix.slice(prefix.lastIndexOf('/') + 1);
  const both = openapiUrl !== false && asyncapiUrl !== false;
  const routes: Route[] = specs.map((spec) => {
    const at = spec.kind === 'HTTP' ? path : `${prefix}/websocket`;
    // The HTTP page is the prefix itself (`/docs`): its relative links go through its own last segment.
    const links: PageLinks =
      spec.kind === 'HTTP'
        ? {
            base: last === '' ? './' : `./${last}/`,
            ...(both && { http: last === '' ? './' : `./${last}`, websocket: last === '' ? './websocket' : `./${last}/websocket` }),
          }
        : { base: './', ...(both && { http: last === '' ? '../' : `../${last}`, websocket: './websocket' }) };
    const html = renderPage(spec, links, assets, title);
    const headers: Record<string, string> = { 'cache-control': NO_CACHE };
    if (policy !== false) headers['content-security-policy'] = policy ?? docsPagePolicy(spec.documentUrl, spec.evaluates);
    return new Route(
      at,
      'GET',
      inject([], () => new HTMLResponse(html, { headers })),
      // The pages show the API; they are not part of it.
      { hidden: true },
    );
  });
  routes.push(
    new Route(
      `${prefix}/assets/{file:path}`,
      'GET',
      inject([Request], (request) => assets.serve(request, String(request.scope.pathParams.file))),
      { hidden: true },
    ),
  );
  return routes;
}
