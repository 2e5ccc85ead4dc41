import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { App } from '../../../lib/app';
import { RedisRealtimeStore } from '../../../lib/realtime/redis-store';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { chat } from '../../support/realtime-app';
import { connectAdmin, deleteKeys, REDIS_URL } from '../../support/redis-admin';
import { layerOpener } from '../../support/redis-layers';
import { SpanKind, TracingSdk } from '../../support/tracing-sdk';
import { type LiveSocket, liveUrl, openLive } from '../../support/ws-client';

async function next(ws: LiveSocket, type: string): Promise<Record<string, unknown>> {
  for (;;) {
    const message = (await ws.receiveJson()) as Record<string, unknown>;
    if (message.type === type) return message;
  }
}

describe('tracing with app.realtime: rooms work through the traced channel layer', () => {
  const layers = layerOpener();
  let sdk: TracingSdk;
  const apps: App[] = [];
  const servers: Server[] = [];

  beforeEach(() => {
    sdk = new TracingSdk();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const server of servers.splice(0)) server.close();
    await layers.closeAll();
    await sdk.shutdown();
  });

  async function start(): Promise<Server> {
    const app = new App({
      settings: { logError: () => {} },
      tracing: { tracer: sdk.tracer },
      channelLayer: await layers.open(),
      routes: [new WebSocketRoute('/chat', chat)],
    });
    apps.push(app);
    const server = await app.listen(0);
    servers.push(server);
    return server;
  }

  it('delivers a room broadcast over a traced Redis layer, with publish spans for Starwire’s own groups', async () => {
    const one = await start();
    await apps[0].realtime.createRoom({ id: 'lobby' });
    const alice = await openLive(liveUrl(one, '/chat?user=alice'));
    const bob = await openLive(liveUrl(one, '/chat?user=bob'));
    await next(alice, 'ready');
    await next(bob, 'ready');
    for (const ws of [alice, bob]) {
      ws.sendJson({ op: 'join', room: 'lobby' });
      await next(ws, 'ok');
    }
    alice.sendJson({ op: 'say', room: 'lobby', text: 'hi bob' });
    const said = await next(bob, 'said');
    assert.equal(said.text, 'hi bob');
    assert.equal(said.__traceparent, undefined);
    await alice.close(1000);
    await bob.close(1000);
    const producers = sdk.spans().filter((span) => span.kind === SpanKind.PRODUCER);
    assert.ok(
      producers.some((span) => String(span.attributes['messaging.destination.name']).startsWith('rt.')),
      `no publish to an rt. group among ${producers.map((span) => span.name).join(', ')}`,
    );
  });
});

describe('tracing realtime deliveries across two apps sharing one Redis channel layer', () => {
  const layers = layerOpener();
  let sdk: TracingSdk;
  const apps: App[] = [];
  const servers: Server[] = [];
  const stores: RedisRealtimeStore[] = [];

  beforeEach(() => {
    sdk = new TracingSdk();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const server of servers.splice(0)) server.close();
    for (const store of stores.splice(0)) await store.close();
    await layers.closeAll();
    const admin = await connectAdmin();
    await deleteKeys(admin, layers.prefix);
    admin.disconnect();
    await sdk.shutdown();
  });

  /** One app (a process) of the pair: its own layer and store over the shared Redis, its own tracer name. */
  async function start(name: string, historyLimit: number): Promise<Server> {
    const store = new RedisRealtimeStore({ url: REDIS_URL, prefix: layers.prefix });
    stores.push(store);
    const app = new App({
      settings: { logError: () => {} },
      tracing: { tracer: sdk.provider.getTracer(name) },
      channelLayer: await layers.open(),
      realtime: { store, historyLimit },
      routes: [new WebSocketRoute('/chat', chat)],
    });
    apps.push(app);
    await app.realtime.start();
    const server = await app.listen(0);
    servers.push(server);
    return server;
  }

  for (const [kind, historyLimit] of [
    ['a broadcast kept in history (published by the store)', 10],
    ['a broadcast without history (groupSend)', 0],
  ] as const) {
    it(`continues the publisher's trace in a consumer span of the receiving app: ${kind}`, async () => {
      const one = await start('app-one', historyLimit);
      const two = await start('app-two', historyLimit);
      await apps[0].realtime.createRoom({ id: 'lobby' });
      const alice = await openLive(liveUrl(one, '/chat?user=alice'));
      const bob = await openLive(liveUrl(two, '/chat?user=bob'));
      await next(alice, 'ready');
      await next(bob, 'ready');
      for (const ws of [alice, bob]) {
        ws.sendJson({ op: 'join', room: 'lobby' });
        await next(ws, 'ok');
      }
      alice.sendJson({ op: 'say', room: 'lobby', text: 'hi bob' });
      const said = await next(bob, 'said');
      assert.equal(said.text, 'hi bob');
      assert.equal(said.__traceparent, undefined, 'the trace fields never reach a client');
      await alice.close(1000);
      await bob.close(1000);

      const room = (name: string) => name.startsWith('rt.room.');
      const destination = (span: { attributes: Record<string, unknown> }) => String(span.attributes['messaging.destination.name']);
      const producer = sdk
        .spans()
        .find((span) => span.kind === SpanKind.PRODUCER && room(destination(span)) && span.instrumentationScope.name === 'app-one');
      assert.ok(
        producer,
        `no publish to the room among ${sdk
          .spans()
          .map((span) => span.name)
          .join(', ')}`,
      );
      const consumers = sdk
        .spans()
        .filter((span) => span.kind === SpanKind.CONSUMER && span.instrumentationScope.name === 'app-two' && room(destination(span)));
      assert.equal(consumers.length, 1, `consumer spans in app two: ${consumers.map((span) => span.name).join(', ')}`);
      const [consumer] = consumers;
      assert.equal(consumer.name, `process ${destination(producer)}`);
      assert.equal(destination(consumer), destination(producer));
      assert.equal(consumer.attributes['messaging.operation.name'], 'process');
      assert.equal(consumer.spanContext().traceId, producer.spanContext().traceId);
      assert.equal(consumer.parentSpanContext?.spanId, producer.spanContext().spanId);
      assert.equal(consumer.parentSpanContext?.isRemote, true);
    });
  }
});
