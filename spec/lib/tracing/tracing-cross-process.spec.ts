import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { App } from '../../../lib/app';
import type { ChannelMessage } from '../../../lib/channels/channel-layer';
import { JsonWebSocketConsumer } from '../../../lib/channels/consumer';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { layerOpener } from '../../support/redis-layers';
import { REMOTE_TRACE_ID, SpanKind, TRACEPARENT, TracingSdk } from '../../support/tracing-sdk';
import { liveUrl, openLive } from '../../support/ws-client';

class ChatConsumer extends JsonWebSocketConsumer {
  override groups = ['chat'];

  async chatMessage(event: ChannelMessage): Promise<void> {
    await this.sendJson({ text: event.text, keys: Object.keys(event).sort() });
  }
}

describe('tracing across processes: an HTTP request in one app reaches a consumer of another through Redis', () => {
  const layers = layerOpener();
  let sdk: TracingSdk;
  let manager: AsyncLocalStorageContextManager;
  let publisher: App;
  let subscriber: App;
  let server: Server;

  beforeEach(async () => {
    sdk = new TracingSdk();
    manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    publisher = new App({
      settings: { logError: () => {} },
      tracing: { tracer: sdk.tracer },
      channelLayer: await layers.open(),
      routes: [
        new Route('/say', 'POST', async () => {
          await publisher.channelLayer.groupSend('chat', { type: 'chat.message', text: 'hello' });
          return { sent: true };
        }),
      ],
    });
    subscriber = new App({
      settings: { logError: () => {} },
      tracing: { tracer: sdk.tracer },
      channelLayer: await layers.open(),
      routes: [new WebSocketRoute('/chat', ChatConsumer)],
    });
    server = await subscriber.listen(0);
  });

  afterEach(async () => {
    await subscriber.close();
    await publisher.close();
    server.close();
    await layers.closeAll();
    context.disable();
    await sdk.shutdown();
  });

  it('puts the request, the publish and the consumer’s handling in one trace, each the parent of the next', async () => {
    const ws = await openLive(liveUrl(server, '/chat'));
    // The consumer joined its group before connect(); its channel is subscribed once accepted.
    const res = await new TestClient(publisher).post('/say', { headers: { traceparent: TRACEPARENT } });
    assert.equal(res.status, 200);
    assert.deepEqual(await ws.receiveJson(), { text: 'hello', keys: ['text', 'type'] });
    await ws.close(1000);

    const request = await sdk.waitFor('POST /say');
    const publish = await sdk.waitFor('publish chat');
    const handling = sdk.spans().find((span) => span.name.startsWith('process ') && span.kind === SpanKind.CONSUMER);
    assert.ok(
      handling,
      `no consumer span among ${sdk
        .spans()
        .map((span) => span.name)
        .join(', ')}`,
    );
    for (const span of [request, publish, handling]) assert.equal(span.spanContext().traceId, REMOTE_TRACE_ID);
    assert.equal(publish.parentSpanContext?.spanId, request.spanContext().spanId);
    assert.equal(handling.parentSpanContext?.spanId, publish.spanContext().spanId);
  });
});
