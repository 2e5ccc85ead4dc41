import assert from 'node:assert/strict';
import type { HttpClient, HttpEndpoints } from '../../client/index.mjs';
import { Header } from '../../components/header';
import { PathParam } from '../../components/path-param';
import { QueryParam } from '../../components/query-param';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Include, Route } from '../../lib/routing/routes';
import { createApp, type routes as helloRoutes } from '../../samples/hello/app';
import { type ClientModule, loadClient } from './client-harness';

/** Calls `fn` and returns what it rejected with; fails when it resolves. */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

/** Routes that answer what reached them, to see what the client put on the wire. */
const mirror = inject(
  [
    PathParam('tag'),
    PathParam('rest'),
    QueryParam('n', { type: 'array', items: { type: 'integer' } }),
    Header('x-token'),
    Header('x-call'),
  ],
  (tag, rest, n, token, call) => ({ tag, rest, n, token, call }),
);
const mirrorRoutes = [
  new Include('/api', [new Route('/tags/{tag}/files/{rest:path}', 'GET', mirror)]),
  new Route('/empty', 'DELETE', () => undefined),
  new Route('/text', 'GET', () => 'plain'),
] as const;

describe('client/http-client', () => {
  let client: ClientModule;
  before(async () => {
    client = await loadClient();
  });

  describe('against the hello sample, listening', () => {
    let app: App;
    let api: HttpClient<HttpEndpoints<typeof helloRoutes>>;
    beforeEach(async () => {
      app = createApp();
      api = client.createHttpClient<typeof helloRoutes>(`http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`);
    });
    afterEach(() => app.close());

    it('sends a GET with a query and resolves with the parsed JSON', async () => {
      assert.deepEqual(await api.get('/hello', { query: { name: 'Ada' } }), { message: 'Hello, Ada!' });
      assert.deepEqual(await api.get('/hello'), { message: 'Hello, world!' });
    });

    it('posts a JSON body, then reads the note back by its path parameter', async () => {
      const note = await api.post('/notes', { json: { text: 'remember', tags: ['a', 'b'] } });
      assert.equal(typeof note.id, 'number');
      assert.deepEqual(note, { id: note.id, text: 'remember', tags: ['a', 'b'] });
      assert.deepEqual(await api.get('/notes/{id:int}', { params: { id: note.id } }), note);
    });

    it('rejects a 404 with HTTPStatusError carrying the status and the parsed body', async () => {
      const error = await rejection(() => api.get('/notes/{id:int}', { params: { id: 999 } }));
      assert.ok(error instanceof client.HTTPStatusError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.method, 'GET');
      assert.equal(error.url, '/notes/999');
      assert.deepEqual(error.body, { detail: 'No note 999' });
      assert.equal(error.message, 'GET /notes/999 answered 404: No note 999');
      assert.match(error.headers.get('content-type') ?? '', /json/);
    });

    it('rejects a 400 with the validation errors as the body', async () => {
      // The types refuse this body; a caller without them (plain JavaScript) still gets a clear answer.
      const wrong = { text: 'x', extra: 1 } as unknown as { text: string };
      const error = await rejection(() => api.post('/notes', { json: wrong }));
      assert.ok(error instanceof client.HTTPStatusError, String(error));
      assert.equal(error.status, 400);
      const body = error.body as { parameter: string; errors: { keyword: string }[] };
      assert.equal(body.parameter, 'body');
      assert.equal(body.errors[0].keyword, 'additionalProperties');
    });
  });

  describe('on the wire', () => {
    let app: App;
    let base: string;
    beforeEach(async () => {
      app = new App({ routes: mirrorRoutes });
      base = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
    });
    afterEach(() => app.close());

    it('encodes path parameters ({rest:path} keeps its slashes), repeats list queries and sends headers', async () => {
      let calls = 0;
      const api = client.createHttpClient<typeof mirrorRoutes>(`${base}/`, { headers: () => ({ 'x-token': `t${++calls}` }) });
      const answer = await api.get('/api/tags/{tag}/files/{rest:path}', {
        params: { tag: 'a b/c?', rest: 'dir one/file#2.txt' },
        query: { n: [1, 2] },
        headers: { 'x-call': 'yes' },
      });
      assert.deepEqual(answer, { tag: 'a b/c?', rest: 'dir one/file#2.txt', n: [1, 2], token: 't1', call: 'yes' });
      // The headers function is asked again for every call; a call's own header wins over it.
      const second = await api.get('/api/tags/{tag}/files/{rest:path}', {
        params: { tag: 'x', rest: 'y' },
        headers: { 'x-token': 'mine' },
      });
      assert.deepEqual(second, { tag: 'x', rest: 'y', token: 'mine' });
      assert.equal(calls, 2);
    });

    it('resolves a 204 with undefined and a text answer with the text', async () => {
      const api = client.createHttpClient<typeof mirrorRoutes>(base);
      assert.equal(await api.delete('/empty'), undefined);
      assert.equal(await api.request('GET', '/text'), 'plain');
    });

    it('rejects a missing path parameter before any request, naming the path and the parameter', async () => {
      let fetched = false;
      const api = client.createHttpClient<typeof mirrorRoutes>(base, {
        fetch: () => {
          fetched = true;
          return Promise.reject(new Error('not reached'));
        },
      });
      const missing = { tag: 'x' } as unknown as { tag: string; rest: string };
      const error = await rejection(() => api.get('/api/tags/{tag}/files/{rest:path}', { params: missing }));
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'GET /api/tags/{tag}/files/{rest:path}: params.rest is missing');
      assert.equal(fetched, false);
    });

    it('calls the fetch it is given', async () => {
      const seen: string[] = [];
      const api = client.createHttpClient<typeof mirrorRoutes>(base, {
        fetch: (url, init) => {
          seen.push(`${init.method} ${url}`);
          return fetch(url, init);
        },
      });
      assert.equal(await api.get('/text'), 'plain');
      assert.deepEqual(seen, [`GET ${base}/text`]);
    });
  });
});
