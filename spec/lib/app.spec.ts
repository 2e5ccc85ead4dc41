import assert from 'node:assert/strict';
import { WebSocket as WsClient } from 'ws';
import { PathParam } from '../../components/path-param';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Include, Route, WebSocketRoute } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

describe('App', () => {
  it('routesWebSocket tells which paths a WebSocketRoute serves, HTTP routes aside', () => {
    const app = new App({
      routes: [
        new WebSocketRoute('/ws', () => undefined),
        new Include('/rooms', [new WebSocketRoute('/{id:int}', () => undefined)]),
        new Route('/http', 'GET', () => ({})),
      ],
    });
    assert.equal(app.routesWebSocket('/ws'), true);
    assert.equal(app.routesWebSocket('/rooms/7'), true);
    assert.equal(app.routesWebSocket('/rooms/seven'), false);
    assert.equal(app.routesWebSocket('/http'), false);
    assert.equal(app.routesWebSocket('/elsewhere'), false);
  });

  forEachClient(
    () =>
      new App({
        routes: [
          new Route('/', 'GET', () => ({ home: true })),
          new Route(
            '/items/{id:int}',
            'GET',
            inject([PathParam('id', { type: 'integer' })], (id) => ({ id })),
          ),
          new Route('/items/{id:int}', 'DELETE', () => undefined),
          new Route(
            '/items/{slug}',
            'GET',
            inject([PathParam('slug')], (slug) => ({ slug })),
          ),
          new Route(
            '/files/{rest:path}',
            'GET',
            inject([PathParam('rest')], (rest) => ({ rest })),
          ),
          new Include('/v1', [new Include('/admin', [new Route('/stats', 'GET', () => ({ admin: true }))])]),
          new WebSocketRoute('/ws', () => undefined),
        ],
      }),
    (client) => {
      it('routes by path template, converting typed parameters', async () => {
        assert.deepEqual(await (await client().get('/')).json(), { home: true });
        assert.deepEqual(await (await client().get('/items/42')).json(), { id: 42 });
        assert.deepEqual(await (await client().get('/items/forty-two')).json(), { slug: 'forty-two' });
        assert.deepEqual(await (await client().get('/files/a/b/c.txt')).json(), { rest: 'a/b/c.txt' });
        assert.deepEqual(await (await client().get('/items/caf%C3%A9')).json(), { slug: 'café' });
      });

      it('joins nested Include prefixes', async () => {
        assert.deepEqual(await (await client().get('/v1/admin/stats')).json(), { admin: true });
        assert.equal((await client().get('/admin/stats')).status, 404);
      });

      it('answers 404 with a JSON detail for unknown paths', async () => {
        const response = await client().get('/missing');
        assert.equal(response.status, 404);
        assert.deepEqual(await response.json(), { detail: 'Not Found' });
      });

      it('answers 405 with an Allow header listing the methods of the path', async () => {
        const response = await client().request('PUT', '/items/7');
        assert.equal(response.status, 405);
        assert.equal(response.headers.get('allow'), 'GET, DELETE, HEAD');
      });

      it('serves HEAD from GET routes, without a body', async () => {
        const response = await client().request('HEAD', '/items/7');
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'application/json');
        assert.equal(await response.text(), '');
      });

      it('answers 204 for a handler that returns nothing', async () => {
        assert.equal((await client().request('DELETE', '/items/7')).status, 204);
      });

      it('answers a plain GET on a WebSocket path with 426 Upgrade Required', async () => {
        const response = await client().get('/ws');
        assert.equal(response.status, 426);
        assert.equal(response.headers.get('upgrade'), 'websocket');
      });
    },
  );

  it('listen() resolves with a listening server and close() stops it', async () => {
    const app = new App({ routes: [new Route('/', 'GET', () => 'up')] });
    const server = await app.listen(0);
    const url = `http://127.0.0.1:${App.portOf(server)}/`;
    assert.equal(await (await fetch(url)).text(), 'up');
    await app.close();
    assert.equal(server.listening, false);
    await assert.rejects(fetch(url));
  });

  it('rejects a routes option that is not an array', () => {
    assert.throws(() => new App({ routes: undefined as never }), /routes must be an array/);
  });

  describe('stats() after real traffic', () => {
    let app: App;
    let base: string;
    let release: () => void = () => {};

    before(async () => {
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      app = new App({
        routes: [
          new Route('/fast', 'GET', () => ({ ok: true })),
          new Route('/slow', 'GET', async () => {
            await new Promise((resolve) => setTimeout(resolve, 40));
            return { ok: true };
          }),
          new Route('/held', 'GET', async () => {
            await held;
            return { ok: true };
          }),
          new WebSocketRoute(
            '/ws',
            inject([WebSocket], async (ws) => {
              await ws.accept();
              await ws.receiveText();
              await ws.close(4000);
            }),
          ),
        ],
        settings: { websocket: { heartbeatInterval: 0 } },
      });
      base = `127.0.0.1:${App.portOf(await app.listen(0))}`;
    });
    after(() => app.close());

    it('reports requests processed and in flight, mean and p99 response time, beside the WebSocket counters', async () => {
      assert.deepEqual(app.stats().http, { processed: 0, inFlight: 0, meanMs: 0, p99Ms: 0 });
      for (let i = 0; i < 20; i++) await fetch(`http://${base}/fast`);
      await fetch(`http://${base}/slow`);
      const heldAnswer = fetch(`http://${base}/held`);
      while (app.stats().http.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const during = app.stats().http;
      assert.deepEqual([during.processed, during.inFlight], [21, 1]);
      release();
      await (await heldAnswer).text();
      await new Promise((resolve) => setTimeout(resolve, 10));

      const client = new WsClient(`ws://${base}/ws`);
      await new Promise((resolve) => client.once('open', resolve));
      client.send('bye');
      await new Promise((resolve) => client.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 20));

      const stats = app.stats();
      assert.deepEqual(Object.keys(stats), [
        'open',
        'accepted',
        'rejected',
        'rejectedByStatus',
        'rejectedByReason',
        'closedByCode',
        'messagesIn',
        'messagesOut',
        'bytesIn',
        'bytesOut',
        'dropped',
        'http',
      ]);
      assert.deepEqual([stats.accepted, stats.open, stats.messagesIn, stats.closedByCode[4000]], [1, 0, 1, 1]);
      assert.equal(stats.http.processed, 22, 'the WebSocket handshake is not counted as a request');
      assert.equal(stats.http.inFlight, 0);
      assert.ok(stats.http.meanMs > 40 / 22 && stats.http.meanMs < 40, `mean ${stats.http.meanMs}`);
      // 22 requests: the 99th percentile is the slowest, held longer than /slow's 40 ms.
      assert.ok(stats.http.p99Ms >= 40 * 0.97, `p99 ${stats.http.p99Ms}`);
      assert.notEqual(app.stats().http, stats.http, 'a snapshot, not the live counters');
    });
  });
});
