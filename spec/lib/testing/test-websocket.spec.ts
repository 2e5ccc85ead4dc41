import assert from 'node:assert/strict';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { HTTPException, WebSocketDisconnect } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { TestWebSocket, WebSocketDenied } from '../../../lib/testing/test-websocket';
import { type Deferred, deferred, WAIT, within } from '../../support/ws-client';

/** What the server side of the current test saw. */
let report: Deferred<unknown> = deferred<unknown>();

function makeApp(): App {
  return new App({
    settings: { logError: () => {}, websocket: { heartbeatInterval: 0, maxPayload: 8 } },
    routes: [
      new WebSocketRoute(
        '/echo',
        inject([WebSocket, Scope], async (ws, scope) => {
          await ws.accept(ws.subprotocols.includes('chat') ? 'chat' : undefined, { 'x-hello': 'world' });
          await ws.sendJson({ query: scope.queryString, header: scope.headers['x-user'] ?? null, client: scope.client?.host ?? null });
          for await (const message of ws) await ws.send(message);
          report.resolve({ closeCode: ws.closeCode, closeReason: ws.closeReason });
        }),
      ),
      new WebSocketRoute(
        '/silent',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          for await (const message of ws) void message;
        }),
      ),
      new WebSocketRoute('/deny', () => {
        throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Who are you?', { 'www-authenticate': 'Bearer' });
      }),
      new WebSocketRoute('/never', () => undefined),
      new WebSocketRoute(
        '/accept-close',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.close(4000, 'go away');
        }),
      ),
      new WebSocketRoute(
        '/send-close',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('one');
          await ws.sendBytes(Buffer.from([2]));
          await ws.close(4001, 'done');
        }),
      ),
      new Route('/http', 'GET', () => ({ http: true })),
    ],
  });
}

describe('TestClient.websocket() and TestWebSocket', () => {
  let app: App;
  let client: TestClient;
  before(() => {
    app = makeApp();
    client = new TestClient(app);
  });
  after(() => app.close());
  beforeEach(() => {
    report = deferred<unknown>();
  });

  async function denial(path: string): Promise<WebSocketDenied> {
    try {
      await client.websocket(path);
    } catch (error) {
      if (error instanceof WebSocketDenied) return error;
      throw error;
    }
    throw new Error(`${path} was accepted`);
  }

  it('resolves to a session once accepted, with the chosen subprotocol and the extra 101 headers', async () => {
    const ws = await client.websocket('/echo?room=1', { subprotocols: ['other', 'chat'], headers: { 'X-User': 'ann' } });
    assert.ok(ws instanceof TestWebSocket);
    assert.equal(ws.subprotocol, 'chat');
    assert.deepEqual(ws.headers, { 'x-hello': 'world' });
    assert.deepEqual(await ws.receiveJson(), { query: 'room=1', header: 'ann', client: '127.0.0.1' });
    await ws.close();
  });

  it('has no subprotocol when none was chosen', async () => {
    const ws = await client.websocket('/echo');
    assert.equal(ws.subprotocol, undefined);
    await ws.close();
  });

  it('sends text, bytes and JSON, and receives them typed', async () => {
    const ws = await client.websocket('/echo');
    await ws.receiveJson();
    ws.sendText('héllo');
    ws.sendBytes(new Uint8Array([1, 2]));
    ws.sendJson({ a: 1 });
    ws.send(Buffer.from([3]));
    ws.send('plain');
    assert.equal(await ws.receiveText(), 'héllo');
    assert.deepEqual([...(await ws.receiveBytes())], [1, 2]);
    assert.deepEqual(await ws.receiveJson(), { a: 1 });
    assert.deepEqual(await ws.receive(), Buffer.from([3]));
    assert.equal(await ws.receive(), 'plain');
    await ws.close();
  });

  it('refuses to read a binary message as text and a text one as bytes', async () => {
    const ws = await client.websocket('/echo');
    await ws.receiveJson();
    ws.sendBytes(Buffer.from('x'));
    await assert.rejects(ws.receiveText(), { name: 'TypeError', message: 'Expected a text message, got a binary one' });
    ws.sendText('y');
    await assert.rejects(ws.receiveBytes(), { name: 'TypeError', message: 'Expected a binary message, got a text one' });
    await ws.close();
  });

  it('counts messages received and not yet read in pending', async () => {
    const ws = await client.websocket('/send-close');
    // Both messages arrived before the close frame; none has been read.
    await within(ws.closed, WAIT, 'the close');
    assert.equal(ws.pending, 2);
    assert.equal(await ws.receive(), 'one');
    assert.equal(ws.pending, 1);
    await ws.receive();
    assert.equal(ws.pending, 0);
  });

  describe('receive timeouts', () => {
    it("rejects a receive that gets nothing within the session's timeout", async () => {
      const ws = await client.websocket('/silent', { timeout: 30 });
      const started = Date.now();
      await assert.rejects(ws.receive(), { message: 'No WebSocket message within 30 ms' });
      assert.ok(Date.now() - started >= 25, 'gave up too early');
      await ws.close();
    });

    it("takes a per-call timeout over the session's", async () => {
      const ws = await client.websocket('/silent', { timeout: WAIT });
      await assert.rejects(ws.receiveJson(20), { message: 'No WebSocket message within 20 ms' });
      await ws.close();
    });

    it('is answered at once, not at the timeout, when the server closes meanwhile', async () => {
      const ws = await client.websocket('/send-close', { timeout: WAIT });
      assert.equal(await ws.receiveText(), 'one');
      assert.deepEqual([...(await ws.receiveBytes())], [2]);
      const started = Date.now();
      await assert.rejects(ws.receive(), (error: unknown) => error instanceof WebSocketDisconnect && error.code === 4001);
      assert.ok(Date.now() - started < WAIT / 2);
    });
  });

  describe('refusals', () => {
    it('rejects with WebSocketDenied carrying the status, body and headers of an HTTP refusal', async () => {
      const error = await denial('/deny');
      assert.equal(error.status, status.HTTP_401_UNAUTHORIZED);
      assert.deepEqual(JSON.parse(error.body), { detail: 'Who are you?' });
      assert.equal(error.headers['www-authenticate'], 'Bearer');
      assert.match(error.message, /refused with HTTP 401/);
    });

    it('rejects with WebSocketDenied 403 when the handler never accepts', async () => {
      assert.equal((await denial('/never')).status, status.HTTP_403_FORBIDDEN);
    });

    it('rejects with WebSocketDenied 404 for a path no WebSocket route serves', async () => {
      const unrouted = await denial('/nowhere');
      assert.equal(unrouted.status, status.HTTP_404_NOT_FOUND);
      assert.deepEqual(JSON.parse(unrouted.body), { detail: 'Not Found' });
      assert.equal((await denial('/http')).status, status.HTTP_404_NOT_FOUND);
    });

    it('rejects with WebSocketDisconnect when the app closes right after accepting', async () => {
      await assert.rejects(
        client.websocket('/accept-close'),
        (error: unknown) => error instanceof WebSocketDisconnect && error.code === 4000 && error.reason === 'go away',
      );
    });
  });

  describe('closing', () => {
    it("throws WebSocketDisconnect with the server's code and reason on every receive after the server closed", async () => {
      const ws = await client.websocket('/send-close');
      assert.equal(await ws.receive(), 'one');
      assert.deepEqual(await ws.receive(), Buffer.from([2]));
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          ws.receive(),
          (error: unknown) => error instanceof WebSocketDisconnect && error.code === 4001 && error.reason === 'done',
        );
      }
      assert.equal(await ws.closed, 4001);
      assert.deepEqual([ws.closeCode, ws.closeReason], [4001, 'done']);
    });

    it('close() completes the handshake, the server sees the code and reason, and receive then disconnects', async () => {
      const ws = await client.websocket('/echo');
      await ws.receiveJson();
      assert.equal(await within(ws.close(4002, 'bye'), WAIT, 'the close'), 4002);
      assert.deepEqual(await within(report.promise, WAIT, 'the server'), { closeCode: 4002, closeReason: 'bye' });
      await assert.rejects(ws.receive(), (error: unknown) => error instanceof WebSocketDisconnect && error.code === 4002);
    });

    it('closes 1009 when a message exceeds settings.websocket.maxPayload', async () => {
      const ws = await client.websocket('/echo');
      await ws.receiveJson();
      ws.sendText('12345678');
      assert.equal(await ws.receiveText(), '12345678');
      ws.sendText('123456789');
      assert.equal(await within(ws.closed, WAIT, 'the close'), status.WS_1009_MESSAGE_TOO_BIG);
      assert.equal(ws.closeReason, 'Message too big');
      assert.deepEqual(await within(report.promise, WAIT, 'the server'), { closeCode: 1009, closeReason: 'Message too big' });
    });
  });
});
