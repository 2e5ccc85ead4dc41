import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { Message } from '../../../components/message';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { REMOTE_SPAN_ID, REMOTE_TRACE_ID, SpanKind, SpanStatusCode, TRACEPARENT, TracingSdk } from '../../support/tracing-sdk';
import { liveUrl, openLive } from '../../support/ws-client';

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
