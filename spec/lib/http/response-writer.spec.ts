import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { Request } from '../../../components/request';
import { App } from '../../../lib/app';
import * as status from '../../../lib/errors/status';
import { PlainTextResponse, RedirectResponse, Response, StreamingResponse } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
import { forEachClient, type HttpClient } from '../../support/clients';

async function* countTo(n: number): AsyncGenerator<string> {
  for (let i = 1; i <= n; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    yield `${i}\n`;
  }
}

async function* failAfterOneChunk(): AsyncGenerator<string> {
  yield 'partial ';
  await new Promise<void>((resolve) => setImmediate(resolve));
  throw new Error('the data source went away');
}

const echoMethod = inject([Request], (request) => ({ method: request.method, path: request.path }));

/**
 * Headers as a plain record, without the ones that legitimately vary between two responses
 * (fetch asks to close the connection after a HEAD, so connection handling differs).
 */
function stableHeaders(response: globalThis.Response): Record<string, string> {
  const result: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'x-request-id'].includes(name)) result[name] = value;
  });
  return result;
}

/**
 * Follows one redirect by hand through the TestClient; `fetch` follows it by itself. Either
 * way the result is the response from the redirect's target, for the method it was sent with.
 */
async function followRedirect(client: HttpClient, method: string, path: string, expectedStatus: number): Promise<globalThis.Response> {
  // No body: fetch (undici, Node 20) cannot resend the Uint8Array body LiveClient gives it.
  const first = await client.request(method, path);
  if (first.redirected) return first;
  assert.equal(first.status, expectedStatus);
  const location = first.headers.get('location');
  assert.ok(location);
  await first.arrayBuffer();
  const nextMethod = expectedStatus === status.HTTP_303_SEE_OTHER ? 'GET' : method;
  return client.request(nextMethod, location);
}

function makeApp(): App {
  return new App({
    settings: { logError: () => {} },
    routes: [
      new Route('/text', 'GET', () => new PlainTextResponse('héllo', { headers: { 'X-Custom': 'yes' } })),
      new Route('/json', 'GET', () => ({ a: [1, 2], b: 'ü' })),
      new Route('/bytes', 'GET', () => Buffer.from([0, 1, 2, 254, 255])),
      new Route('/nothing', 'GET', () => undefined),
      new Route(
        '/created',
        'POST',
        () =>
          new Response('made', {
            status: status.HTTP_201_CREATED,
            headers: { Location: '/items/7', 'X-Request-Id': 'req-1', 'Content-Type': 'text/x-made' },
          }),
      ),
      new Route('/teapot', 'GET', () => new PlainTextResponse('short and stout', { status: 418 })),
      new Route(
        '/generator',
        'GET',
        () => new StreamingResponse(countTo(5), { headers: { 'content-type': 'text/plain', 'x-stream': 'gen' } }),
      ),
      new Route('/bare-generator', 'GET', () => countTo(3)),
      new Route('/readable', 'GET', () => Readable.from([Buffer.from('alpha '), Buffer.from('beta '), Buffer.from('gamma')])),
      new Route('/broken-stream', 'GET', () => new StreamingResponse(failAfterOneChunk())),
      new Route('/cookies', 'GET', () =>
        new Response('ok')
          .appendHeader('Set-Cookie', 'session=abc; Path=/; HttpOnly')
          .appendHeader('set-cookie', 'theme=dark; Path=/')
          .appendHeader('set-cookie', 'lang=fr'),
      ),
      new Route('/old', 'POST', () => new RedirectResponse('/new')),
      new Route('/see-other', 'POST', () => new RedirectResponse('/new', status.HTTP_303_SEE_OTHER)),
      new Route('/new', 'POST', echoMethod),
      new Route('/new', 'GET', echoMethod),
    ],
  });
}

describe('response writer', () => {
  forEachClient(makeApp, (client) => {
    it('writes a text body with its status, content-type and headers', async () => {
      const response = await client().get('/text');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(response.headers.get('x-custom'), 'yes');
      assert.equal(await response.text(), 'héllo');
    });

    it('writes JSON as UTF-8', async () => {
      const response = await client().get('/json');
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.deepEqual(await response.json(), { a: [1, 2], b: 'ü' });
    });

    it('writes bytes unchanged', async () => {
      const response = await client().get('/bytes');
      assert.equal(response.headers.get('content-type'), 'application/octet-stream');
      assert.deepEqual([...new Uint8Array(await response.arrayBuffer())], [0, 1, 2, 254, 255]);
    });

    it('writes 204 with no body and no content-type', async () => {
      const response = await client().get('/nothing');
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('content-type'), null);
      assert.equal(await response.text(), '');
    });

    it('writes an explicit status and headers as given', async () => {
      const created = await client().post('/created');
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), '/items/7');
      assert.equal(created.headers.get('x-request-id'), 'req-1');
      assert.equal(created.headers.get('content-type'), 'text/x-made');
      assert.equal(await created.text(), 'made');
      const teapot = await client().get('/teapot');
      assert.equal(teapot.status, 418);
      assert.equal(await teapot.text(), 'short and stout');
    });

    it('streams an async generator chunk by chunk into one body', async () => {
      const response = await client().get('/generator');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.equal(response.headers.get('x-stream'), 'gen');
      assert.equal(await response.text(), '1\n2\n3\n4\n5\n');
    });

    it('streams an async generator a handler returns bare', async () => {
      const response = await client().get('/bare-generator');
      assert.equal(response.headers.get('content-type'), 'application/octet-stream');
      assert.equal(await response.text(), '1\n2\n3\n');
    });

    it('streams a Readable', async () => {
      const response = await client().get('/readable');
      assert.equal(response.headers.get('content-type'), 'application/octet-stream');
      assert.equal(await response.text(), 'alpha beta gamma');
    });

    it('does not pass off a stream that fails midway as a complete response', async () => {
      await assert.rejects(async () => {
        const response = await client().get('/broken-stream');
        await response.text();
      });
      // The app keeps serving.
      assert.equal(await (await client().get('/text')).text(), 'héllo');
    });

    it('sends each set-cookie value as its own header', async () => {
      const response = await client().get('/cookies');
      assert.deepEqual(response.headers.getSetCookie(), ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/', 'lang=fr']);
    });

    it('answers HEAD on a GET route with the same status and headers and no body', async () => {
      const get = await client().get('/text');
      const getBody = await get.text();
      const head = await client().request('HEAD', '/text');
      assert.equal(head.status, get.status);
      assert.deepEqual(stableHeaders(head), stableHeaders(get));
      assert.equal(head.headers.get('x-custom'), 'yes');
      assert.equal(await head.text(), '');
      const length = head.headers.get('content-length');
      if (client().name === 'real sockets') assert.equal(length, String(Buffer.byteLength(getBody)));
    });

    it('answers HEAD on a streaming GET route with its headers and no body', async () => {
      const head = await client().request('HEAD', '/generator');
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-type'), 'text/plain');
      assert.equal(head.headers.get('x-stream'), 'gen');
      assert.equal(await head.text(), '');
    });

    it('redirects with 307 to the location, keeping the method', async () => {
      const target = await followRedirect(client(), 'POST', '/old', status.HTTP_307_TEMPORARY_REDIRECT);
      assert.equal(target.status, 200);
      assert.deepEqual(await target.json(), { method: 'POST', path: '/new' });
    });

    it('redirects with 303 to the location, switching to GET', async () => {
      const target = await followRedirect(client(), 'POST', '/see-other', status.HTTP_303_SEE_OTHER);
      assert.equal(target.status, 200);
      assert.deepEqual(await target.json(), { method: 'GET', path: '/new' });
    });
  });

  describe('over real sockets only', () => {
    let app: App;
    let server: Server;
    let base: string;
    let release: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();

    before(async () => {
      async function* waitsForTheClient(): AsyncGenerator<string> {
        yield 'first';
        await gate;
        yield 'second';
      }
      app = new App({
        settings: { logError: () => {} },
        routes: [
          new Route('/redirect', 'POST', () => new RedirectResponse('/elsewhere')),
          new Route('/text', 'GET', () => 'héllo'),
          new Route('/empty', 'GET', () => new Response(null)),
          new Route('/slow', 'GET', () => new StreamingResponse(waitsForTheClient())),
        ],
      });
      server = await app.listen(0);
      base = `http://127.0.0.1:${App.portOf(server)}`;
    });
    after(() => app.close());

    it('sends the redirect status and location as they are', async () => {
      const response = await fetch(`${base}/redirect`, { method: 'POST', redirect: 'manual' });
      assert.equal(response.status, 307);
      assert.equal(response.headers.get('location'), '/elsewhere');
      assert.equal(await response.text(), '');
    });

    it('sends a body of known size with content-length, not chunked', async () => {
      const response = await fetch(`${base}/text`);
      assert.equal(response.headers.get('content-length'), String(Buffer.byteLength('héllo')));
      assert.equal(response.headers.get('transfer-encoding'), null);
      assert.equal(await response.text(), 'héllo');
      const empty = await fetch(`${base}/empty`);
      assert.equal(empty.headers.get('content-length'), '0');
    });

    it('sends a streamed body chunked, delivering the first chunk before the stream ends', async () => {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const response = await fetch(`${base}/slow`);
      assert.equal(response.headers.get('transfer-encoding'), 'chunked');
      assert.ok(response.body);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      assert.equal(decoder.decode(first.value), 'first');
      release();
      let rest = '';
      for (;;) {
        const step = await reader.read();
        if (step.done) break;
        rest += decoder.decode(step.value);
      }
      assert.equal(rest, 'second');
    });
  });
});
