import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PathParam } from '../../../components/path-param';
import { App } from '../../../lib/app';
import { HTTPException } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { REMOTE_SPAN_ID, REMOTE_TRACE_ID, SpanKind, SpanStatusCode, TRACEPARENT, TracingSdk } from '../../support/tracing-sdk';

function get(server: Server, path: string, headers: Record<string, string> = {}): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tracing: HTTP request spans', () => {
  let sdk: TracingSdk;
  let app: App;
  let server: Server;

  beforeEach(async () => {
    sdk = new TracingSdk();
    app = new App({
      settings: { logError: () => {} },
      tracing: { tracer: sdk.tracer },
      routes: [
        new Route(
          '/users/{id}',
          'GET',
          inject([PathParam('id')], (id) => ({ id })),
        ),
        new Route('/boom', 'GET', () => {
          throw new Error('kaput');
        }),
        new Route('/teapot', 'GET', () => {
          throw new HTTPException(418, 'short and stout');
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

  it('names the span by the route template, with HTTP semantic-convention attributes, over real HTTP', async () => {
    assert.equal(await get(server, '/users/42?x=1'), 200);
    const span = await sdk.waitFor('GET /users/{id}');
    assert.equal(span.kind, SpanKind.SERVER);
    assert.deepEqual(span.attributes, {
      'http.request.method': 'GET',
      'http.route': '/users/{id}',
      'url.path': '/users/42',
      'http.response.status_code': 200,
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.equal(span.parentSpanContext, undefined);
  });

  it('makes the span a child of the incoming traceparent', async () => {
    assert.equal(await get(server, '/users/7', { traceparent: TRACEPARENT }), 200);
    const span = await sdk.waitFor('GET /users/{id}');
    assert.equal(span.spanContext().traceId, REMOTE_TRACE_ID);
    assert.equal(span.parentSpanContext?.spanId, REMOTE_SPAN_ID);
    assert.equal(span.parentSpanContext?.isRemote, true);
  });

  it('marks a thrown error as the span error, with a 500 and the exception recorded', async () => {
    assert.equal(await get(server, '/boom'), 500);
    const span = await sdk.waitFor('GET /boom');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.status.message, 'kaput');
    assert.equal(span.attributes['http.response.status_code'], 500);
    assert.equal(span.attributes['error.type'], 'Error');
    assert.equal(span.events[0]?.name, 'exception');
  });

  it('leaves a 4xx span unset (a client error is not the server failing)', async () => {
    assert.equal(await get(server, '/teapot'), 418);
    const span = await sdk.waitFor('GET /teapot');
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.equal(span.attributes['http.response.status_code'], 418);
  });

  it('names an unmatched request by its method only, without http.route', async () => {
    assert.equal(await get(server, '/nowhere'), 404);
    const span = await sdk.waitFor('GET');
    assert.equal(span.attributes['http.route'], undefined);
    assert.equal(span.attributes['url.path'], '/nowhere');
  });

  it('gives a request with a malformed path a server span like any other: 400, no http.route, the raw path', async () => {
    assert.equal(await get(server, '/users/%E0%A4%A', { traceparent: TRACEPARENT }), 400);
    const span = await sdk.waitFor('GET');
    assert.equal(span.kind, SpanKind.SERVER);
    assert.deepEqual(span.attributes, {
      'http.request.method': 'GET',
      'url.path': '/users/%E0%A4%A',
      'http.response.status_code': 400,
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.equal(span.parentSpanContext?.spanId, REMOTE_SPAN_ID);
    const res = await new TestClient(app).get('/%zz');
    assert.equal(res.status, 400);
    const spans = sdk.spans().filter((found) => found.name === 'GET');
    assert.equal(spans.length, 2);
    assert.equal(spans[1].attributes['url.path'], '/%zz');
    assert.equal(spans[1].attributes['http.response.status_code'], 400);
  });

  it('traces TestClient requests the same way', async () => {
    const client = new TestClient(app);
    const res = await client.get('/users/9', { headers: { traceparent: TRACEPARENT } });
    assert.equal(res.status, 200);
    const span = await sdk.waitFor('GET /users/{id}');
    assert.equal(span.parentSpanContext?.spanId, REMOTE_SPAN_ID);
  });

  it('makes no span without the tracing option', async () => {
    const plain = new App({
      routes: [
        new Route(
          '/users/{id}',
          'GET',
          inject([PathParam('id')], (id) => ({ id })),
        ),
      ],
    });
    const res = await new TestClient(plain).get('/users/1');
    assert.equal(res.status, 200);
    assert.equal(sdk.spans().length, 0);
  });
});
