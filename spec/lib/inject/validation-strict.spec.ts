import assert from 'node:assert/strict';
import { Body } from '../../../components/body';
import { Message } from '../../../components/message';
import { PathParam } from '../../../components/path-param';
import { QueryParam } from '../../../components/query-param';
import { App } from '../../../lib/app';
import { ConfigurationError } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { inject } from '../../../lib/inject/inject';
import type { JsonSchema } from '../../../lib/inject/schema';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { forEachClient } from '../../support/clients';

const UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function makeApp(): App {
  return new App({
    settings: { logError: () => {} },
    routes: [
      new Route(
        '/signup',
        'POST',
        inject([Body({ type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] })], (body) => ({
          email: body.email,
        })),
      ),
      new Route(
        '/since',
        'GET',
        inject([QueryParam('after', { type: 'string', format: 'date-time' }, { required: true })], (after) => ({ after })),
      ),
      new Route(
        '/orders/{id}',
        'GET',
        inject([PathParam('id', { type: 'string', format: 'uuid' })], (id) => ({ id })),
      ),
      new WebSocketRoute(
        '/links',
        inject([Message({ type: 'object', properties: { url: { type: 'string', format: 'uri' } }, required: ['url'] })], (message) => ({
          saved: message.url,
        })),
      ),
    ],
  });
}

interface Failure {
  parameter: string;
  errors: { keyword: string; params: Record<string, unknown> }[];
}

describe('JSON Schema formats (ajv-formats)', () => {
  forEachClient(makeApp, (client) => {
    it('Body: a valid email passes, another string is a 400 naming the format', async () => {
      assert.equal((await client().post('/signup', { json: { email: 'ada@example.com' } })).status, 200);
      const response = await client().post('/signup', { json: { email: 'not an email' } });
      assert.equal(response.status, 400);
      const body = (await response.json()) as Failure;
      assert.equal(body.parameter, 'body');
      assert.equal(body.errors[0].keyword, 'format');
      assert.deepEqual(body.errors[0].params, { format: 'email' });
    });

    it('QueryParam: date-time', async () => {
      assert.equal((await client().get('/since', { query: { after: '2026-12-05T09:00:00Z' } })).status, 200);
      const response = await client().get('/since', { query: { after: 'yesterday' } });
      assert.equal(response.status, 400);
      const body = (await response.json()) as Failure;
      assert.equal(body.parameter, 'query parameter "after"');
      assert.deepEqual(body.errors[0].params, { format: 'date-time' });
    });

    it('PathParam: uuid', async () => {
      assert.deepEqual(await (await client().get(`/orders/${UUID}`)).json(), { id: UUID });
      const response = await client().get('/orders/42');
      assert.equal(response.status, 400);
      assert.deepEqual(((await response.json()) as Failure).errors[0].params, { format: 'uuid' });
    });
  });

  it('Message: uri; a message that is not one closes 1007', async () => {
    const client = new TestClient(makeApp());
    const ws = await client.websocket('/links');
    ws.sendJson({ url: 'https://example.com/a' });
    assert.deepEqual(await ws.receiveJson(), { saved: 'https://example.com/a' });
    ws.sendJson({ url: 'not a uri' });
    assert.equal(await ws.closed, status.WS_1007_INVALID_FRAME_PAYLOAD_DATA);
    assert.match(ws.closeReason ?? '', /format "uri"/);
  });
});

describe('JSON Schema strict mode: a bad schema fails at new App()', () => {
  const misspelt = { type: 'string', minLenght: 3 } as JsonSchema;
  const cases: readonly [string, () => Route | WebSocketRoute, RegExp][] = [
    [
      'a misspelt keyword in Body',
      () =>
        new Route(
          '/a',
          'POST',
          inject([Body({ type: 'object', properties: { name: misspelt } })], () => 1),
        ),
      /route POST \/a\b.*\(Body\): invalid JSON Schema for body: strict mode: unknown keyword: "minLenght"/,
    ],
    [
      'a misspelt keyword in QueryParam',
      () =>
        new Route(
          '/a',
          'GET',
          inject([QueryParam('q', misspelt)], () => 1),
        ),
      /route GET \/a\b.*\(QueryParam\("q"\)\): invalid JSON Schema for query parameter "q": strict mode: unknown keyword: "minLenght"/,
    ],
    [
      'a misspelt keyword in PathParam',
      () =>
        new Route(
          '/a/{slug}',
          'GET',
          inject([PathParam('slug', misspelt)], () => 1),
        ),
      /route GET \/a\/\{slug\}.*\(PathParam\("slug"\)\): invalid JSON Schema for path parameter "slug": strict mode: unknown keyword: "minLenght"/,
    ],
    [
      'a misspelt keyword in Message',
      () =>
        new WebSocketRoute(
          '/a',
          inject([Message({ type: 'object', properties: { text: misspelt } })], () => 1),
        ),
      /route WS \/a\b.*\(Message\): invalid JSON Schema for message: strict mode: unknown keyword: "minLenght"/,
    ],
    [
      'an unknown format',
      () =>
        new Route(
          '/a',
          'GET',
          inject([QueryParam('q', { type: 'string', format: 'emial' })], () => 1),
        ),
      /query parameter "q": unknown format "emial"/,
    ],
    [
      'an unknown type',
      () =>
        new Route(
          '/a',
          'POST',
          inject([Body({ type: 'strnig' })], () => 1),
        ),
      /invalid JSON Schema for body: schema is invalid: data\/type must be equal to one of the allowed values/,
    ],
    [
      'a keyword for another type (minimum on a query parameter without a type: never checked against a string)',
      () =>
        new Route(
          '/a',
          'GET',
          inject([QueryParam('page', { minimum: 1 })], () => 1),
        ),
      /query parameter "page": strict mode: missing type "number" for keyword "minimum"/,
    ],
  ];
  for (const [what, route, message] of cases) {
    it(`${what} is a ConfigurationError naming route and parameter`, () => {
      assert.throws(
        () => new App({ routes: [route()] }),
        (error: Error) => {
          assert.ok(error instanceof ConfigurationError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
