import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { CurrentError } from '../../../components/current-error';
import { Message } from '../../../components/message';
import { PathParam } from '../../../components/path-param';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { HTTPException, ValidationError, WebSocketException, WebSocketProtocolError } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { JSONResponse } from '../../../lib/http/response';
import { component } from '../../../lib/inject/component';
import type { Hook } from '../../../lib/inject/hook';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { type Deferred, deferred, forEachTransport, WAIT, within } from '../../support/ws-client';

/** Errors the app reported through `settings.logError`. */
const logged: unknown[] = [];
/** What handlers and hooks did, in order. */
const events: string[] = [];
/** Resolved by the outermost hook's last method: the connection is fully served. */
let served: Deferred<void> = deferred<void>();
/** Texts the `/say` handler was called with. */
const calls: string[] = [];
let messageBuilds = 0;
let connectionBuilds = 0;

/** Yields to the event loop `count` times (a handler that takes a little while). */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

class PerMessage {
  constructor(readonly n: number) {}
}
class Holder {
  constructor(readonly perMessage: PerMessage) {}
}
class PerConnection {
  constructor(readonly n: number) {}
}

const say = inject(
  [
    Message({
      type: 'object',
      properties: { text: { type: 'string' }, wait: { type: 'integer' }, silent: { type: 'boolean' } },
      required: ['text'],
    }),
  ],
  async (message) => {
    calls.push(message.text);
    await turns(message.wait ?? 0);
    return message.silent ? undefined : { echo: message.text };
  },
);

const double = inject([Message({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] })], (message) => ({
  double: message.n * 2,
}));

/** The error a `/raise/.../{kind}` route throws. */
function raise(kind: string): unknown {
  if (kind.startsWith('http-')) return new HTTPException(Number(kind.slice(5)));
  switch (kind) {
    case 'unauthorized-detail':
      return new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Log in first', { 'www-authenticate': 'Bearer' });
    case 'ws':
      return new WebSocketException(4321, 'custom reason');
    case 'ws-reserved':
      return new WebSocketException(status.WS_1005_NO_STATUS_RECEIVED, 'reserved code');
    case 'ws-out-of-range':
      return new WebSocketException(5000, 'out of range');
    case 'protocol':
      return new WebSocketProtocolError('Speak chat.v1');
    case 'validation':
      return new ValidationError('message', [], 'Bad shape');
    case 'boom':
      return new Error('secret detail');
    case 'string':
      return 'a thrown string';
    case 'long-http':
      return new HTTPException(status.HTTP_403_FORBIDDEN, '€'.repeat(100));
    case 'long-ws':
      return new WebSocketException(4000, `${'a'.repeat(121)}€€`);
    case 'long-boom':
      return new Error('é'.repeat(100));
    default:
      throw new TypeError(`unknown kind ${kind}`);
  }
}

/** A hook that records its calls under `name`; the outermost one also ends `served`. */
function recorder(name: string, last = false): Hook {
  return {
    onRequest: inject([Scope], (scope) => {
      events.push(`${name}.onRequest`);
      if (name === 'inner' && scope.query.deny !== undefined) throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Denied by hook');
      if (name === 'inner' && scope.query.kick !== undefined) throw new WebSocketException(4001, 'Kicked by hook');
    }),
    onResponse: inject([WebSocket], (ws) => {
      events.push(`${name}.onResponse (${ws.state})`);
      if (last) served.resolve();
    }),
    onError: inject([CurrentError], (error) => {
      events.push(`${name}.onError (${error instanceof Error ? error.message : String(error)})`);
      if (last) served.resolve();
    }),
  };
}

/** API Star's seed: an `onResponse` that sends a last message on a socket the handler left open. */
const goodbye = {
  onResponse: inject([WebSocket], async (ws) => {
    if (ws.connected) await ws.sendJson({ status: 'ok', message: 'Have a nice Day!' });
  }),
};

/** A hook that answers by returning a Response, after accepting when `?accepted` is given. */
const respondingHook = {
  onRequest: inject([WebSocket, Scope], async (ws, scope) => {
    if (scope.query.accepted !== undefined) await ws.accept();
    return new JSONResponse({ detail: 'Not for you' }, { status: status.HTTP_401_UNAUTHORIZED, headers: { 'x-why': 'hook' } });
  }),
};

function makeApp(settings: { debug?: boolean } = {}): App {
  const hooks = [recorder('outer', true), recorder('inner')];
  return new App({
    settings: { ...settings, logError: (_message, error) => logged.push(error), websocket: { heartbeatInterval: 0 } },
    components: [
      component(PerMessage, [], () => new PerMessage(++messageBuilds), { scope: 'message' }),
      component(Holder, [PerMessage], (perMessage) => new Holder(perMessage), { scope: 'message' }),
      component(PerConnection, [], () => new PerConnection(++connectionBuilds), { scope: 'request' }),
    ],
    routes: [
      new WebSocketRoute('/say', say),
      new WebSocketRoute(
        '/scoped',
        inject([Message(), PerMessage, Holder, PerConnection], (_message, perMessage, holder, perConnection) => ({
          message: perMessage.n,
          shared: holder.perMessage === perMessage,
          connection: perConnection.n,
        })),
      ),
      new WebSocketRoute('/double', double),
      new WebSocketRoute('/double-reply', double, { onInvalidMessage: 'reply' }),
      new WebSocketRoute(
        '/hooked/ok',
        inject([WebSocket], async (ws) => {
          events.push('handler');
          await ws.accept();
        }),
        { hooks },
      ),
      new WebSocketRoute(
        '/hooked/fail',
        inject([WebSocket], async (ws) => {
          events.push('handler');
          await ws.accept();
          throw new Error('handler failed');
        }),
        { hooks },
      ),
      new WebSocketRoute(
        '/hooked/left',
        inject([WebSocket], async (ws) => {
          events.push('handler');
          await ws.accept();
          await ws.sendText('ready');
          await ws.receive();
        }),
        { hooks },
      ),
      new WebSocketRoute(
        '/hooked/messages',
        inject([Message({ type: 'string' })], (text) => {
          events.push(`handler ${text}`);
          return text.toUpperCase();
        }),
        { hooks },
      ),
      new WebSocketRoute(
        '/hooked/slow-messages',
        inject([Message({ type: 'string' })], async (text) => {
          await turns(text === 'slow' ? 20 : 1);
          events.push(`handler ${text}`);
        }),
        { hooks },
      ),
      new WebSocketRoute(
        '/receive-in-hook',
        inject([Message()], () => 'never'),
        {
          hooks: [
            {
              onRequest: inject([WebSocket], async (ws) => {
                await ws.accept();
                ws.receive().catch(() => undefined);
              }),
            },
          ],
        },
      ),
      new WebSocketRoute(
        '/receive-in-handler',
        inject([Message(), WebSocket], async (_message, ws) => {
          await ws.receive();
        }),
      ),
      new WebSocketRoute(
        '/hook-response',
        inject([WebSocket], async (ws) => {
          events.push('handler');
          await ws.accept();
        }),
        { hooks: [respondingHook] },
      ),
      new WebSocketRoute(
        '/goodbye',
        inject([WebSocket], async (ws) => {
          await ws.accept();
          await ws.sendText('hello');
        }),
        { hooks: [goodbye] },
      ),
      new WebSocketRoute(
        '/raise/{when}/{kind}',
        inject([WebSocket, PathParam('when'), PathParam('kind')], async (ws, when, kind) => {
          if (when === 'after') await ws.accept();
          throw raise(kind);
        }),
      ),
    ],
  });
}

describe('WebSocket pipeline', () => {
  beforeEach(() => {
    logged.length = 0;
    events.length = 0;
    calls.length = 0;
    served = deferred<void>();
    messageBuilds = 0;
    connectionBuilds = 0;
  });

  function wasServed(): Promise<void> {
    return within(served.promise, WAIT, 'the hooks to finish');
  }

  describe('a message handler behind a small receive queue (back-pressure)', () => {
    forEachTransport(
      () =>
        new App({
          settings: { logError: (_message, error) => logged.push(error), websocket: { heartbeatInterval: 0, receiveQueue: 2 } },
          routes: [new WebSocketRoute('/say', say)],
        }),
      (transport) => {
        it('pauses while the handler is busy and resumes, losing nothing and keeping the order', async () => {
          const peer = await transport().open('/say');
          const texts = Array.from({ length: 12 }, (_, i) => `m${i}`);
          for (const text of texts) peer.sendJson({ text, wait: 2 });
          for (const text of texts) assert.deepEqual(await peer.receiveJson(), { echo: text });
          assert.deepEqual(calls, texts);
          await peer.close();
          assert.deepEqual(logged, []);
        });
      },
    );
  });

  forEachTransport(
    () => makeApp(),
    (transport) => {
      describe('message handlers (inject Message)', () => {
        it('run once per message, in order, even when an earlier one takes longer', async () => {
          const peer = await transport().open('/say');
          peer.sendJson({ text: 'slow', wait: 20 });
          peer.sendJson({ text: 'fast' });
          peer.sendJson({ text: 'third', wait: 5 });
          assert.deepEqual(await peer.receiveJson(), { echo: 'slow' });
          assert.deepEqual(await peer.receiveJson(), { echo: 'fast' });
          assert.deepEqual(await peer.receiveJson(), { echo: 'third' });
          assert.deepEqual(calls, ['slow', 'fast', 'third']);
          await peer.close();
        });

        it('answer a burst to a synchronous handler in order, one reply per message', async () => {
          const peer = await transport().open('/double');
          for (let n = 0; n < 200; n++) peer.sendJson({ n });
          for (let n = 0; n < 200; n++) assert.deepEqual(await peer.receiveJson(), { double: n * 2 });
          await peer.close();
        });

        it('hand over the messages queued behind a busy handler after the peer closed, before onResponse', async () => {
          const peer = await transport().open('/hooked/slow-messages');
          peer.sendJson('slow');
          peer.sendJson('second');
          peer.sendJson('third');
          await peer.close();
          await wasServed();
          assert.deepEqual(events, [
            'outer.onRequest',
            'inner.onRequest',
            'handler slow',
            'handler second',
            'handler third',
            'inner.onResponse (closed)',
            'outer.onResponse (closed)',
          ]);
        });

        it('fail the connection with 1011, naming the route, when a hook left a receive waiting for the handler', async () => {
          const ending = await transport().ending('/receive-in-hook');
          assert.equal(ending.code, status.WS_1011_INTERNAL_ERROR);
          assert.equal(logged.length, 1);
          assert.match(String(logged[0]), /\/receive-in-hook: messages are already being received/);
        });

        it("make receive() in a message handler a clear error (its socket's messages go to the handler), closing 1011", async () => {
          const peer = await transport().open('/receive-in-handler');
          peer.sendJson({});
          const close = await within(peer.closed, WAIT, 'the close');
          assert.equal(close.code, status.WS_1011_INTERNAL_ERROR);
          assert.equal(logged.length, 1);
          assert.match(String(logged[0]), /\/receive-in-handler: receive\(\) on a message handler's socket/);
        });

        it('send nothing when the handler returns undefined', async () => {
          const peer = await transport().open('/say');
          peer.sendJson({ text: 'quiet', silent: true });
          peer.sendJson({ text: 'loud' });
          // The first reply is the second message's: the first sent nothing.
          assert.deepEqual(await peer.receiveJson(), { echo: 'loud' });
          assert.deepEqual(calls, ['quiet', 'loud']);
          await peer.close();
        });

        it("build 'message'-scoped components anew per message and 'request'-scoped ones once per connection", async () => {
          const first = await transport().open('/scoped');
          const replies: unknown[] = [];
          for (let i = 0; i < 3; i++) {
            first.sendJson({ i });
            replies.push(await first.receiveJson());
          }
          assert.deepEqual(replies, [
            { message: 1, shared: true, connection: 1 },
            { message: 2, shared: true, connection: 1 },
            { message: 3, shared: true, connection: 1 },
          ]);
          await first.close();
          const second = await transport().open('/scoped');
          second.sendJson({ i: 4 });
          assert.deepEqual(await second.receiveJson(), { message: 4, shared: true, connection: 2 });
          await second.close();
          assert.deepEqual([messageBuilds, connectionBuilds], [4, 2]);
        });

        it('close 1007 with a short reason on invalid JSON', async () => {
          const peer = await transport().open('/double');
          peer.send('{"n": ');
          const close = await within(peer.closed, WAIT, 'the close');
          assert.equal(close.code, status.WS_1007_INVALID_FRAME_PAYLOAD_DATA);
          assert.match(close.reason, /^Invalid JSON message/);
          assert.ok(Buffer.byteLength(close.reason) <= 123);
          assert.deepEqual(logged, []);
        });

        it('close 1007 naming the problem when the message fails the schema', async () => {
          const peer = await transport().open('/double');
          peer.sendJson({ n: 2 });
          assert.deepEqual(await peer.receiveJson(), { double: 4 });
          peer.sendJson({ n: 'two' });
          const close = await within(peer.closed, WAIT, 'the close');
          assert.deepEqual([close.code, close.reason], [status.WS_1007_INVALID_FRAME_PAYLOAD_DATA, 'Invalid message: /n must be integer']);
        });

        it("with onInvalidMessage: 'reply', answer {type: 'error', detail, errors} and stay open", async () => {
          const peer = await transport().open('/double-reply');
          peer.send('not json');
          const badJson = (await peer.receiveJson()) as { type: string; detail: string; errors: unknown[] };
          assert.equal(badJson.type, 'error');
          assert.match(badJson.detail, /^Invalid JSON message/);
          assert.deepEqual(badJson.errors, []);

          peer.sendJson({ n: 'two' });
          const badShape = (await peer.receiveJson()) as {
            type: string;
            detail: string;
            errors: { instancePath: string; keyword: string }[];
          };
          assert.equal(badShape.type, 'error');
          assert.equal(badShape.detail, 'Invalid message: /n must be integer');
          assert.equal(badShape.errors.length, 1);
          assert.deepEqual([badShape.errors[0].instancePath, badShape.errors[0].keyword], ['/n', 'type']);

          peer.sendJson({ n: 21 });
          assert.deepEqual(await peer.receiveJson(), { double: 42 });
          const close = await peer.close(4000, 'thanks');
          assert.equal(close.code, 4000);
        });
      });

      describe('hooks on WebSocket routes', () => {
        it('run onRequest in order before the handler and onResponse in reverse after it', async () => {
          const ending = await transport().ending('/hooked/ok');
          assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
          await wasServed();
          assert.deepEqual(events, [
            'outer.onRequest',
            'inner.onRequest',
            'handler',
            'inner.onResponse (connected)',
            'outer.onResponse (connected)',
          ]);
        });

        it('run onError in reverse, and no onResponse, when the handler throws', async () => {
          const ending = await transport().ending('/hooked/fail');
          assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
          await wasServed();
          assert.deepEqual(events, [
            'outer.onRequest',
            'inner.onRequest',
            'handler',
            'inner.onError (handler failed)',
            'outer.onError (handler failed)',
          ]);
        });

        it('run onResponse, not onError, when the handler ends because the peer left', async () => {
          const peer = await transport().open('/hooked/left');
          assert.equal(await peer.receiveText(), 'ready');
          await peer.close(4000, 'bye');
          await wasServed();
          assert.deepEqual(events, [
            'outer.onRequest',
            'inner.onRequest',
            'handler',
            'inner.onResponse (closed)',
            'outer.onResponse (closed)',
          ]);
          assert.deepEqual(logged, []);
        });

        it("run onRequest once at connect and onResponse once after a message handler's last message", async () => {
          const peer = await transport().open('/hooked/messages');
          peer.sendJson('a');
          assert.equal(await peer.receiveJson(), 'A');
          peer.sendJson('b');
          assert.equal(await peer.receiveJson(), 'B');
          assert.deepEqual(events, ['outer.onRequest', 'inner.onRequest', 'handler a', 'handler b']);
          await peer.close();
          await wasServed();
          assert.deepEqual(events.slice(4), ['inner.onResponse (closed)', 'outer.onResponse (closed)']);
        });

        it('turn an HTTPException from onRequest into a refusal, skipping the handler, running onError', async () => {
          const refusal = await transport().refusal('/hooked/ok?deny');
          assert.equal(refusal.status, status.HTTP_401_UNAUTHORIZED);
          assert.deepEqual(JSON.parse(refusal.body), { detail: 'Denied by hook' });
          await wasServed();
          assert.deepEqual(events, [
            'outer.onRequest',
            'inner.onRequest',
            'inner.onError (Denied by hook)',
            'outer.onError (Denied by hook)',
          ]);
        });

        it('turn a WebSocketException from onRequest into accept-then-close', async () => {
          const ending = await transport().ending('/hooked/ok?kick');
          assert.deepEqual([ending.code, ending.reason], [4001, 'Kicked by hook']);
          await wasServed();
          assert.ok(!events.includes('handler'));
        });

        it('turn a Response returned by onRequest into that HTTP refusal, skipping the handler', async () => {
          const refusal = await transport().refusal('/hook-response');
          assert.equal(refusal.status, status.HTTP_401_UNAUTHORIZED);
          assert.deepEqual(JSON.parse(refusal.body), { detail: 'Not for you' });
          assert.equal(refusal.headers['x-why'], 'hook');
          assert.deepEqual(events, []);
        });

        it('close as the table says when onRequest returns a Response after it accepted (401 → 3000)', async () => {
          const ending = await transport().ending('/hook-response?accepted');
          assert.deepEqual([ending.code, ending.reason], [status.WS_3000_UNAUTHORIZED, 'Unauthorized']);
          assert.deepEqual(events, []);
        });

        it('let onResponse send on a socket the handler left open, before the automatic close 1000 (API Star)', async () => {
          const ending = await transport().ending('/goodbye');
          assert.deepEqual(ending.messages, ['hello', JSON.stringify({ status: 'ok', message: 'Have a nice Day!' })]);
          assert.equal(ending.code, status.WS_1000_NORMAL_CLOSURE);
        });
      });

      describe('the close-code table', () => {
        describe('HTTPException', () => {
          for (const code of [400, 401, 403, 404, 422, 429, 503]) {
            it(`before accept: HTTP ${code} with JSON {detail}`, async () => {
              const refusal = await transport().refusal(`/raise/before/http-${code}`);
              assert.equal(refusal.status, code);
              assert.deepEqual(JSON.parse(refusal.body), { detail: STATUS_CODES[code] });
              assert.match(String(refusal.headers['content-type']), /^application\/json/);
              assert.deepEqual(logged, []);
            });
          }

          it('before accept: its detail and headers reach the HTTP response', async () => {
            const refusal = await transport().refusal('/raise/before/unauthorized-detail');
            assert.equal(refusal.status, status.HTTP_401_UNAUTHORIZED);
            assert.deepEqual(JSON.parse(refusal.body), { detail: 'Log in first' });
            assert.equal(refusal.headers['www-authenticate'], 'Bearer');
          });

          const afterAccept: [number, number][] = [
            [401, status.WS_3000_UNAUTHORIZED],
            [403, status.WS_3003_FORBIDDEN],
            [408, status.WS_3008_TIMEOUT],
            [413, status.WS_1009_MESSAGE_TOO_BIG],
            [503, status.WS_1013_TRY_AGAIN_LATER],
            [500, status.WS_1011_INTERNAL_ERROR],
            [404, 4404],
            [422, 4422],
            [400, 4400],
            [429, 4429],
            [502, status.WS_1011_INTERNAL_ERROR],
          ];
          for (const [code, close] of afterAccept) {
            it(`after accept: HTTP ${code} closes ${close}`, async () => {
              const ending = await transport().ending(`/raise/after/http-${code}`);
              assert.deepEqual([ending.code, ending.reason], [close, STATUS_CODES[code]]);
              assert.deepEqual(logged, []);
            });
          }
        });

        describe('WebSocketException', () => {
          it('before accept: accepts, then closes with its code and reason', async () => {
            const ending = await transport().ending('/raise/before/ws');
            assert.deepEqual([ending.code, ending.reason], [4321, 'custom reason']);
          });

          it('after accept: closes with its code and reason', async () => {
            const ending = await transport().ending('/raise/after/ws');
            assert.deepEqual([ending.code, ending.reason], [4321, 'custom reason']);
          });

          for (const when of ['before', 'after']) {
            for (const kind of ['ws-reserved', 'ws-out-of-range']) {
              it(`${when} accept: an unsendable code (${kind}) closes 1011 instead, and is reported`, async () => {
                const ending = await transport().ending(`/raise/${when}/${kind}`);
                assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
                assert.equal(logged.length, 1);
                assert.ok(logged[0] instanceof WebSocketException);
              });
            }
          }
        });

        describe('WebSocketProtocolError', () => {
          for (const when of ['before', 'after']) {
            it(`${when} accept: closes 1002 with its reason`, async () => {
              const ending = await transport().ending(`/raise/${when}/protocol`);
              assert.deepEqual([ending.code, ending.reason], [status.WS_1002_PROTOCOL_ERROR, 'Speak chat.v1']);
            });
          }
        });

        describe('ValidationError', () => {
          it('after accept: closes 1007 with its message', async () => {
            const ending = await transport().ending('/raise/after/validation');
            assert.deepEqual([ending.code, ending.reason], [status.WS_1007_INVALID_FRAME_PAYLOAD_DATA, 'Bad shape']);
            assert.deepEqual(logged, []);
          });
        });

        describe('any other error', () => {
          it('before accept: HTTP 500 without details, reported', async () => {
            const refusal = await transport().refusal('/raise/before/boom');
            assert.equal(refusal.status, status.HTTP_500_INTERNAL_SERVER_ERROR);
            assert.deepEqual(JSON.parse(refusal.body), { detail: 'Internal Server Error' });
            assert.equal(logged.length, 1);
            assert.equal((logged[0] as Error).message, 'secret detail');
          });

          it('after accept: 1011 "Internal Error" without details, reported', async () => {
            const ending = await transport().ending('/raise/after/boom');
            assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
            assert.equal(logged.length, 1);
            assert.equal((logged[0] as Error).message, 'secret detail');
          });

          it('after accept: a thrown non-Error closes 1011 too', async () => {
            const ending = await transport().ending('/raise/after/string');
            assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
            assert.deepEqual(logged, ['a thrown string']);
          });
        });

        describe('reasons over 123 bytes', () => {
          it('are cut on a character boundary (3-byte characters)', async () => {
            const ending = await transport().ending('/raise/after/long-http');
            assert.deepEqual([ending.code, ending.reason], [status.WS_3003_FORBIDDEN, '€'.repeat(41)]);
          });

          it('never split a character that would straddle byte 123', async () => {
            const ending = await transport().ending('/raise/after/long-ws');
            assert.deepEqual([ending.code, ending.reason], [4000, 'a'.repeat(121)]);
          });
        });
      });
    },
  );

  describe('with settings.debug', () => {
    forEachTransport(
      () => makeApp({ debug: true }),
      (transport) => {
        it('before accept: HTTP 500 names the error', async () => {
          const refusal = await transport().refusal('/raise/before/boom');
          assert.equal(refusal.status, status.HTTP_500_INTERNAL_SERVER_ERROR);
          assert.deepEqual(JSON.parse(refusal.body), { detail: 'Error: secret detail' });
        });

        it("after accept: 1011 carries the error's name and message", async () => {
          const ending = await transport().ending('/raise/after/boom');
          assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Error: secret detail']);
        });

        it('after accept: a long message is cut on a character boundary (2-byte characters)', async () => {
          const ending = await transport().ending('/raise/after/long-boom');
          // "Error: " is 7 bytes; 58 × "é" is 116 more: 123 in all.
          assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, `Error: ${'é'.repeat(58)}`]);
        });

        it('after accept: a thrown non-Error has no details to give', async () => {
          const ending = await transport().ending('/raise/after/string');
          assert.deepEqual([ending.code, ending.reason], [status.WS_1011_INTERNAL_ERROR, 'Internal Error']);
        });
      },
    );
  });
});
