import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Message } from '../../../components/message';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { JSONResponse } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { REMOTE_SPAN_ID, REMOTE_TRACE_ID, SpanKind, SpanStatusCode, TRACEPARENT, TracingSdk } from '../../support/tracing-sdk';
import { liveRefusal, liveUrl, openLive } from '../../support/ws-client';

describe('tracing: WebSocket connection and message spans', () => {
  let sdk: TracingSdk;
  let app: App;
  let server: Server;

  beforeEach(async () => {
    sdk = new TracingSdk();
    app = new App({
      settings: { logError: () => {} },
      tracing: { tracer: sdk.tracer },
      routes: [
        new WebSocketRoute(
          '/rooms/{room}',
          inject([Message()], (message) => {
            if ((message as { fail?: boolean }).fail) throw new Error('bad message');
            return { echo: message };
          }),
        ),
      ],
    });
    server = await app.listen(0);
  });

  afterEach(async () => {
    await app.close();
    server.close();
    await sdk.shutdown();
  });

  it('makes a connection span from upgrade to close, with the close code, child of the traceparent', async () => {
    const ws = await openLive(liveUrl(server, '/rooms/7'), { headers: { traceparent: TRACEPARENT } });
    ws.sendJson({ hi: 1 });
    assert.deepEqual(await ws.receiveJson(), { echo: { hi: 1 } });
    await ws.close(4000, 'bye');
    const span = await sdk.waitFor('WS /rooms/{room}');
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.attributes['http.route'], '/rooms/{room}');
    assert.equal(span.attributes['url.path'], '/rooms/7');
    assert.equal(span.attributes['websocket.close.code'], 4000);
    assert.equal(span.spanContext().traceId, REMOTE_TRACE_ID);
    assert.equal(span.parentSpanContext?.spanId, REMOTE_SPAN_ID);
  });

  it('makes a child span per handled message; a throwing handler errors its message span and the 1011-closed connection span', async () => {
    const ws = await openLive(liveUrl(server, '/rooms/1'));
    ws.sendJson({ n: 1 });
    await ws.receiveJson();
    ws.sendJson({ fail: true });
    const closed = await ws.closed;
    assert.equal(closed.code, 1011);
    const connection = await sdk.waitFor('WS /rooms/{room}');
    assert.equal(connection.attributes['websocket.close.code'], 1011);
    assert.equal(connection.status.code, SpanStatusCode.ERROR);
    const messages = sdk.spans().filter((span) => span.name === 'WS /rooms/{room} message');
    assert.equal(messages.length, 2);
    for (const message of messages) {
      assert.equal(message.parentSpanContext?.spanId, connection.spanContext().spanId);
      assert.equal(message.spanContext().traceId, connection.spanContext().traceId);
    }
    assert.deepEqual(
      messages.map((message) => message.status.code),
      [SpanStatusCode.UNSET, SpanStatusCode.ERROR],
    );
    assert.equal(messages[1].status.message, 'bad message');
  });
});

describe('tracing: refused WebSocket handshakes', () => {
  let sdk: TracingSdk;
  let app: App;
  let server: Server;

  beforeEach(async () => {
    sdk = new TracingSdk();
    const open = inject([WebSocket], async (ws) => {
      await ws.accept();
      for await (const message of ws) void message;
    });
    app = new App({
      settings: { logError: () => {}, websocket: { maxConnections: 1 } },
      tracing: { tracer: sdk.tracer },
      routes: [
        new WebSocketRoute('/open', open),
        new WebSocketRoute('/guarded', open, {
          hooks: [{ onRequest: () => new JSONResponse({ detail: 'who are you?' }, { status: 401 }) }],
        }),
      ],
    });
    server = await app.listen(0);
  });

  afterEach(async () => {
    await app.close();
    server.close();
    await sdk.shutdown();
  });

  it('gives an upgrade refused before routing a WS span without http.route: 404 unrouted, 400 malformed', async () => {
    assert.equal((await liveRefusal(liveUrl(server, '/nowhere'), { headers: { traceparent: TRACEPARENT } })).status, 404);
    const unrouted = await sdk.waitFor('WS');
    assert.equal(unrouted.kind, SpanKind.SERVER);
    assert.deepEqual(unrouted.attributes, {
      'url.path': '/nowhere',
      'network.protocol.name': 'websocket',
      'http.response.status_code': 404,
    });
    assert.equal(unrouted.status.code, SpanStatusCode.UNSET);
    assert.equal(unrouted.parentSpanContext?.spanId, REMOTE_SPAN_ID);
    assert.equal((await liveRefusal(liveUrl(server, '/%zz'))).status, 400);
    const [, malformed] = await waitForSpans(sdk, 'WS', 2);
    assert.equal(malformed.attributes['url.path'], '/%zz');
    assert.equal(malformed.attributes['http.response.status_code'], 400);
    assert.equal(malformed.attributes['http.route'], undefined);
  });

  it('gives a handshake refused by the connection cap or a hook its route span, with the status and no close code', async () => {
    const first = await openLive(liveUrl(server, '/open'));
    assert.equal((await liveRefusal(liveUrl(server, '/open?second'))).status, 503);
    const capped = (await waitForSpans(sdk, 'WS /open', 1))[0];
    assert.equal(capped.attributes['http.route'], '/open');
    assert.equal(capped.attributes['http.response.status_code'], 503);
    assert.equal(capped.status.code, SpanStatusCode.ERROR, 'a 5xx refusal is the server failing to serve');
    await first.close(1000);
    assert.equal((await liveRefusal(liveUrl(server, '/guarded'))).status, 401);
    const guarded = await sdk.waitFor('WS /guarded');
    assert.equal(guarded.attributes['http.response.status_code'], 401);
    assert.equal(guarded.attributes['websocket.close.code'], undefined);
    assert.equal(guarded.status.code, SpanStatusCode.UNSET);
  });
});

/** Waits until `count` spans named `name` have finished; they are returned in the order they ended. */
async function waitForSpans(sdk: TracingSdk, name: string, count: number): Promise<ReadableSpan[]> {
  const until = Date.now() + 2000;
  for (;;) {
    const found = sdk.spans().filter((span) => span.name === name);
    if (found.length >= count || Date.now() > until) {
      assert.equal(found.length, count, `spans named ${name}`);
      return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
