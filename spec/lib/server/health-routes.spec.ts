import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { App, healthRoutes, inject, RedisChannelLayer, TestClient, WebSocket, WebSocketRoute } from '../../../index';
import { getJson } from '../../support/cli-process';
import { freePort, startRedis, stopRedis } from '../../support/private-redis';
import { deferred, liveUrl, openLive, within } from '../../support/ws-client';

/** A WebSocket the handler holds open until the client or the shutdown closes it. */
const hold = new WebSocketRoute(
  '/hold',
  inject([WebSocket], async (ws) => {
    await ws.accept();
    for await (const message of ws) void message;
  }),
);

/** Polls `path` until its status is `want`, returning the last answer. */
async function until(port: number, path: string, want: number, ms: number): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await getJson(port, path);
    if (answer.status === want || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function head(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'HEAD', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('healthRoutes() and app.readiness() (lib/server/health-routes.ts)', function () {
  this.timeout(20_000);
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen(app: App): Promise<number> {
    const server = await app.listen(0);
    cleanups.push(() => app.close());
    return App.portOf(server);
  }

  it('GET /healthz is 200 {"status":"ok"}, /readyz 200 once listening; HEAD works, answers are not cached', async () => {
    const app = new App({ routes: [...healthRoutes(), hold] });
    assert.deepEqual(app.readiness(), { ready: false, reasons: ['starting'] });
    const port = await listen(app);
    const alive = await getJson(port, '/healthz');
    assert.equal(alive.status, 200);
    assert.deepEqual(alive.body, { status: 'ok' });
    assert.equal(alive.headers['cache-control'], 'no-store');
    const ready = await getJson(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ok' });
    assert.deepEqual(app.readiness(), { ready: true, reasons: [] });
    assert.equal(await head(port, '/readyz'), 200);
  });

  it('takes other paths, or leaves one out', async () => {
    const app = new App({ routes: healthRoutes({ liveness: '/-/alive', readiness: false }) });
    const client = new TestClient(app);
    assert.equal((await client.get('/-/alive')).status, 200);
    assert.equal((await client.get('/readyz')).status, 404);
    assert.equal((await client.get('/healthz')).status, 404);
    assert.equal((await new TestClient(new App({ routes: healthRoutes() })).get('/readyz')).status, 200);
  });

  it('/readyz is 503 "starting" until the startup handlers have finished (a server the app is attached to), /healthz 200 meanwhile', async () => {
    const slow = deferred<void>();
    const app = new App({ routes: healthRoutes(), onStartup: [() => slow.promise] });
    const server: Server = createServer(app.requestListener);
    app.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => app.close());
    const port = App.portOf(server);
    const starting = app.startup();
    const early = await getJson(port, '/readyz');
    assert.equal(early.status, 503);
    assert.deepEqual(early.body, { status: 'unavailable', reasons: ['starting'] });
    assert.equal((await getJson(port, '/healthz')).status, 200);
    slow.resolve();
    await starting;
    assert.equal((await getJson(port, '/readyz')).status, 200);
  });

  it('close({ drainDelay }) makes /readyz 503 "draining" at once, serves on, and only then closes WebSockets with 1001', async () => {
    const app = new App({ routes: [...healthRoutes(), hold] });
    const server = await app.listen(0);
    const port = App.portOf(server);
    const socket = await openLive(liveUrl(server, '/hold'));
    const started = Date.now();
    const closing = app.close({ drainDelay: 800 });
    const draining = await getJson(port, '/readyz');
    assert.equal(draining.status, 503);
    assert.deepEqual(draining.body, { status: 'unavailable', reasons: ['draining'] });
    assert.equal((await getJson(port, '/healthz')).status, 200, 'alive while draining');
    // A new WebSocket is still accepted during the delay: nothing is closed yet.
    const late = await openLive(liveUrl(server, '/hold'));
    assert.equal(socket.closeInfo, undefined);
    const [first, second] = await Promise.all([within(socket.closed, 5000, 'the close'), within(late.closed, 5000, 'the close')]);
    assert.ok(Date.now() - started >= 750, `closed after ${Date.now() - started} ms`);
    assert.deepEqual([first.code, second.code], [1001, 1001]);
    await closing;
  });

  describe('with the channel layer on Redis', () => {
    let redis: ChildProcess | undefined;
    afterEach(() => stopRedis(redis));

    it('/readyz is 503 "channel-layer-unreachable" while the redis-server is down, and 200 again once it is back', async () => {
      const redisPort = await freePort();
      redis = await startRedis(redisPort);
      const layer = new RedisChannelLayer({ url: `redis://127.0.0.1:${redisPort}`, connectTimeoutMs: 3000 });
      // The outage's connection errors are the spec's doing: keep them off standard error.
      layer.on('error', () => {});
      const app = new App({ routes: healthRoutes(), channelLayer: layer });
      assert.ok(app.readiness().reasons.includes('channel-layer-unreachable'), 'not reachable before it connects');
      await layer.ready();
      const port = await listen(app);
      assert.equal((await getJson(port, '/readyz')).status, 200);

      await stopRedis(redis);
      const down = await until(port, '/readyz', 503, 5000);
      assert.equal(down.status, 503);
      assert.deepEqual(down.body, { status: 'unavailable', reasons: ['channel-layer-unreachable'] });
      assert.equal((await getJson(port, '/healthz')).status, 200, 'alive: the process is fine');

      redis = await startRedis(redisPort);
      const back = await until(port, '/readyz', 200, 8000);
      assert.equal(back.status, 200, `ready again: ${JSON.stringify(back.body)}`);
    });
  });
});
