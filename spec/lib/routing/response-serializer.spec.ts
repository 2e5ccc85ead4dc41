import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { CurrentError } from '../../../components/current-error';
import { CurrentResponse } from '../../../components/current-response';
import { PathParam } from '../../../components/path-param';
import { Compression } from '../../../hooks/compression';
import { App } from '../../../lib/app';
import { ConfigurationError } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { JSONResponse, type Response } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import type { JsonSchema } from '../../../lib/inject/schema';
import { compileResponseSerializer, plainValueStatus, ResponseSchemaError } from '../../../lib/routing/response-serializer';
import { Include, Route, type RouteLike } from '../../../lib/routing/routes';
import { forEachClient, type HttpClient } from '../../support/clients';

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    manager: { type: 'object', nullable: true, properties: { id: { type: 'integer' }, name: { type: 'string' } }, required: ['id'] },
    roles: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, since: { type: 'string' } } } },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'name'],
} as const satisfies JsonSchema;

const errorSchema = { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] } as const satisfies JsonSchema;

/** A user as the store holds it: more than any client may see, at every level. */
function storedUser(id: number, withManager = true) {
  return {
    id,
    name: `user ${id}`,
    password: 'hunter2',
    manager: withManager ? { id: 9, name: 'boss', token: 'manager-secret' } : null,
    roles: [
      { name: 'admin', since: '2024-01-01', grantedBy: 'root-secret' },
      { name: 'editor', since: '2025-02-02', grantedBy: 'root-secret' },
    ],
    tags: ['a', 'b'],
  };
}

const shapedUser = (id: number, withManager = true) => ({
  id,
  name: `user ${id}`,
  manager: withManager ? { id: 9, name: 'boss' } : null,
  roles: [
    { name: 'admin', since: '2024-01-01' },
    { name: 'editor', since: '2025-02-02' },
  ],
  tags: ['a', 'b'],
});

const where = 'route GET /users';

describe('response serializers', () => {
  describe('plainValueStatus', () => {
    it('is 200 without responses, with 200 declared, or with no 2xx body declared', () => {
      assert.equal(plainValueStatus(undefined), 200);
      assert.equal(plainValueStatus({ 200: userSchema, 201: userSchema }), 200);
      assert.equal(plainValueStatus({ 404: errorSchema }), 200);
      assert.equal(plainValueStatus({ 204: {} }), 200);
    });

    it('is the lowest 2xx declared when 200 is not', () => {
      assert.equal(plainValueStatus({ 201: userSchema, 400: errorSchema }), 201);
      assert.equal(plainValueStatus({ 204: {}, 203: userSchema, 202: userSchema }), 202);
    });
  });

  describe('compileResponseSerializer', () => {
    it('gives none without responses, or when the status plain values go out with has no schema', () => {
      assert.equal(compileResponseSerializer(undefined, where), undefined);
      assert.equal(compileResponseSerializer({ 404: errorSchema }, where), undefined);
    });

    it('writes only the properties the schema lists, in nested objects and arrays too', () => {
      const serializer = compileResponseSerializer({ 200: userSchema, 404: errorSchema }, where);
      assert.equal(serializer?.status, 200);
      const json = serializer.serialize(storedUser(1));
      assert.deepEqual(JSON.parse(json), shapedUser(1));
      assert.doesNotMatch(json, /hunter2|secret/);
    });

    it('writes a nullable property that is null as null', () => {
      const serializer = compileResponseSerializer({ 200: userSchema }, where);
      assert.deepEqual(JSON.parse(serializer?.serialize(storedUser(2, false)) ?? ''), shapedUser(2, false));
    });

    it('throws ResponseSchemaError naming the route and the status for a value that does not fit', () => {
      const serializer = compileResponseSerializer({ 201: userSchema }, where);
      assert.throws(
        () => serializer?.serialize({ name: 'no id' }),
        (error: unknown) =>
          error instanceof ResponseSchemaError &&
          error.status === 201 &&
          error.where === where &&
          /^route GET \/users: the value returned does not fit the 201 response schema: "id" is required/.test(error.message),
      );
      assert.throws(() => serializer?.serialize({ id: 'seven', name: 'x' }), /201 response schema: .*cannot be converted to an integer/);
    });

    const bad: [string, unknown, RegExp][] = [
      ['a misspelt keyword', { 200: { type: 'object', propertes: {} } }, /the 200 response: strict mode: unknown keyword: "propertes"/],
      ['an unknown type', { 201: { type: 'objekt' } }, /the 201 response: .*type/],
      ['an unresolvable $ref', { 200: { $ref: '#/definitions/missing' } }, /the 200 response: can't resolve reference/],
      ['a non-2xx schema that is wrong', { 200: userSchema, 404: { type: 'object', required: 'detail' } }, /the 404 response/],
      ['a key that is no status', { ok: userSchema }, /responses: ok is not an HTTP status/],
      ['a status out of range', { 600: userSchema }, /responses: 600 is not an HTTP status/],
      ['a schema that is no object', { 200: 'user' }, /the 200 response must be a JSON Schema object, got "user"/],
    ];
    for (const [what, responses, message] of bad) {
      it(`refuses ${what}, naming the route`, () => {
        assert.throws(
          () => compileResponseSerializer(responses as never, where),
          (error: unknown) => error instanceof ConfigurationError && error.message.startsWith(`${where}: `) && message.test(error.message),
        );
      });
    }
  });

  describe('new App()', () => {
    it('fails on a bad response schema, naming the route (with its Include prefix) and the status', () => {
      const routes = [new Include('/api', [new Route('/users', 'POST', () => ({}), { responses: { 201: { type: 'object', nope: 1 } } })])];
      assert.throws(
        () => new App({ routes }),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          /^route POST \/api\/users: invalid JSON Schema for the 201 response: strict mode: unknown keyword: "nope"/.test(error.message),
      );
    });
  });
});

/** The body as sent, gunzipped where the TestClient hands it over still compressed (fetch decodes it itself). */
async function decodedText(client: HttpClient, response: globalThis.Response): Promise<string> {
  const bytes = Buffer.from(await response.arrayBuffer());
  return client.name === 'TestClient' && response.headers.get('content-encoding') === 'gzip'
    ? gunzipSync(bytes).toString()
    : bytes.toString();
}

describe('routes with response schemas', () => {
  const logged: string[] = [];
  const seenByOnError: string[] = [];

  class ErrorWitness {
    @inject([CurrentError, CurrentResponse])
    onError(error: unknown, response: Response): void {
      seenByOnError.push(`${(error as Error).name} ${response.status}`);
    }
  }

  const getUser = inject([PathParam('id', { type: 'integer' })], (id) => storedUser(id, id === 1));
  const routes: RouteLike[] = [
    new Route('/users/{id:int}', 'GET', getUser, { responses: { 200: userSchema, 404: errorSchema } }),
    new Route('/users', 'POST', () => storedUser(3), { responses: { 201: userSchema, 400: errorSchema } }),
    new Route('/created-nothing', 'POST', () => undefined, { responses: { 201: userSchema } }),
    new Route('/unshaped', 'GET', () => storedUser(4)),
    new Route('/errors-only', 'GET', () => storedUser(5), { responses: { 404: errorSchema } }),
    new Route('/as-response', 'GET', () => new JSONResponse(storedUser(6), { status: status.HTTP_202_ACCEPTED }), {
      responses: { 200: userSchema },
    }),
    new Route('/text', 'GET', () => 'plain words', { responses: { 200: userSchema } }),
    new Route('/misfit', 'GET', () => ({ name: 'no id', password: 'hunter2' }), { responses: { 200: userSchema } }),
    new Route('/misfit-async', 'GET', async () => ({ id: 1, name: 'x', tags: 'not a list' }), { responses: { 200: userSchema } }),
    new Route('/users-async', 'GET', async () => storedUser(7), { responses: { 200: userSchema } }),
    new Route('/misfit-handled', 'GET', () => ({ id: 'seven', name: 'x' }), {
      responses: { 200: userSchema },
      exceptionHandlers: [[Error, () => new JSONResponse({ detail: 'shaped elsewhere' }, { status: status.HTTP_502_BAD_GATEWAY })]],
    }),
    new Route('/many', 'GET', () => ({ users: Array.from({ length: 40 }, (_, i) => storedUser(i)) }), {
      responses: { 200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } } },
    }),
  ];

  forEachClient(
    () =>
      new App({
        routes,
        hooks: [ErrorWitness, new Compression({ threshold: 1024 })],
        settings: { logError: (message, error) => logged.push(`${message} | ${(error as Error).message}`) },
      }),
    (client) => {
      beforeEach(() => {
        logged.length = 0;
        seenByOnError.length = 0;
      });

      it('leaves out every property the schema does not list: a password never leaks', async () => {
        const response = await client().get('/users/1');
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'application/json');
        const text = await response.text();
        assert.doesNotMatch(text, /password|hunter2|secret/);
        assert.deepEqual(JSON.parse(text), shapedUser(1));
        assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(text)));
      });

      it('writes a nullable nested object that is null as null', async () => {
        const response = await client().get('/users/2');
        assert.deepEqual(await response.json(), shapedUser(2, false));
      });

      it('answers a route that declares 201 (and no 200) with 201, shaped', async () => {
        const response = await client().post('/users');
        assert.equal(response.status, 201);
        assert.deepEqual(await response.json(), shapedUser(3));
      });

      it('still answers undefined with an empty 204', async () => {
        const response = await client().post('/created-nothing');
        assert.equal(response.status, 204);
        assert.equal(await response.text(), '');
      });

      it('answers HEAD with the headers GET would send, the shaped length included, and no body', async () => {
        const get = await client().get('/users/1');
        const getText = await get.text();
        const head = await client().request('HEAD', '/users/1');
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(getText)));
        assert.equal(head.headers.get('content-type'), 'application/json');
        assert.equal(await head.text(), '');
      });

      it('leaves routes without responses, or without a 2xx schema, as they were', async () => {
        for (const [path, id] of [
          ['/unshaped', 4],
          ['/errors-only', 5],
        ] as const) {
          const response = await client().get(path);
          assert.equal(response.status, 200);
          assert.equal(await response.text(), JSON.stringify(storedUser(id)));
        }
      });

      it('sends a Response the handler returns as it is', async () => {
        const response = await client().get('/as-response');
        assert.equal(response.status, 202);
        assert.deepEqual(await response.json(), storedUser(6));
      });

      it('sends a string as text, as without a schema', async () => {
        const response = await client().get('/text');
        assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
        assert.equal(await response.text(), 'plain words');
      });

      it('answers a value that does not fit with a 500 from the error table, logged with the route and the status', async () => {
        const response = await client().get('/misfit');
        assert.equal(response.status, 500);
        const text = await response.text();
        assert.deepEqual(JSON.parse(text), { detail: 'Internal Server Error' });
        assert.doesNotMatch(text, /hunter2/);
        assert.deepEqual(logged, [
          'Unhandled error in route GET /misfit | route GET /misfit: the value returned does not fit the 200 response schema: "id" is required!',
        ]);
        assert.deepEqual(seenByOnError, ['ResponseSchemaError 500']);
      });

      it('shapes the value an async handler resolves to, and answers 500 when it does not fit', async () => {
        const shaped = await client().get('/users-async');
        assert.deepEqual(await shaped.json(), shapedUser(7));
        const misfit = await client().get('/misfit-async');
        assert.equal(misfit.status, 500);
        assert.equal(logged.length, 1);
        assert.match(logged[0], /^Unhandled error in route GET \/misfit-async \| .*200 response schema/);
      });

      it('gives a value that does not fit to the exception handlers like any error', async () => {
        const response = await client().get('/misfit-handled');
        assert.equal(response.status, 502);
        assert.deepEqual(await response.json(), { detail: 'shaped elsewhere' });
        assert.deepEqual(logged, []);
      });

      it('compresses the shaped body: the Compression hook sees what the serializer wrote', async () => {
        const response = await client().get('/many', { headers: { 'accept-encoding': 'gzip' } });
        assert.equal(response.headers.get('content-encoding'), 'gzip');
        const body = JSON.parse(await decodedText(client(), response)) as { users: unknown[] };
        assert.equal(body.users.length, 40);
        assert.deepEqual(body.users[3], shapedUser(3));
        assert.doesNotMatch(JSON.stringify(body), /hunter2|secret/);
      });
    },
  );
});
