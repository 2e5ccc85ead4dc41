import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { Body } from '../../../components/body';
import { CurrentError } from '../../../components/current-error';
import { CurrentResponse } from '../../../components/current-response';
import { Request } from '../../../components/request';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { HTTPException, WebSocketProtocolError } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import type { Response } from '../../../lib/http/response';
import { component } from '../../../lib/inject/component';
import { inject } from '../../../lib/inject/inject';
import { Include, Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { startupError } from '../../support/startup-error';
import { deferred, liveTransport, type Transport, testTransport, WAIT, within } from '../../support/ws-client';

/** One app reached both ways: WebSocket connections and plain HTTP GETs. */
interface Way {
  readonly ws: Transport;
  get(path: string): Promise<globalThis.Response>;
  postJson(path: string, json: unknown): Promise<globalThis.Response>;
}

/** Runs `suite` through the TestClient and over real sockets, each with an app of its own. */
function forEachWay(makeApp: () => App, suite: (way: () => Way) => void): void {
  describe('through the TestClient', () => {
    let app: App;
    let way: Way;
    before(() => {
      app = makeApp();
      const client = new TestClient(app);
      way = { ws: testTransport(app), get: (path) => client.get(path), postJson: (path, json) => client.post(path, { json }) };
    });
    after(() => app?.close());
    suite(() => way);
  });
  describe('over real sockets', () => {
    let app: App;
    let way: Way;
    before(async () => {
      app = makeApp();
      const server: Server = await app.listen(0);
      const base = `http://127.0.0.1:${App.portOf(server)}`;
      way = {
        ws: liveTransport(server),
        get: (path) => fetch(base + path),
        postJson: (path, json) =>
          fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
      };
    });
    after(() => app?.close());
    suite(() => way);
  });
}

const PROTOCOL = 'my.protocol.example.io';

/** The HTTP side of every app below: hooks that inject WebSocket must leave it alone. */
const hello = new Route('/hello', 'GET', () => ({ hello: 'world' }));

describe('hooks', () => {
  describe("API Star's WebSocketEvents hooks, on an app that also serves HTTP", () => {
    describe('on_request that connects every WebSocket', () => {
      // async def on_request(self, ws: WebSocket, scope: ASGIScope):
      //     if scope['type'] == 'websocket': await ws.connect()
      class WebSocketEvents {
        @inject([WebSocket, Scope])
        async onRequest(ws: WebSocket, scope: Scope): Promise<void> {
          if (scope.type === 'websocket') await ws.connect();
        }
      }
      // The handlers leave the boilerplate to the hook: no accept() of their own.
      const helloWorld = inject([WebSocket], async (ws) => {
        for (let i = 0; i < 3; i++) await ws.send('Hello World!');
      });

      forEachWay(
        () => new App({ routes: [hello, new WebSocketRoute('/ws', helloWorld)], hooks: [WebSocketEvents] }),
        (way) => {
          it('connects the socket for a handler that never accepts', async () => {
            const ending = await way().ws.ending('/ws');
            assert.deepEqual(ending.messages, ['Hello World!', 'Hello World!', 'Hello World!']);
            assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
          });

          it('leaves HTTP routes alone', async () => {
            const response = await way().get('/hello');
            assert.equal(response.status, 200);
            assert.deepEqual(await response.json(), { hello: 'world' });
          });

          it('leaves unmatched HTTP requests alone too', async () => {
            assert.equal((await way().get('/nowhere')).status, 404);
          });
        },
      );
    });

    describe('on_request that requires a subprotocol', () => {
      // if scope['type'] == 'websocket' and 'my.protocol.example.io' not in ws.protocols:
      //     raise WebSocketProtocolError(detail='Protocol %s is required' % 'my.protocol.example.io')
      // else: await ws.connect()
      class WebSocketEvents {
        @inject([WebSocket, Scope])
        async onRequest(ws: WebSocket, scope: Scope): Promise<void> {
          if (scope.type === 'websocket' && !ws.subprotocols.includes(PROTOCOL)) {
            throw new WebSocketProtocolError(`Protocol ${PROTOCOL} is required`);
          }
          // Accepting with the protocol is what lets a client that asked for it proceed.
          await ws.connect(PROTOCOL);
        }
      }
      const greet = inject([WebSocket], async (ws) => {
        await ws.sendJson({ protocol: ws.subprotocol });
      });

      forEachWay(
        () => new App({ routes: [hello, new WebSocketRoute('/ws', greet)], hooks: [new WebSocketEvents()] }),
        (way) => {
          it('closes 1002 with the reason when the client does not offer the protocol', async () => {
            const ending = await way().ws.ending('/ws', { subprotocols: ['other.example.io'] });
            assert.deepEqual([ending.code, ending.reason], [status.WS_1002_PROTOCOL_ERROR, `Protocol ${PROTOCOL} is required`]);
            assert.deepEqual(ending.messages, []);
          });

          it('connects with the protocol when the client offers it', async () => {
            const peer = await way().ws.open('/ws', { subprotocols: ['other.example.io', PROTOCOL] });
            assert.equal(peer.protocol, PROTOCOL);
            assert.deepEqual(await peer.receiveJson(), { protocol: PROTOCOL });
            assert.equal((await within(peer.closed, WAIT, 'the close')).code, status.WS_1000_NORMAL_CLOSURE);
          });

          it('leaves HTTP routes alone', async () => {
            assert.deepEqual(await (await way().get('/hello')).json(), { hello: 'world' });
          });
        },
      );
    });

    describe('on_response that says goodbye on a socket the handler left open', () => {
      // async def on_response(self, ws: WebSocket, scope: ASGIScope):
      //     if scope['type'] == 'websocket' and ws.connected:
      //         await ws.send_json({'status': 'ok', 'message': 'Have a nice Day!'})
      class WebSocketEvents {
        @inject([WebSocket, Scope])
        async onResponse(ws: WebSocket, scope: Scope): Promise<void> {
          if (scope.type === 'websocket' && ws.connected) await ws.sendJson({ status: 'ok', message: 'Have a nice Day!' });
        }
      }
      const leavesOpen = inject([WebSocket], async (ws) => {
        await ws.accept();
        await ws.sendJson({ index: 0, text: 'Hello World!' });
      });
      const closes = inject([WebSocket], async (ws) => {
        await ws.accept();
        await ws.close();
      });

      forEachWay(
        () =>
          new App({
            routes: [hello, new WebSocketRoute('/open', leavesOpen), new WebSocketRoute('/closed', closes)],
            hooks: [WebSocketEvents],
          }),
        (way) => {
          it('sends the last message after the handler returned, then the socket closes 1000', async () => {
            const ending = await way().ws.ending('/open');
            assert.deepEqual(
              ending.messages.map((m) => JSON.parse(String(m))),
              [
                { index: 0, text: 'Hello World!' },
                { status: 'ok', message: 'Have a nice Day!' },
              ],
            );
            assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
          });

          it('sends nothing when the handler closed the socket itself', async () => {
            const ending = await way().ws.ending('/closed');
            assert.deepEqual(ending.messages, []);
            assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
          });

          it('leaves HTTP responses alone', async () => {
            const response = await way().get('/hello');
            assert.deepEqual(await response.json(), { hello: 'world' });
          });
        },
      );
    });
  });

  describe('where a hook method runs, inferred from what it injects', () => {
    /** An access log: injects Request, so it runs on HTTP requests only. */
    const accessLog: string[] = [];
    class AccessLog {
      @inject([Request, CurrentResponse])
      onResponse(request: Request, response: Response): void {
        accessLog.push(`${request.method} ${request.path} ${response.status}`);
      }

      @inject([Request, CurrentResponse])
      onError(request: Request, response: Response): void {
        this.onResponse(request, response);
      }
    }
    /** Injects only what both kinds have: runs on both. */
    const seen: string[] = [];
    class Everywhere {
      @inject([Scope])
      onRequest(scope: Scope): void {
        seen.push(`${scope.type} ${scope.path}`);
      }
    }
    /** Components built from WebSocket and from Body: a hook that injects them follows their kind. */
    class Peer {
      constructor(readonly ws: WebSocket) {}
    }
    class Payload {
      constructor(readonly body: unknown) {}
    }
    const components = [component(Peer, [WebSocket], (ws) => new Peer(ws)), component(Payload, [Body()], (body) => new Payload(body))];
    const through: string[] = [];
    class ThroughComponents {
      @inject([Peer])
      onRequest(peer: Peer): void {
        through.push(`peer ${peer.ws.path}`);
      }

      @inject([Payload, CurrentResponse])
      onResponse(payload: Payload, response: Response): void {
        through.push(`payload ${JSON.stringify(payload.body)} ${response.status}`);
      }
    }
    const echo = inject([WebSocket], async (ws) => {
      await ws.accept();
      for await (const message of ws) await ws.send(message);
    });
    const post = new Route(
      '/items',
      'POST',
      inject([Body()], (body) => ({ got: body })),
    );

    beforeEach(() => {
      accessLog.length = 0;
      seen.length = 0;
      through.length = 0;
    });

    forEachWay(
      () =>
        new App({
          routes: [
            hello,
            new WebSocketRoute('/echo', echo),
            new Include('/c', [post, new WebSocketRoute('/echo', echo)], { hooks: [ThroughComponents] }),
          ],
          hooks: [AccessLog, Everywhere],
          components,
        }),
      (way) => {
        it('an access log that injects Request keeps logging HTTP once a WebSocketRoute is added', async () => {
          assert.equal((await way().get('/hello')).status, 200);
          assert.equal((await way().get('/nowhere')).status, 404);
          assert.deepEqual(accessLog, ['GET /hello 200', 'GET /nowhere 404']);
        });

        it('a WebSocket connection skips the HTTP-only methods and runs the rest', async () => {
          const peer = await way().ws.open('/c/echo');
          peer.send('ping');
          assert.equal(await peer.receiveText(), 'ping');
          await peer.close();
          assert.deepEqual(accessLog, []);
          assert.deepEqual(seen, ['websocket /c/echo']);
          assert.deepEqual(through, ['peer /c/echo']);
        });

        it('an HTTP request skips the methods built on WebSocket, transitively through components', async () => {
          const response = await way().postJson('/c/items', { a: 1 });
          assert.deepEqual(await response.json(), { got: { a: 1 } });
          assert.deepEqual(seen, ['http /c/items']);
          assert.deepEqual(through, ['payload {"a":1} 200']);
        });
      },
    );

    it('keeps appliesTo as explicit control: the hook wraps exactly those kinds', async () => {
      const calls: string[] = [];
      class HttpOnly {
        readonly appliesTo = ['http'] as const;
        onRequest(): void {
          calls.push('http-only');
        }
      }
      const app = new App({ routes: [hello, new WebSocketRoute('/echo', echo)], hooks: [HttpOnly] });
      const client = new TestClient(app);
      const ws = await client.websocket('/echo');
      ws.sendText('x');
      assert.equal(await ws.receiveText(), 'x');
      await ws.close();
      assert.deepEqual(calls, []);
      await client.get('/hello');
      assert.deepEqual(calls, ['http-only']);
      await app.close();
    });

    it('with appliesTo, a method that cannot run on a listed kind is a startup error', () => {
      class Claims {
        readonly appliesTo = ['http', 'websocket'] as const;
        @inject([Request])
        onRequest(request: Request): void {
          void request;
        }
      }
      const message = startupError(() => new App({ routes: [new WebSocketRoute('/ws', echo)], hooks: [Claims] }));
      assert.match(message, /route WS \/ws, function Claims\.onRequest, parameter 1 \(Request\)/);
      assert.match(message, /only available on HTTP routes/);
    });

    it('a method that injects HTTP-only and WebSocket-only tokens together is a startup error', () => {
      class Confused {
        @inject([Request, WebSocket])
        onRequest(request: Request, ws: WebSocket): void {
          void request;
          void ws;
        }
      }
      const message = startupError(() => new App({ routes: [hello], hooks: [Confused] }));
      assert.match(message, /route GET \/hello: hook Confused\.onRequest injects Request, WebSocket, which no connection has together/);
    });

    it('a hook listed on a route itself that would never run there is a startup error', () => {
      class NeedsRequest {
        @inject([Request])
        onRequest(request: Request): void {
          void request;
        }
      }
      const message = startupError(() => new App({ routes: [new WebSocketRoute('/ws', echo, { hooks: [NeedsRequest] })] }));
      assert.match(message, /route WS \/ws: hook NeedsRequest is listed on this route but never runs on it: onRequest injects Request/);
    });

    it('an Include hook that injects Request wraps the HTTP routes inside and skips the WebSocket ones', async () => {
      const calls: string[] = [];
      class Audit {
        @inject([Request])
        onRequest(request: Request): void {
          calls.push(request.path);
        }
      }
      const app = new App({ routes: [new Include('/api', [hello, new WebSocketRoute('/echo', echo)], { hooks: [Audit] })] });
      const client = new TestClient(app);
      const ws = await client.websocket('/api/echo');
      await ws.close();
      await client.get('/api/hello');
      assert.deepEqual(calls, ['/api/hello']);
      await app.close();
    });
  });

  describe('onResponse and onError run only for hooks whose onRequest was reached', () => {
    const events: string[] = [];
    let done = deferred<void>();
    function hook(name: string, fail = false) {
      class Step {
        @inject([Scope])
        onRequest(scope: Scope): void {
          events.push(`${name}.onRequest`);
          if (fail) throw new HTTPException(status.HTTP_403_FORBIDDEN, `${name} refuses ${scope.type}`);
        }
        @inject([CurrentError])
        onError(error: unknown): void {
          events.push(`${name}.onError`);
          if (name === 'first') done.resolve();
          void error;
        }
        onResponse(): void {
          events.push(`${name}.onResponse`);
        }
      }
      Object.defineProperty(Step, 'name', { value: `Step_${name}` });
      return Step;
    }
    const never = inject([WebSocket], async (ws) => {
      await ws.accept();
    });
    beforeEach(() => {
      events.length = 0;
      done = deferred<void>();
    });

    forEachWay(
      () =>
        new App({
          settings: { logError: () => {} },
          routes: [
            new Route('/refused', 'GET', () => 'never', { hooks: [hook('second', true), hook('third')] }),
            new WebSocketRoute('/refused', never, { hooks: [hook('second', true), hook('third')] }),
          ],
          hooks: [hook('first')],
        }),
      (way) => {
        it('HTTP: the refusing hook and those before it get onError, the one after it nothing', async () => {
          const response = await way().get('/refused');
          assert.equal(response.status, 403);
          assert.deepEqual(events, ['first.onRequest', 'second.onRequest', 'second.onError', 'first.onError']);
        });

        it('WebSocket: the same, before the handshake completes', async () => {
          const refusal = await way().ws.refusal('/refused');
          assert.equal(refusal.status, 403);
          await within(done.promise, WAIT, 'the onError hooks');
          assert.deepEqual(events, ['first.onRequest', 'second.onRequest', 'second.onError', 'first.onError']);
        });
      },
    );
  });
});
