import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { App } from '../../lib/app';
import { createApp as chatApp } from '../../samples/chat/app';
import { docsApp } from '../support/api-docs-app';
import { launchChromium, openWatchedPage, until, type WatchedPage } from '../support/chromium';

/**
 * The docs pages of `apiDocsPages()` in headless Chromium, under the Content-Security-Policy
 * they are sent with, against hand-written OpenAPI 3.1 and AsyncAPI 3.0 documents served by
 * plain routes: they render what the documents describe, log no error (a CSP violation is one),
 * and ask nothing of any host but the app.
 */

/** Waits until the page's visible text holds every one of `texts`. */
function untilShown(watched: WatchedPage, what: string, texts: readonly string[]): Promise<void> {
  // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, as a reader sees it (CSS upper-casing included)
  return until(watched.page, what, (wanted) => wanted.every((text) => document.body.innerText.includes(text)), texts, 15_000);
}

describe('API docs pages in Chromium (e2e)', function () {
  this.timeout(20_000);

  let app: App | undefined;
  let browser: Browser | undefined;
  let origin = '';
  const pages: WatchedPage[] = [];

  before(async () => {
    app = docsApp();
    origin = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Opens `path` of the app in a fresh context, checked after the test. */
  async function open(path: string): Promise<WatchedPage> {
    assert.ok(browser, 'Chromium launched');
    const watched = await openWatchedPage(browser, origin + path);
    pages.push(watched);
    return watched;
  }

  afterEach(async () => {
    for (const watched of pages.splice(0)) {
      await watched.context.close();
      assert.deepEqual(watched.errors, [], 'console errors');
      assert.deepEqual(watched.failedRequests, [], 'failed requests');
      assert.deepEqual(
        watched.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:')),
        [],
        'requests to other hosts',
      );
    }
  });

  it('the HTTP page renders the OpenAPI operations with Swagger UI', async () => {
    const http = await open('/docs');
    await untilShown(http, 'the operations', [
      'Notes service',
      'GET',
      '/notes/{id}',
      'Read one note',
      'POST',
      '/notes',
      'Write a new note',
    ]);
    assert.ok(http.requests.includes(`${origin}/openapi.json`), 'the page fetched the document');
    assert.equal(await http.page.title(), 'API reference · HTTP');
  });

  it('the WebSocket page renders the AsyncAPI channel and its messages both ways, and links to the HTTP page', async () => {
    const ws = await open('/docs/websocket');
    await untilShown(ws, 'the channel and its messages both ways', [
      'Chat service',
      'SEND /ws/chat',
      'RECEIVE /ws/chat',
      'A client says something',
      'The server relays what was said',
      'chat.message',
      'Chat line',
    ]);
    assert.ok(ws.requests.includes(`${origin}/asyncapi.json`), 'the page fetched the document');
    assert.equal(await ws.page.title(), 'API reference · WebSocket');
    // The link lands on the HTTP page; the unit spec checks both links, this that a browser follows one.
    await ws.page.getByRole('link', { name: 'HTTP' }).click();
    await ws.page.waitForURL(`${origin}/docs`, { waitUntil: 'commit' });
    await until(ws.page, 'the HTTP page title', () => document.title === 'API reference · HTTP', null);
  });
});

describe("The chat sample's docs pages in Chromium (e2e)", function () {
  this.timeout(30_000);

  let app: App | undefined;
  let browser: Browser | undefined;
  let origin = '';

  before(async () => {
    app = chatApp();
    origin = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it("show the chat's own documents: its HTTP routes, and its WebSocket route with the messages it receives and sends", async () => {
    assert.ok(browser, 'Chromium launched');
    for (const [path, texts] of [
      ['/docs', ['Starwire chat', '/healthz', '/readyz']],
      ['/docs/websocket', ['Starwire chat', 'RECEIVE /ws', 'SEND /ws', 'the server sends welcome first']],
    ] as const) {
      const watched = await openWatchedPage(browser, origin + path);
      try {
        await untilShown(watched, `the chat's ${path} page`, texts);
      } finally {
        await watched.context.close();
      }
      assert.deepEqual(watched.errors, [], `console errors on ${path}`);
      assert.deepEqual(watched.failedRequests, [], `failed requests on ${path}`);
    }
  });
});
