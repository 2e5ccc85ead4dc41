import assert from 'node:assert/strict';
import { RequestId } from '../../components/request-id';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { JSONResponse } from '../../lib/http/response';
import { inject } from '../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../lib/routing/routes';
import { TestClient } from '../../lib/testing/test-client';
import { forEachClient } from '../support/clients';

/** One response object sent to every request, as a handler may keep one. */
const SHARED = new JSONResponse({ shared: true });

function makeApp(): App {
  return new App({
    routes: [
      new Route(
        '/id',
        'GET',
        inject([RequestId], (requestId) => ({ requestId })),
      ),
      new Route('/shared', 'GET', () => SHARED),
      new Route('/own', 'GET', () => new JSONResponse({}, { headers: { 'x-request-id': 'set-by-the-app' } })),
      new WebSocketRoute(
        '/ws',
        inject([WebSocket, RequestId], async (ws, requestId) => {
          await ws.accept();
          await ws.send(requestId);
          await ws.close();
        }),
      ),
    ],
  });
}

describe('RequestId (components/request-id.ts)', () => {
  forEachClient(makeApp, (client) => {
    it('is the X-Request-Id sent, echoed in the response', async () => {
      const response = await client().get('/id', { headers: { 'X-Request-Id': 'trace-1234' } });
      assert.equal(response.headers.get('x-request-id'), 'trace-1234');
      assert.deepEqual(await response.json(), { requestId: 'trace-1234' });
    });

    it('is generated when none is sent, and echoed: one id per request', async () => {
      const first = await client().get('/id');
      const second = await client().get('/id');
      const a = (await first.json()) as { requestId: string };
      const b = (await second.json()) as { requestId: string };
      assert.equal(first.headers.get('x-request-id'), a.requestId);
      assert.notEqual(a.requestId, b.requestId);
    });

    it('replaces an invalid X-Request-Id (too long, not printable) with a generated one', async () => {
      for (const sent of ['x'.repeat(201), 'caf\u00e9']) {
        const response = await client().get('/id', { headers: { 'X-Request-Id': sent } });
        const { requestId } = (await response.json()) as { requestId: string };
        assert.notEqual(requestId, sent);
        assert.match(requestId, /^[\w-]+-[0-9a-z]+$/);
        assert.equal(response.headers.get('x-request-id'), requestId);
      }
    });

    it('gives a response object sent twice each request its own id, and leaves the object as it was', async () => {
      const first = await client().get('/shared');
      const second = await client().get('/shared');
      assert.notEqual(first.headers.get('x-request-id'), second.headers.get('x-request-id'));
      assert.equal(SHARED.headers['x-request-id'], undefined);
      assert.ok(!('x-request-id' in SHARED.headers));
    });

    it('leaves an X-Request-Id the app set itself', async () => {
      const response = await client().get('/own', { headers: { 'X-Request-Id': 'from-the-client' } });
      assert.equal(response.headers.get('x-request-id'), 'set-by-the-app');
    });

    it('is echoed on every answer, a 404 included', async () => {
      const response = await client().get('/missing', { headers: { 'X-Request-Id': 'lost-1' } });
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('x-request-id'), 'lost-1');
    });
  });

  it("is the upgrade request's id on a WebSocket route", async () => {
    const client = new TestClient(makeApp());
    const ws = await client.websocket('/ws', { headers: { 'X-Request-Id': 'socket-9' } });
    assert.equal(await ws.receiveText(), 'socket-9');
    await client.close();
  });
});
