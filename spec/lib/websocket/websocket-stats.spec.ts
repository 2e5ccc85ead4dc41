import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import type { SettingsInput } from '../../../lib/config/settings';
import { HTTPException } from '../../../lib/errors/exceptions';
import { JSONResponse } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { WebSocketDenied } from '../../../lib/testing/test-websocket';
import { deferred, liveRefusal, liveUrl, openLive, within } from '../../support/ws-client';

const open = inject([WebSocket], async (ws) => {
  await ws.accept();
  for await (const message of ws) void message;
});

/** Sends a raw upgrade request and resolves to the status line's code. */
function rawUpgrade(server: Server, head: string): Promise<number> {
  const { port } = server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', reject);
  });
}

describe('WebSocket refusals counted by reason (lib/websocket/websocket-stats.ts)', () => {
  const apps: App[] = [];
  const servers: Server[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const server of servers.splice(0)) server.close();
  });

  async function serve(routes: WebSocketRoute[], settings: SettingsInput = {}): Promise<{ app: App; server: Server }> {
    const app = new App({ routes, settings: { logError: () => {}, ...settings } });
    apps.push(app);
    const server = await app.listen(0);
    servers.push(server);
    return { app, server };
  }

  it('tells the connection caps (cap 503, cap_per_ip 429) apart from other refusals', async () => {
    const { app, server } = await serve([new WebSocketRoute('/ws', open)], { websocket: { maxConnections: 1 } });
    const first = await openLive(liveUrl(server, '/ws'));
    assert.equal((await liveRefusal(liveUrl(server, '/ws'))).status, 503);
    assert.deepEqual(app.stats().rejectedByReason, { cap: { 503: 1 } });
    await first.close(1000);

    const perIp = await serve([new WebSocketRoute('/ws', open)], { websocket: { maxConnectionsPerIp: 1 } });
    const mine = await openLive(liveUrl(perIp.server, '/ws'));
    assert.equal((await liveRefusal(liveUrl(perIp.server, '/ws'))).status, 429);
    assert.deepEqual(perIp.app.stats().rejectedByReason, { cap_per_ip: { 429: 1 } });
    await mine.close(1000);
  });

  it('counts a 503 of shutdown as shutdown, both for a pending handshake and at admission', async () => {
    const entered = deferred<void>();
    const gate = deferred<void>();
    const held = new WebSocketRoute('/held', open, {
      hooks: [
        {
          onRequest: () => {
            entered.resolve();
            return gate.promise;
          },
        },
      ],
    });
    const { app, server } = await serve([held]);
    const pending = liveRefusal(liveUrl(server, '/held'));
    await within(entered.promise, 2000, 'the hook to run');
    const closing = app.close();
    assert.equal((await pending).status, 503);
    gate.resolve();
    await within(closing, 3000, 'app.close()');
    // The app is closed: the TestClient still reaches its admission, which refuses.
    await assert.rejects(
      new TestClient(app).websocket('/held'),
      (error: unknown) => error instanceof WebSocketDenied && error.status === 503,
    );
    assert.deepEqual(app.stats().rejectedByReason, { shutdown: { 503: 2 } });
  });

  it('counts the handshake timeout (408)', async () => {
    const gate = deferred<void>();
    const slow = new WebSocketRoute('/slow', open, { hooks: [{ onRequest: () => gate.promise }] });
    const { app, server } = await serve([slow], { websocket: { handshakeTimeout: 50 } });
    assert.equal((await liveRefusal(liveUrl(server, '/slow'))).status, 408);
    gate.resolve();
    assert.deepEqual(app.stats().rejectedByReason, { handshake_timeout: { 408: 1 } });
  });

  it('counts hooks, handlers and handlers that never accepted apart', async () => {
    const answers = new WebSocketRoute('/answers', open, {
      hooks: [{ onRequest: () => new JSONResponse({ detail: 'no' }, { status: 401 }) }],
    });
    const raises = new WebSocketRoute('/raises', open, {
      hooks: [
        {
          onRequest: () => {
            throw new HTTPException(403, 'forbidden');
          },
        },
      ],
    });
    const handlerRaises = new WebSocketRoute(
      '/handler-raises',
      inject([], () => {
        throw new HTTPException(409, 'busy');
      }),
    );
    const handlerRefuses = new WebSocketRoute(
      '/handler-refuses',
      inject([WebSocket], (ws) => ws.refuse(451, '{"detail":"unavailable"}')),
    );
    const never = new WebSocketRoute(
      '/never',
      inject([], () => {}),
    );
    const { app, server } = await serve([answers, raises, handlerRaises, handlerRefuses, never]);
    assert.equal((await liveRefusal(liveUrl(server, '/answers'))).status, 401);
    assert.equal((await liveRefusal(liveUrl(server, '/raises'))).status, 403);
    assert.equal((await liveRefusal(liveUrl(server, '/handler-raises'))).status, 409);
    assert.equal((await liveRefusal(liveUrl(server, '/handler-refuses'))).status, 451);
    assert.equal((await liveRefusal(liveUrl(server, '/never'))).status, 403);
    assert.deepEqual(app.stats().rejectedByReason, {
      hook: { 401: 1, 403: 1 },
      handler: { 409: 1, 451: 1 },
      not_accepted: { 403: 1 },
    });
    assert.deepEqual(app.stats().rejectedByStatus, { 401: 1, 403: 2, 409: 1, 451: 1 });
  });

  it('counts bad handshakes, malformed paths and unrouted paths at the upgrade listener', async () => {
    const { app, server } = await serve([new WebSocketRoute('/ws', open)]);
    const upgrade = (path: string, version = '13') =>
      rawUpgrade(
        server,
        [
          `GET ${path} HTTP/1.1`,
          'Host: localhost',
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          `Sec-WebSocket-Version: ${version}`,
        ].join('\r\n'),
      );
    assert.equal(await upgrade('/ws', '7'), 426);
    assert.equal(await upgrade('/%zz'), 400);
    assert.equal(await upgrade('/elsewhere'), 404);
    assert.deepEqual(app.stats().rejectedByReason, { bad_request: { 400: 1, 426: 1 }, not_found: { 404: 1 } });
    // The TestClient's malformed path is counted the same way.
    await assert.rejects(
      new TestClient(app).websocket('/%zz'),
      (error: unknown) => error instanceof WebSocketDenied && error.status === 400,
    );
    assert.deepEqual(app.stats().rejectedByReason.bad_request, { 400: 2, 426: 1 });
    // app.stats() hands out a copy.
    const copy = app.stats().rejectedByReason.bad_request;
    assert.ok(copy);
    copy[400] = 99;
    assert.equal(app.stats().rejectedByReason.bad_request?.[400], 2);
  });
});
