import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, apiDocsPages, docsPagePolicy, Include, TestClient } from '../../../index';
import { docsApp } from '../../support/api-docs-app';

/** What a page links to: stylesheets, scripts and anchors, as written in its HTML. */
function references(html: string): { styles: string[]; scripts: string[]; links: string[] } {
  const all = (pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1].replace(/&#38;/g, '&'));
  return {
    styles: all(/<link rel="stylesheet" href="([^"]+)"/g),
    scripts: all(/<script defer src="([^"]+)"/g),
    links: all(/<a href="([^"]+)"/g),
  };
}

/** The path `reference` names, as the browser resolves it against the page at `page`. */
function resolved(page: string, reference: string): string {
  return new URL(reference, `http://docs.test${page}`).pathname;
}

function installed(name: string, file: string): Buffer {
  return readFileSync(join(dirname(require.resolve(`${name}/package.json`)), file));
}

function version(name: string): string {
  return (JSON.parse(installed(name, 'package.json').toString()) as { version: string }).version;
}

/** The fetch-like answer TestClient and `fetch` both give. */
interface Answer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}
type Get = (path: string, headers?: Record<string, string>) => Promise<Answer>;

/**
 * Checks that the page at `page` is HTML with its policy, that every style and script it names
 * is served with its type and year-long caching, and returns what it references.
 */
async function checkPage(get: Get, page: string, policy: string | null) {
  const answer = await get(page);
  assert.equal(answer.status, 200, page);
  assert.equal(answer.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(answer.headers.get('cache-control'), 'no-cache');
  assert.equal(answer.headers.get('content-security-policy'), policy);
  const html = await answer.text();
  const refs = references(html);
  for (const [kind, list, type] of [
    ['style', refs.styles, /^text\/css; charset=utf-8$/],
    ['script', refs.scripts, /^(text|application)\/javascript; charset=utf-8$/],
  ] as const) {
    assert.ok(list.length >= 2, `${page} names a ${kind} of its package and one of its own`);
    for (const reference of list) {
      const asset = await get(resolved(page, reference));
      assert.equal(asset.status, 200, `${kind} ${reference} of ${page}`);
      assert.match(asset.headers.get('content-type') ?? '', type, reference);
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable', reference);
      assert.ok((await asset.text()).length > 100, reference);
    }
  }
  return { html, refs };
}

describe('apiDocsPages() (lib/server/api-docs-pages.ts)', function () {
  this.timeout(20_000);
  const swagger = `swagger-ui-dist@${version('swagger-ui-dist')}`;
  const asyncapi = `@asyncapi/react-component@${version('@asyncapi/react-component')}`;

  it('serves the HTTP page (Swagger UI) and the WebSocket page (AsyncAPI) with their assets, through TestClient', async () => {
    await using client = new TestClient(docsApp());
    const get: Get = (path, headers) => client.get(path, { headers });

    const http = await checkPage(get, '/docs', docsPagePolicy('/openapi.json', false));
    assert.match(http.html, /<main id="swagger-ui" data-url="\/openapi\.json"><\/main>/);
    assert.deepEqual(http.refs.scripts.map((ref) => resolved('/docs', ref)).slice(0, 1), [`/docs/assets/${swagger}/swagger-ui-bundle.js`]);
    assert.deepEqual(http.refs.styles.map((ref) => resolved('/docs', ref)).slice(0, 1), [`/docs/assets/${swagger}/swagger-ui.css`]);
    assert.deepEqual(
      http.refs.links.map((ref) => resolved('/docs', ref)),
      ['/docs', '/docs/websocket'],
    );
    // No inline script: every <script> has a src.
    assert.equal(http.html.match(/<script/g)?.length, http.refs.scripts.length);

    const ws = await checkPage(get, '/docs/websocket', docsPagePolicy('/asyncapi.json', true));
    assert.match(ws.html, /<main id="asyncapi" data-url="\/asyncapi\.json"><\/main>/);
    assert.deepEqual(ws.refs.scripts.map((ref) => resolved('/docs/websocket', ref)).slice(0, 1), [
      `/docs/assets/${asyncapi}/browser/standalone/index.js`,
    ]);
    assert.deepEqual(
      ws.refs.links.map((ref) => resolved('/docs/websocket', ref)),
      ['/docs', '/docs/websocket'],
    );
    assert.match(docsPagePolicy('/asyncapi.json', true), /script-src 'self' 'unsafe-eval'/);
    assert.doesNotMatch(docsPagePolicy('/openapi.json', false), /unsafe/);

    // The bundle goes out as installed, byte for byte.
    const bundle = await client.get(`/docs/assets/${swagger}/swagger-ui-bundle.js`);
    assert.equal(await bundle.text(), installed('swagger-ui-dist', 'swagger-ui-bundle.js').toString());
    const css = await client.get(`/docs/assets/${asyncapi}/styles/default.min.css`);
    assert.equal(await css.text(), installed('@asyncapi/react-component', 'styles/default.min.css').toString());
  });

  it('serves the same over a real socket, with ETag revalidation and HEAD; nothing else of the packages is reachable', async () => {
    const app = docsApp();
    const server = await app.listen(0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${App.portOf(server)}`;
      const get: Get = (path, headers) => fetch(base + path, { headers });
      await checkPage(get, '/docs', docsPagePolicy('/openapi.json', false));
      await checkPage(get, '/docs/websocket', docsPagePolicy('/asyncapi.json', true));

      const css = `/docs/assets/${swagger}/swagger-ui.css`;
      const first = await get(css);
      const etag = first.headers.get('etag');
      assert.ok(etag, 'a package file carries an ETag');
      // Set, so that fetch does not add its own `no-cache` to a conditional request.
      assert.equal((await get(css, { 'if-none-match': etag, 'cache-control': 'max-age=0' })).status, 304);
      const head = await fetch(base + css, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(installed('swagger-ui-dist', 'swagger-ui.css').length));

      for (const path of [
        `/docs/assets/${swagger}/package.json`,
        `/docs/assets/${swagger}/index.html`,
        `/docs/assets/${swagger}/swagger-initializer.js`,
        `/docs/assets/${asyncapi}/browser/standalone/without-parser.js`,
        `/docs/assets/${asyncapi}/../../package.json`,
        '/docs/assets/swagger-ui-dist@0.0.1/swagger-ui.css',
        '/docs/assets/',
      ]) {
        assert.equal((await get(path)).status, 404, path);
      }
    } finally {
      await app.close();
    }
  });

  it('takes its path, document URLs, title and policy from the options', async () => {
    await using client = new TestClient(
      docsApp({
        path: '/reference',
        openapiUrl: 'https://api.example.com/v1/openapi.json?x="y"',
        asyncapiUrl: false,
        title: 'Notes <API>',
      }),
    );
    const page = await client.get('/reference');
    const html = await page.text();
    assert.match(html, /data-url="https:\/\/api\.example\.com\/v1\/openapi\.json\?x=&#34;y&#34;"/);
    assert.match(html, /<title>Notes &#60;API&#62; · HTTP<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /connect-src 'self' https:\/\/api\.example\.com;/);
    assert.deepEqual(references(html).links, [], 'one page: no navigation between pages');
    assert.equal((await client.get('/reference/websocket')).status, 404);
    assert.equal((await client.get('/docs')).status, 404);

    await using plain = new TestClient(docsApp({ openapiUrl: false, contentSecurityPolicy: false }));
    assert.equal((await plain.get('/docs')).status, 404);
    const ws = await plain.get('/docs/websocket');
    assert.equal(ws.status, 200);
    assert.equal(ws.headers.get('content-security-policy'), null);

    await using own = new TestClient(docsApp({ contentSecurityPolicy: "default-src 'self'" }));
    assert.equal((await own.get('/docs')).headers.get('content-security-policy'), "default-src 'self'");
  });

  it('links its assets relatively, so the pages work at the root and under an Include prefix', async () => {
    await using root = new TestClient(docsApp({ path: '/' }));
    await checkPage((path) => root.get(path), '/', docsPagePolicy('/openapi.json', false));
    const wsAtRoot = await checkPage((path) => root.get(path), '/websocket', docsPagePolicy('/asyncapi.json', true));
    assert.deepEqual(
      wsAtRoot.refs.links.map((ref) => resolved('/websocket', ref)),
      ['/', '/websocket'],
    );

    const app = new App({ routes: [new Include('/api', apiDocsPages({ openapiUrl: '/api/openapi.json' }))] });
    await using client = new TestClient(app);
    const http = await checkPage((path) => client.get(path), '/api/docs', docsPagePolicy('/api/openapi.json', false));
    assert.deepEqual(
      http.refs.links.map((ref) => resolved('/api/docs', ref)),
      ['/api/docs', '/api/docs/websocket'],
    );
    await checkPage((path) => client.get(path), '/api/docs/websocket', docsPagePolicy('/asyncapi.json', true));
  });

  it('refuses bad options with a TypeError naming the option', () => {
    assert.throws(
      () => apiDocsPages({ path: 'docs' }),
      /^TypeError: apiDocsPages\(\): path must start with "\/" and not end with one, got "docs"$/,
    );
    assert.throws(() => apiDocsPages({ path: '/docs/' }), /path must start with "\/"/);
    assert.throws(
      () => apiDocsPages({ openapiUrl: 'openapi.json' }),
      /^TypeError: apiDocsPages\(\): openapiUrl must be a path like '\/openapi.json', an http\(s\) URL, or false; got "openapi.json"$/,
    );
    assert.throws(() => apiDocsPages({ asyncapiUrl: 'javascript:alert(1)' }), /asyncapiUrl must be a path like '\/asyncapi.json'/);
    assert.throws(
      () => apiDocsPages({ openapiUrl: false, asyncapiUrl: false }),
      /openapiUrl and asyncapiUrl are both false: no page to serve/,
    );
  });
});
