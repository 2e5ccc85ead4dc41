import { createHash } from 'node:crypto';
import { HTTPException } from '../errors/exceptions';
import * as status from '../errors/status';
import { fileResponse } from '../http/file-response';
import type { Request } from '../http/request';
import { Response } from '../http/response';
import type { BrowserBundle } from './api-docs-packages';

/**
 * The scripts and style the pages add to the bundles. They are files, not inline `<script>`s,
 * so the pages run under `script-src 'self'`; each reads its document's URL from the
 * `data-url` attribute of its mount element.
 */
const OWN_FILES = {
  'swagger-ui-init.js': `'use strict';
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-url'),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
`,
  'asyncapi-init.js': `'use strict';
(function () {
  var root = document.getElementById('asyncapi');
  AsyncApiStandalone.render(
    {
      schema: { url: root.getAttribute('data-url'), requestOptions: { method: 'GET', credentials: 'same-origin' } },
      config: { show: { sidebar: true, errors: true }, expand: { messageExamples: true } },
    },
    root,
  );
})();
`,
  'docs-pages.css': `.starwire-docs-nav {
  display: flex;
  gap: 1.5rem;
  padding: 0.75rem 1.25rem;
  font: 600 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
  border-bottom: 1px solid #e5e7eb;
}
.starwire-docs-nav a { color: #1f2937; text-decoration: none; }
.starwire-docs-nav a[aria-current='page'] { color: #2563eb; border-bottom: 2px solid #2563eb; }
body { margin: 0; }
`,
} as const;

/** A file the pages' own scripts and style come from. */
export type OwnFile = keyof typeof OWN_FILES;

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Every asset URL carries a version (the package's, or a hash of the pages' own files): cached for good. */
const MAX_AGE = '365d';
const FOREVER = `public, max-age=${365 * 24 * 60 * 60}, immutable`;

/** Where the pages' own files live: a name that changes when any of them does. */
const OWN_FOLDER = `starwire-${createHash('sha256').update(JSON.stringify(OWN_FILES)).digest('hex').slice(0, 12)}`;

type Asset = { readonly root: string; readonly file: string } | { readonly text: string; readonly contentType: string };

/**
 * The files under the pages' `assets/` prefix: only those listed, each at a versioned name,
 * so nothing else of a package's directory (its README, its demo page) is reachable.
 *
 * @example
 * const assets = new DocsAssets([swaggerUi]);
 * assets.url(swaggerUi, 'swagger-ui.css'); // '@…/swagger-ui-dist@5.35.0/swagger-ui.css'
 */
export class DocsAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(bundles: readonly BrowserBundle[]) {
    for (const bundle of bundles) {
      for (const file of [...bundle.scripts, ...bundle.styles, ...bundle.extras]) {
        this.assets.set(this.url(bundle, file), { root: bundle.directory, file });
      }
    }
    for (const [name, text] of Object.entries(OWN_FILES)) {
      this.assets.set(this.ownUrl(name as OwnFile), { text, contentType: CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] });
    }
  }

  /** A bundle file's name below `assets/`. */
  url(bundle: BrowserBundle, file: string): string {
    return `${bundle.name}@${bundle.version}/${file}`;
  }

  /** One of the pages' own files' name below `assets/`. */
  ownUrl(file: OwnFile): string {
    return `${OWN_FOLDER}/${file}`;
  }

  /** Answers `name` (the path below `assets/`): the file with its type and caching headers, or 404. */
  serve(request: Request, name: string): Promise<Response> | Response {
    const asset = this.assets.get(name);
    if (asset === undefined) throw new HTTPException(status.HTTP_404_NOT_FOUND);
    if ('text' in asset) return new Response(asset.text, { headers: { 'content-type': asset.contentType, 'cache-control': FOREVER } });
    return fileResponse(request, asset.root, asset.file, { dotfiles: 'allow', maxAge: MAX_AGE, immutable: true });
  }
}
