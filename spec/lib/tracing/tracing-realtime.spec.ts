import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { App } from '../../../lib/app';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { chat } from '../../support/realtime-app';
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
