import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Request } from '../../../components/request';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { Response } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { StartupError } from '../../../lib/server/lifespan';
import { TestClient } from '../../../lib/testing/test-client';

/** What the app saw of a request. */
interface Seen {
  method: string;
  url: string;
  queryString: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: number[];
  client: { host: string; port: number } | null;
}

const inspect = inject(
  [Request, Scope],
  async (request, scope): Promise<Seen> => ({
    method: request.method,
    url: request.url,
    queryString: scope.queryString,
    query: { ...scope.query },
    headers: { ...scope.headers },
    body: [...(await request.bytes())],
    client: scope.client,
  }),
);

/** The streams the `/readable` route handed out, to check what became of them. */
const handedOut: Readable[] = [];

function makeApp(): App {
  const routes = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method) => new Route('/inspect', method, inspect));
  return new App({
    settings: { logError: () => {} },
    routes: [
      ...routes,
      new Route('/text', 'GET', () => 'plain text'),
      new Route('/empty', 'GET', () => undefined),
      new Route('/headers', 'GET', () => new Response('x', { headers: { 'X-One': '1', 'Set-Cookie': ['a=1', 'b=2'] } })),
      new Route('/readable', 'GET', () => {
        const stream = Readable.from(['never ', 'read']);
        handedOut.push(stream);
        return stream;
      }),
      new Route('/stream', 'GET', () =>
        (async function* () {
          yield 'one,';
          yield Buffer.from('two');
        })(),
      ),
    ],
  });
}

describe('TestClient', () => {
  let client: TestClient;
  before(() => {
    client = new TestClient(makeApp());
  });

  async function seen(response: globalThis.Response): Promise<Seen> {
    assert.equal(response.status, 200);
    return (await response.json()) as Seen;
  }

  it('sends URLSearchParams and FormData as fetch does, with their content-type unless one is given', async () => {
    const urlencoded = await seen(await client.post('/inspect', { body: new URLSearchParams({ a: '1', b: 'x y' }) }));
    assert.equal(urlencoded.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(Buffer.from(urlencoded.body).toString(), 'a=1&b=x+y');
    assert.equal(urlencoded.headers['content-length'], String('a=1&b=x+y'.length));
    const form = new FormData();
    form.append('f', new Blob(['content']), 'f.txt');
    const multipart = await seen(await client.post('/inspect', { body: form }));
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(String(multipart.headers['content-type']))?.[1];
    assert.ok(boundary, String(multipart.headers['content-type']));
    const sent = Buffer.from(multipart.body).toString();
    assert.ok(sent.startsWith(`--${boundary}\r\n`) && sent.includes('filename="f.txt"') && sent.includes('content'), sent);
    const mine = await seen(
      await client.post('/inspect', { body: new URLSearchParams({ a: '1' }), headers: { 'Content-Type': 'text/plain' } }),
    );
    assert.equal(mine.headers['content-type'], 'text/plain');
    const bytes = await seen(await client.post('/inspect', { body: new Uint8Array([1, 2, 3]) }));
    assert.deepEqual(bytes.body, [1, 2, 3]);
  });

  it('resolves to real Fetch Response objects', async () => {
    const response = await client.get('/text');
    assert.ok(response instanceof globalThis.Response);
    assert.ok(response.headers instanceof Headers);
    assert.equal(response.ok, true);
    assert.equal(response.bodyUsed, false);
    assert.equal(await response.text(), 'plain text');
    assert.equal(response.bodyUsed, true);
    await assert.rejects(response.text(), TypeError);
  });

  it('gives headers through headers.get(), case-insensitively, and repeated ones separately', async () => {
    const response = await client.get('/headers');
    assert.equal(response.headers.get('x-one'), '1');
    assert.equal(response.headers.get('X-ONE'), '1');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  });

  it('gives a null body for 204 and for HEAD', async () => {
    const empty = await client.get('/empty');
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    const head = await client.head('/text');
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    assert.equal(head.headers.get('content-type'), 'text/plain; charset=utf-8');
  });

  it('releases a streamed body it does not read for HEAD, as the server does', async () => {
    handedOut.length = 0;
    const head = await client.head('/readable');
    assert.equal(head.body, null);
    assert.equal(handedOut.length, 1);
    assert.equal(handedOut[0].destroyed, true);
  });

  it('collects a streamed body', async () => {
    assert.equal(await (await client.get('/stream')).text(), 'one,two');
  });

  it('sends each helper with its method', async () => {
    const helpers: [string, (path: string) => Promise<globalThis.Response>][] = [
      ['GET', (p) => client.get(p)],
      ['POST', (p) => client.post(p)],
      ['PUT', (p) => client.put(p)],
      ['PATCH', (p) => client.patch(p)],
      ['DELETE', (p) => client.delete(p)],
      ['OPTIONS', (p) => client.options(p)],
      ['POST', (p) => client.request('post', p)],
    ];
    for (const [method, send] of helpers) assert.equal((await seen(await send('/inspect'))).method, method);
  });

  it('appends the query option to the path, repeating the key for each array item', async () => {
    const got = await seen(await client.get('/inspect', { query: { tag: ['a', 'b c'], page: 2, all: true } }));
    assert.equal(got.queryString, 'tag=a&tag=b+c&page=2&all=true');
    assert.deepEqual(got.query, { tag: ['a', 'b c'], page: '2', all: 'true' });
  });

  it('adds the query option to a query string already in the path', async () => {
    const got = await seen(await client.get('/inspect?x=1', { query: { y: 2 } }));
    assert.equal(got.url, '/inspect?x=1&y=2');
  });

  it('leaves the path alone for an empty query option', async () => {
    assert.equal((await seen(await client.get('/inspect', { query: {} }))).url, '/inspect');
    assert.equal((await seen(await client.get('/inspect', { query: { none: [] } }))).url, '/inspect');
  });

  it('sends the json option as a JSON body with content-type and content-length', async () => {
    const payload = { name: 'Zoë', tags: [1, null] };
    const got = await seen(await client.post('/inspect', { json: payload }));
    const expected = Buffer.from(JSON.stringify(payload));
    assert.deepEqual(got.body, [...expected]);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['content-length'], String(expected.length));
  });

  it('keeps a content-type given explicitly with json, whatever its case', async () => {
    const got = await seen(await client.post('/inspect', { json: [1], headers: { 'Content-Type': 'application/vnd.api+json' } }));
    assert.equal(got.headers['content-type'], 'application/vnd.api+json');
  });

  it('sends the body option byte for byte, without a content-type of its own', async () => {
    const bytes = Buffer.from([0, 1, 127, 128, 255, 0xc3]);
    const got = await seen(await client.post('/inspect', { body: bytes }));
    assert.deepEqual(got.body, [...bytes]);
    assert.equal(got.headers['content-length'], '6');
    assert.equal(got.headers['content-type'], undefined);
    const text = await seen(await client.put('/inspect', { body: 'héllo' }));
    assert.deepEqual(text.body, [...Buffer.from('héllo')]);
    assert.equal(text.headers['content-length'], String(Buffer.byteLength('héllo')));
  });

  it('sends no body and no content-length when given none', async () => {
    const got = await seen(await client.post('/inspect'));
    assert.deepEqual(got.body, []);
    assert.equal(got.headers['content-length'], undefined);
  });

  it('lower-cases header names and sets host to testserver', async () => {
    const got = await seen(await client.get('/inspect', { headers: { 'X-Token': 'abc', ACCEPT: 'text/plain' } }));
    assert.equal(got.headers['x-token'], 'abc');
    assert.equal(got.headers.accept, 'text/plain');
    assert.equal(got.headers['X-Token'], undefined);
    assert.equal(got.headers.host, 'testserver');
  });

  it('reports the client address it was given', async () => {
    const custom = new TestClient(makeApp(), { host: '10.1.2.3', port: 4444 });
    assert.deepEqual((await seen(await custom.get('/inspect'))).client, { host: '10.1.2.3', port: 4444 });
    assert.deepEqual((await seen(await client.get('/inspect'))).client, { host: '127.0.0.1', port: 50000 });
  });
});

describe('TestClient lifespan and wire headers', () => {
  /** An app whose routes report what its startup and shutdown handlers did. */
  function lifespanApp(events: string[], startup: () => Promise<void> = async () => {}) {
    const ready = { value: false };
    return new App({
      settings: { logError: () => {} },
      onStartup: [
        async () => {
          events.push('startup');
          await startup();
          ready.value = true;
        },
      ],
      onShutdown: [
        () => {
          events.push('shutdown');
        },
      ],
      routes: [
        new Route(
          '/ready',
          'GET',
          inject([], () => ({ ready: ready.value })),
        ),
        new WebSocketRoute(
          '/ready',
          inject([WebSocket], async (ws) => {
            await ws.accept();
            await ws.sendJson({ ready: ready.value });
            for await (const message of ws) void message;
            events.push('socket closed');
          }),
        ),
      ],
    });
  }

  it('runs the startup handlers once, before the first request is served', async () => {
    const events: string[] = [];
    const client = new TestClient(lifespanApp(events, () => new Promise((resolve) => setTimeout(resolve, 30))));
    const answers = await Promise.all([client.get('/ready'), client.get('/ready')]);
    for (const answer of answers) assert.deepEqual(await answer.json(), { ready: true });
    assert.deepEqual(events, ['startup']);
    await client.close();
  });

  it('runs the startup handlers before the first WebSocket is accepted', async () => {
    const client = new TestClient(lifespanApp([]));
    const ws = await client.websocket('/ready');
    assert.deepEqual(JSON.parse(String(await ws.receive())), { ready: true });
    await client.close();
  });

  it('close() closes open WebSockets with 1001, then runs the shutdown handlers', async () => {
    const events: string[] = [];
    const client = new TestClient(lifespanApp(events));
    const ws = await client.websocket('/ready');
    await client.close();
    assert.equal(await ws.closed, 1001);
    assert.deepEqual(events, ['startup', 'socket closed', 'shutdown']);
    await client.close();
    assert.deepEqual(events, ['startup', 'socket closed', 'shutdown'], 'a second close() shuts down nothing more');
  });

  it('await using closes the app when the block ends', async () => {
    const events: string[] = [];
    {
      await using client = new TestClient(lifespanApp(events));
      assert.equal((await client.get('/ready')).status, 200);
      assert.deepEqual(events, ['startup']);
    }
    assert.deepEqual(events, ['startup', 'shutdown']);
  });

  it('a failing startup rejects every request with the StartupError naming the handler', async () => {
    const app = new App({
      routes: [new Route('/', 'GET', () => 'x')],
      onStartup: [
        function openPool() {
          throw new Error('pool refused');
        },
      ],
    });
    const client = new TestClient(app);
    await assert.rejects(client.get('/'), (error) => error instanceof StartupError && /openPool: pool refused/.test(error.message));
    await assert.rejects(client.websocket('/'), StartupError);
    await client.close();
  });

  it('gives content-length as the wire does: for bodies of known size, HEAD included, not for streams, 204 or 304', async () => {
    const app = makeApp();
    const server = await app.listen(0);
    try {
      const base = `http://127.0.0.1:${App.portOf(server)}`;
      const client = new TestClient(app);
      const cases: [string, string][] = [
        ['GET', '/text'],
        ['HEAD', '/text'],
        ['GET', '/headers'],
        ['GET', '/empty'],
        ['GET', '/stream'],
      ];
      for (const [method, path] of cases) {
        const wire = await fetch(base + path, { method });
        await wire.arrayBuffer();
        const local = await client.request(method, path);
        assert.equal(local.headers.get('content-length'), wire.headers.get('content-length'), `${method} ${path}`);
      }
      assert.equal((await client.get('/text')).headers.get('content-length'), String(Buffer.byteLength('plain text')));
    } finally {
      await app.close();
    }
  });
});
