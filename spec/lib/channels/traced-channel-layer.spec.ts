import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { frameworkMessage, isFrameworkMessage } from '../../../lib/channels/channel-layer';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import { deliveryOf, TracedChannelLayer } from '../../../lib/channels/traced-channel-layer';
import { Tracing } from '../../../lib/tracing/tracing';
import { layerOpener } from '../../support/redis-layers';
import { SpanKind, TracingSdk } from '../../support/tracing-sdk';

describe('TracedChannelLayer', () => {
  let sdk: TracingSdk;
  let tracing: Tracing;

  beforeEach(() => {
    sdk = new TracingSdk();
    tracing = new Tracing({ tracer: sdk.tracer });
  });

  afterEach(() => sdk.shutdown());

  it('makes a producer span per send and strips the trace fields before delivery', async () => {
    const layer = new TracedChannelLayer(new InMemoryChannelLayer(), tracing);
    const inbox = await layer.newChannel('worker');
    const sent = { type: 'job.start', id: 1 };
    await layer.send(inbox, sent);
    assert.deepEqual(sent, { type: 'job.start', id: 1 }, 'the sender’s message is not changed');
    const received = await layer.receive(inbox);
    assert.deepEqual(received, { type: 'job.start', id: 1 });
    const producer = sdk.span(`send ${inbox}`);
    assert.equal(producer.kind, SpanKind.PRODUCER);
    assert.equal(producer.attributes['messaging.destination.name'], inbox);
    const delivery = deliveryOf(received);
    assert.ok(delivery, 'the received message has a trace context');
    assert.equal(await delivery.handle(() => 'handled'), 'handled');
    const consumer = sdk.span(`process ${inbox}`);
    assert.equal(consumer.kind, SpanKind.CONSUMER);
    assert.equal(consumer.parentSpanContext?.spanId, producer.spanContext().spanId);
    await layer.close();
  });

  it('keeps the mark of Starwire’s own messages on the copy it sends and on the one it delivers', async () => {
    const layer = new TracedChannelLayer(new InMemoryChannelLayer(), tracing);
    const inbox = await layer.newChannel('rt');
    await layer.groupAdd('rt.all', inbox);
    const result = await layer.groupSend('rt.all', frameworkMessage({ type: 'rt.event' }));
    assert.equal(result.delivered, 1);
    assert.ok(isFrameworkMessage(await layer.receive(inbox)));
    await layer.close();
  });

  describe('across processes (two Redis layers)', () => {
    const layers = layerOpener();
    afterEach(() => layers.closeAll());

    it('continues the publisher’s trace in the consumer of another layer, for groupSend and send', async () => {
      const publisher = new TracedChannelLayer(await layers.open(), tracing);
      const subscriber = new TracedChannelLayer(await layers.open(), tracing);
      const inbox = await subscriber.newChannel('chat');
      await subscriber.groupAdd('room-1', inbox);
      const result = await publisher.groupSend('room-1', { type: 'chat.message', text: 'hi' });
      assert.equal(result.remote, 'sent');
      const message = await subscriber.receive(inbox);
      assert.deepEqual(message, { type: 'chat.message', text: 'hi' });
      await deliveryOf(message)?.handle(() => undefined);
      const producer = sdk.span('publish room-1');
      const consumer = sdk.span(`process ${inbox}`);
      assert.equal(consumer.spanContext().traceId, producer.spanContext().traceId);
      assert.equal(consumer.parentSpanContext?.spanId, producer.spanContext().spanId);
      assert.equal(consumer.parentSpanContext?.isRemote, true);

      await publisher.send(inbox, { type: 'direct' });
      const direct = await subscriber.receive(inbox);
      assert.deepEqual(direct, { type: 'direct' });
      await deliveryOf(direct)?.handle(() => undefined);
      const sendSpan = sdk.span(`send ${inbox}`);
      const processed = sdk.spans().filter((span) => span.name === `process ${inbox}`);
      assert.equal(processed[1].parentSpanContext?.spanId, sendSpan.spanContext().spanId);
    });

    it('continues the trace of a message published by a child process', async () => {
      const subscriber = new TracedChannelLayer(await layers.open(), tracing);
      const inbox = await subscriber.newChannel('jobs');
      await subscriber.groupAdd('jobs', inbox);
      const script = join(__dirname, '..', '..', 'support', 'traced-publisher.js');
      const output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [script, layers.prefix, 'jobs'], { timeout: 10_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      const published = JSON.parse(output) as { remote: string; traceId: string; spanId: string };
      assert.equal(published.remote, 'sent');
      const message = await subscriber.receive(inbox);
      assert.equal(message.type, 'job.start');
      assert.notEqual(message.pid, process.pid);
      assert.equal(message.__traceparent, undefined);
      await deliveryOf(message)?.handle(() => undefined);
      const consumer = sdk.span(`process ${inbox}`);
      assert.equal(consumer.spanContext().traceId, published.traceId);
      assert.equal(consumer.parentSpanContext?.spanId, published.spanId);
    });
  });
});
