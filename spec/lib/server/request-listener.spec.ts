import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { Body } from '../../../components/body';
import { Request } from '../../../components/request';
import { App } from '../../../lib/app';
import { JSONResponse } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { Include, Route } from '../../../lib/routing/routes';
import { type Hosted, startFastify } from '../../support/framework-hosts';
import { within } from '../../support/ws-client';

const where = inject([Request], (request) => ({ path: request.path, url: request.url }));
const echoBody = inject([Body()], (body) => ({ got: body }));

/** The same two routes, at the root or under a prefix. */
function makeApp(prefix?: string): App {
  const routes = [new Route('/where', 'GET', where), new Route('/body', 'POST', echoBody)];
  return new App({ routes: prefix ? [new Include(prefix, routes)] : routes, settings: { logError: () => {} } });
}

function postJson(url: string, value: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
    signal: AbortSignal.timeout(2000),
  });
}

/** Serves `web` on 127.0.0.1 and gives its base URL; `servers` collects what to close. */
async function serve(web: Express, servers: Server[]): Promise<string> {
  const server = createServer(web);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('app.requestListener under Express', () => {
  const servers: Server[] = [];
  const apps: App[] = [];
  after(async () => {
    await Promise.all(apps.map((app) => within(app.close(), 2000, 'app.close()')));
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it("mounted with web.use('/sw', ...), sees the path with the prefix stripped, and answers its own 404s", async () => {
    const app = makeApp();
    apps.push(app);
    const web = express();
    web.use('/sw', app.requestListener);
    const base = await serve(web, servers);
    assert.deepEqual(await (await fetch(`${base}/sw/where?x=1`)).json(), { path: '/where', url: '/where?x=1' });
    const miss = await fetch(`${base}/sw/nope`);
    assert.equal(miss.status, 404);
    assert.deepEqual(await miss.json(), { detail: 'Not Found' }, "Express's 404 handler is not reached under the mount");
    assert.match(await (await fetch(`${base}/elsewhere`)).text(), /Cannot GET \/elsewhere/);
  });

  it('as plain middleware with a prefix test, sees the full path, so HTTP and WebSocket routes share templates', async () => {
    const app = makeApp('/sw');
    apps.push(app);
    const web = express();
    web.use((req, res, next) => (req.url.startsWith('/sw/') ? app.requestListener(req, res) : next()));
    web.get('/theirs', (_req, res) => {
      res.json({ theirs: true });
    });
    const base = await serve(web, servers);
    assert.deepEqual(await (await fetch(`${base}/sw/where`)).json(), { path: '/sw/where', url: '/sw/where' });
    assert.deepEqual(await (await fetch(`${base}/theirs`)).json(), { theirs: true });
  });

  it('gets the request body when mounted before express.json(), and an empty one after it', async () => {
    const first = makeApp();
    const last = makeApp();
    apps.push(first, last);
    const web = express();
    web.use('/first', first.requestListener);
    web.use(express.json());
    web.use('/last', last.requestListener);
    web.post('/theirs', (req, res) => {
      res.json({ theirs: req.body as unknown });
    });
    const base = await serve(web, servers);
    assert.deepEqual(await (await postJson(`${base}/first/body`, { a: 1 })).json(), { got: { a: 1 } });
    assert.deepEqual(await (await postJson(`${base}/theirs`, { b: 2 })).json(), { theirs: { b: 2 } });
    // express.json() has consumed the stream: Starwire reads nothing and calls the JSON malformed.
    const late = await postJson(`${base}/last/body`, { a: 1 });
    assert.equal(late.status, 400);
    assert.match(((await late.json()) as { detail: string }).detail, /^Malformed JSON body/);
  });
});

describe('app.requestListener under Fastify', () => {
  const hosts: Hosted[] = [];
  const apps: App[] = [];
  after(async () => {
    await Promise.all(apps.map((app) => within(app.close(), 2000, 'app.close()')));
    await Promise.all(hosts.map((hosted) => hosted.close()));
  });

  it('serves from an onRequest hook with reply.hijack(): full path, body intact, their routes and 404 untouched', async () => {
    const app = makeApp('/sw');
    apps.push(app);
    const hosted = await startFastify(app, { attach: false }, (instance) => {
      instance.addHook('onRequest', async (request, reply) => {
        if (!request.url.startsWith('/sw/')) return;
        reply.hijack();
        app.requestListener(request.raw, reply.raw);
        return reply;
      });
      instance.post('/theirs', async (request) => ({ theirs: request.body }));
    });
    hosts.push(hosted);
    assert.deepEqual(await (await fetch(`${hosted.http}/sw/where?x=1`)).json(), { path: '/sw/where', url: '/sw/where?x=1' });
    assert.deepEqual(await (await postJson(`${hosted.http}/sw/body`, { a: 1 })).json(), { got: { a: 1 } });
    assert.deepEqual(await (await postJson(`${hosted.http}/theirs`, { b: 2 })).json(), { theirs: { b: 2 } });
    assert.deepEqual(await (await fetch(`${hosted.http}/theirs/hello`)).json(), { framework: 'fastify' });
    assert.equal((await fetch(`${hosted.http}/elsewhere`)).status, 404);
  });

  it('from a route handler instead, gets a body Fastify has already read', async () => {
    const app = makeApp('/sw');
    apps.push(app);
    const hosted = await startFastify(app, { attach: false }, (instance) => {
      instance.all('/sw/*', (request, reply) => {
        reply.hijack();
        app.requestListener(request.raw, reply.raw);
      });
    });
    hosts.push(hosted);
    assert.deepEqual(await (await fetch(`${hosted.http}/sw/where`)).json(), { path: '/sw/where', url: '/sw/where' });
    const late = await postJson(`${hosted.http}/sw/body`, { a: 1 });
    assert.equal(late.status, 400);
    assert.match(((await late.json()) as { detail: string }).detail, /^Malformed JSON body/);
  });
});

describe('app.requestListener writing a response', () => {
  it('sends the length and a request id of its own each time, and leaves the response as the handler made it', async () => {
    const shared = new JSONResponse({ ok: true }, { headers: { 'x-kind': 'shared' } });
    const app = new App({ routes: [new Route('/', 'GET', () => shared)] });
    const server = await app.listen(0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const first = await fetch(url);
      const second = await fetch(url, { headers: { 'x-request-id': 'given' } });
      for (const answer of [first, second]) {
        assert.equal(answer.headers.get('content-length'), '11');
        assert.equal(answer.headers.get('x-kind'), 'shared');
        assert.equal(await answer.text(), '{"ok":true}');
      }
      assert.match(first.headers.get('x-request-id') ?? '', /^[0-9a-f]{10}-[0-9a-z]+$/);
      assert.equal(second.headers.get('x-request-id'), 'given');
      assert.deepEqual(shared.headers, { 'x-kind': 'shared', 'content-type': 'application/json' });
    } finally {
      await app.close();
    }
  });
});
