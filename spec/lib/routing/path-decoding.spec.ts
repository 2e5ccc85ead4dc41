import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import { PathParam } from '../../../components/path-param';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { decodePath, decodeSegment, MALFORMED_PATH } from '../../../lib/routing/path-decoding';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { forEachTransport } from '../../support/ws-client';

function pathApp(): App {
  return new App({
    routes: [
      new Route(
        '/files/{name}',
        'GET',
        inject([PathParam('name'), Scope], (name, scope) => ({ name, path: scope.path, rawPath: scope.rawPath })),
      ),
      new Route(
        '/static/{rest:path}',
        'GET',
        inject([PathParam('rest')], (rest) => ({ rest })),
      ),
      new WebSocketRoute(
        '/ws/{room}',
        inject([WebSocket, PathParam('room')], async (ws, room) => {
          await ws.accept();
          await ws.sendJson({ room });
        }),
      ),
    ],
  });
}

/** GET `path` exactly as written (no URL normalisation) over a real socket. */
function rawGet(server: Server, path: string): Promise<{ status: number; body: string }> {
  const { port } = server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('path decoding', () => {
  describe('decodeSegment and decodePath', () => {
    it('decodes a segment fully and a path all but %2F', () => {
      assert.equal(decodeSegment('x%2Fy'), 'x/y');
      assert.equal(decodeSegment('x%252Fy'), 'x%2Fy');
      assert.equal(decodePath('/caf%C3%A9/x%2fy'), '/café/x%2Fy');
      assert.equal(decodePath('/plain'), '/plain');
    });

    it('gives undefined for malformed escapes', () => {
      for (const raw of ['%zz', 'a%4', '%C3', '%E0%A4%A', '%']) {
        assert.equal(decodeSegment(raw), undefined, raw);
        assert.equal(decodePath(`/x/${raw}`), undefined, raw);
      }
    });
  });

  const cases: [string, Record<string, string>][] = [
    ['/files/x%2Fy', { name: 'x/y', path: '/files/x%2Fy', rawPath: '/files/x%2Fy' }],
    ['/files/x%252Fy', { name: 'x%2Fy', path: '/files/x%2Fy', rawPath: '/files/x%252Fy' }],
    ['/files/caf%C3%A9', { name: 'café', path: '/files/café', rawPath: '/files/caf%C3%A9' }],
  ];

  describe('HTTP through the TestClient', () => {
    const client = new TestClient(pathApp());
    after(() => client.close());

    for (const [path, expected] of cases) {
      it(`gives ${path} the parameter ${JSON.stringify(expected.name)}`, async () => {
        const response = await client.get(path);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), expected);
      });
    }

    it('decodes {rest:path} after matching', async () => {
      assert.deepEqual(await (await client.get('/static/a%2Fb/c%20d')).json(), { rest: 'a/b/c d' });
      assert.deepEqual(await (await client.get('/static/x%252Fy')).json(), { rest: 'x%2Fy' });
    });

    it('answers 400 for a malformed escape, on routed and unrouted paths alike', async () => {
      for (const path of ['/files/%zz', '/static/a/%E0%A4%A', '/nowhere/%C3', '/files/a%4?x=1']) {
        const response = await client.get(path);
        assert.equal(response.status, 400, path);
        assert.deepEqual(await response.json(), { detail: MALFORMED_PATH }, path);
      }
    });
  });

  describe('HTTP over real sockets', () => {
    let app: App;
    let server: Server;
    before(async () => {
      app = pathApp();
      server = await app.listen(0);
    });
    after(() => app.close());

    for (const [path, expected] of cases) {
      it(`gives ${path} the parameter ${JSON.stringify(expected.name)}`, async () => {
        const response = await rawGet(server, path);
        assert.equal(response.status, 200);
        assert.deepEqual(JSON.parse(response.body), expected);
      });
    }

    it('answers 400 for a malformed escape', async () => {
      const response = await rawGet(server, '/files/%zz');
      assert.equal(response.status, 400);
      assert.deepEqual(JSON.parse(response.body), { detail: MALFORMED_PATH });
    });
  });

  describe('WebSocket routes', () => {
    forEachTransport(pathApp, (transport) => {
      it('decodes the parameter after matching', async () => {
        const peer = await transport().open('/ws/x%2Fy');
        assert.deepEqual(await peer.receiveJson(), { room: 'x/y' });
        await peer.closed;
      });

      it('refuses a malformed path with 400', async () => {
        const refusal = await transport().refusal('/ws/%zz');
        assert.equal(refusal.status, 400);
        assert.deepEqual(JSON.parse(refusal.body), { detail: MALFORMED_PATH });
      });
    });
  });
});
