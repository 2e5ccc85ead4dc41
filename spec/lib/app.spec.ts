import assert from 'node:assert/strict';
import { PathParam } from '../../components/path-param';
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
});
