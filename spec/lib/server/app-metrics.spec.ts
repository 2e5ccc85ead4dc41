import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { App, inject, metricsRoutes, PathParam, Route, UNMATCHED_ROUTE, WebSocket, WebSocketRoute } from '../../../index';
import { parseExposition, type Sample, sampleValue, scrape } from '../../support/prometheus-text';
import { killClient, layerOpener, REDIS_URL } from '../../support/redis-layers';
import { liveRefusal, liveUrl, openLive } from '../../support/ws-client';

const user = new Route(
  '/users/{id}',
  'GET',
  inject([PathParam('id')], (id: string) => ({ id })),
);
const fails = new Route(
  '/fails',
  'POST',
  inject([], () => {
    throw new Error('boom');
  }),
);
/** Echoes each message, and closes with 4001 on "bye". */
const echo = new WebSocketRoute(
  '/rooms/{room}',
  inject([WebSocket], async (ws) => {
    await ws.accept();
    for await (const message of ws) {
      if (message === 'bye') return ws.close(4001, 'bye');
      await ws.send(message);
    }
  }),
);

/** Never accepts: the handshake is refused with 403. */
const unwanted = new WebSocketRoute(
  '/unwanted',
  inject([], () => {}),
);

async function get(port: number, path: string, method = 'GET'): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  await response.arrayBuffer();
  return response.status;
}

describe('App metrics (lib/server/app-metrics.ts)', function () {
  this.timeout(20_000);
  const apps: App[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function start(app: App): Promise<{ port: number; server: import('node:http').Server }> {
    apps.push(app);
    const server = await app.listen(0);
    return { port: App.portOf(server), server };
  }

  async function samples(port: number): Promise<Sample[]> {
    const answer = await scrape(port);
    assert.equal(answer.status, 200);
    assert.match(answer.type, /^text\/plain; version=0\.0\.4/);
    return parseExposition(answer.body);
  }

  it('counts and times HTTP requests by method, route template (never the raw path) and status', async () => {
    const { port } = await start(new App({ routes: [...metricsRoutes(), user, fails], metrics: true, settings: { logError: () => {} } }));
    assert.equal(await get(port, '/users/1'), 200);
    assert.equal(await get(port, '/users/2'), 200);
    assert.equal(await get(port, '/users/3', 'HEAD'), 200);
    assert.equal(await get(port, '/fails', 'POST'), 500);
    assert.equal(await get(port, '/nowhere/42'), 404);
    assert.equal(await get(port, '/users/1', 'DELETE'), 405);
    const found = await samples(port);
    const total = 'starwire_http_requests_total';
    assert.equal(sampleValue(found, total, { method: 'GET', route: '/users/{id}', status: '200' }), 2);
    assert.equal(sampleValue(found, total, { method: 'HEAD', route: '/users/{id}', status: '200' }), 1);
    assert.equal(sampleValue(found, total, { method: 'POST', route: '/fails', status: '500' }), 1);
    assert.equal(sampleValue(found, total, { method: 'GET', route: UNMATCHED_ROUTE, status: '404' }), 1);
    assert.equal(sampleValue(found, total, { method: 'DELETE', route: UNMATCHED_ROUTE, status: '405' }), 1);
    assert.ok(!found.some((sample) => /\/users\/\d|nowhere/.test(sample.labels.route ?? '')), 'a raw path became a label');
    const count = 'starwire_http_request_duration_seconds_count';
    assert.equal(sampleValue(found, count, { method: 'GET', route: '/users/{id}', status: '200' }), 2);
    const inf = sampleValue(found, 'starwire_http_request_duration_seconds_bucket', {
      method: 'GET',
      route: '/users/{id}',
      status: '200',
      le: '+Inf',
    });
    assert.equal(inf, 2);
    const sum = sampleValue(found, 'starwire_http_request_duration_seconds_sum', { method: 'POST', route: '/fails', status: '500' });
    assert.ok(sum !== undefined && sum > 0 && sum < 5, `duration sum ${sum}`);
  });

  it('reports WebSocket connections per route template, refusals by status and reason, messages, and closes by code', async () => {
    const app = new App({ routes: [...metricsRoutes(), echo, unwanted], metrics: true, settings: { websocket: { maxConnections: 2 } } });
    const { port, server } = await start(app);
    const a = await openLive(liveUrl(server, '/rooms/a'));
    const b = await openLive(liveUrl(server, '/rooms/b'));
    assert.equal((await liveRefusal(liveUrl(server, '/rooms/c'))).status, 503, 'over maxConnections');
    a.send('hello');
    assert.equal(await a.receiveText(), 'hello');
    let found = await samples(port);
    assert.equal(sampleValue(found, 'starwire_websocket_connections_open', { route: '/rooms/{room}' }), 2);
    assert.equal(sampleValue(found, 'starwire_websocket_accepted_total'), 2);
    assert.equal(sampleValue(found, 'starwire_websocket_messages_in_total', { route: '/rooms/{room}' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { status: '503', reason: 'cap' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_messages_out_total', { route: '/rooms/{room}' }), 1);

    b.send('bye');
    assert.equal((await b.closed).code, 4001);
    assert.equal((await a.close(1000)).code, 1000);
    const deadline = Date.now() + 2000;
    do found = await samples(port);
    while (sampleValue(found, 'starwire_websocket_connections_open', { route: '/rooms/{room}' }) !== 0 && Date.now() < deadline);
    assert.equal(sampleValue(found, 'starwire_websocket_connections_open', { route: '/rooms/{room}' }), 0);
    assert.equal((await liveRefusal(liveUrl(server, '/unwanted'))).status, 403, 'never accepted');
    found = await samples(port);
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { status: '403', reason: 'not_accepted' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_messages_in_total', { route: '/unwanted' }), 0, 'counted per route');
    assert.equal(sampleValue(found, 'starwire_websocket_messages_in_total', { route: '/rooms/{room}' }), 2, "'hello' and 'bye'");
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { status: '503' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_closes_total', { code: '4001' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_closes_total', { code: '1000' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_send_dropped_total'), 0);
    assert.equal(sampleValue(found, 'starwire_websocket_heartbeat_terminated_total'), 0);
  });

  it('labels a 503 of the connection cap apart from a 503 of shutdown', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const reached = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const gated = new WebSocketRoute(
      '/gated',
      inject([], () => undefined),
      {
        hooks: [
          {
            onRequest: () => {
              entered();
              return held;
            },
          },
        ],
      },
    );
    const app = new App({ routes: [...metricsRoutes(), echo, gated], metrics: true, settings: { websocket: { maxConnections: 2 } } });
    const { port, server } = await start(app);
    const a = await openLive(liveUrl(server, '/rooms/a'));
    const pending = liveRefusal(liveUrl(server, '/gated'));
    await reached;
    assert.equal((await liveRefusal(liveUrl(server, '/rooms/c'))).status, 503, 'over maxConnections');
    // Scraped before the close: a closed app's server answers nothing more.
    let found = await samples(port);
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { status: '503', reason: 'cap' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { reason: 'shutdown' }), undefined);
    const closing = app.close();
    assert.equal((await pending).status, 503, 'refused by shutdown while its hook ran');
    release();
    await a.closed;
    await closing;
    const metrics = app.metrics;
    assert.ok(metrics);
    found = parseExposition((await metrics.scrape()).text);
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { status: '503', reason: 'cap' }), 1);
    assert.equal(sampleValue(found, 'starwire_websocket_rejected_total', { status: '503', reason: 'shutdown' }), 1);
  });

  it("counts the channel layer's reconnects to Redis: its connection killed, then back", async () => {
    const layers = layerOpener();
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    try {
      const layer = await layers.open({ redisOptions: { retryStrategy: () => 20 } });
      layer.on('error', () => {});
      const { port } = await start(new App({ routes: metricsRoutes(), metrics: true, channelLayer: layer }));
      let found = await samples(port);
      assert.equal(sampleValue(found, 'starwire_channel_layer_reconnects_total'), 0);
      assert.equal(sampleValue(found, 'starwire_channel_layer', { figure: 'reconnects' }), undefined, 'a counter, not a gauge figure');
      const back = new Promise((resolve) => layer.once('reconnected', resolve));
      assert.equal(await killClient(admin, `${layers.prefix}:${layer.processName}:sub`), 1);
      await back;
      found = await samples(port);
      assert.equal(sampleValue(found, 'starwire_channel_layer_reconnects_total'), 1);
    } finally {
      admin.disconnect();
      await layers.closeAll();
    }
  });

  it("reads the channel layer's and app.realtime's figures at scrape time, and Node's process metrics", async () => {
    const app = new App({ routes: metricsRoutes(), metrics: true });
    const { port } = await start(app);
    let found = await samples(port);
    assert.equal(sampleValue(found, 'starwire_channel_layer', { figure: 'groups' }), 0);
    assert.equal(sampleValue(found, 'starwire_realtime', { figure: 'rooms' }), undefined, 'realtime is not made by a scrape');
    assert.ok((sampleValue(found, 'process_cpu_user_seconds_total') ?? -1) >= 0);
    assert.ok((sampleValue(found, 'nodejs_heap_size_total_bytes') ?? 0) > 0);

    await app.channelLayer.groupAdd('lobby', await app.channelLayer.newChannel('metrics.'));
    await app.realtime.stats();
    found = await samples(port);
    assert.equal(sampleValue(found, 'starwire_channel_layer', { figure: 'groups' }), 1);
    assert.equal(sampleValue(found, 'starwire_realtime', { figure: 'rooms' }), 0);
  });

  it('gives each app its own registry, or the one given, and leaves process metrics out on request', async () => {
    const registry = new Registry();
    const one = new App({ routes: [user], metrics: { registry, defaultMetrics: false, buckets: [0.5, 1] } });
    const two = new App({ routes: [user], metrics: true });
    apps.push(one, two);
    assert.equal(one.metrics?.registry, registry);
    assert.notEqual(two.metrics?.registry, registry);
    const text = await registry.metrics();
    assert.doesNotMatch(text, /process_cpu/);
    assert.match(text, /starwire_http_requests_total/);
  });

  it('is off by default: no metrics, no prom-client loaded, and GET /metrics answers 404', async () => {
    const script = `require('reflect-metadata'); const { App } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'index'))});
      const app = new App({ routes: [] });
      process.stdout.write(String(app.metrics === undefined) + ' ' + Object.keys(require.cache).some((file) => file.includes('node_modules/prom-client/')));`;
    assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }), 'true false');
    const { port } = await start(new App({ routes: [...metricsRoutes(), user] }));
    const answer = await scrape(port);
    assert.equal(answer.status, 404);
    assert.match(answer.body, /Metrics are off/);
  });
});
