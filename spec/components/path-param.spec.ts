import assert from 'node:assert/strict';
import { PathParam } from '../../components/path-param';
import { Scope } from '../../components/scope';
import { App } from '../../lib/app';
import { ConfigurationError } from '../../lib/errors/exceptions';
import { inject } from '../../lib/inject/inject';
import { Include, Route } from '../../lib/routing/routes';
import { TestClient } from '../../lib/testing/test-client';
import { forEachClient } from '../support/clients';

interface ValidationBody {
  detail: string;
  parameter: string;
  errors: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[];
}

function makeApp(): App {
  return new App({
    settings: { logError: () => {} },
    routes: [
      new Route(
        '/items/{id:int}',
        'GET',
        inject([PathParam('id', { type: 'integer' })], (id) => ({ id, type: typeof id })),
      ),
      new Route(
        '/prices/{amount:float}',
        'GET',
        inject([PathParam('amount', { type: 'number' })], (amount) => ({ amount, type: typeof amount })),
      ),
      new Route(
        '/keys/{key:uuid}',
        'GET',
        inject([PathParam('key')], (key) => ({ key, type: typeof key })),
      ),
      new Route(
        '/users/{name}',
        'GET',
        inject([PathParam('name')], (name) => ({ name, type: typeof name })),
      ),
      new Route(
        '/files/{rest:path}',
        'GET',
        inject([PathParam('rest')], (rest) => ({ rest })),
      ),
      // A str segment coerced and checked by the schema.
      new Route(
        '/pages/{n}',
        'GET',
        inject([PathParam('n', { type: 'integer', minimum: 1 })], (n) => ({ n, type: typeof n })),
      ),
      // An int segment further constrained by the schema.
      new Route(
        '/orders/{id:int}',
        'GET',
        inject([PathParam('id', { type: 'integer', maximum: 100 })], (id) => ({ id })),
      ),
      new Route(
        '/colors/{c}',
        'GET',
        inject([PathParam('c', { enum: ['red', 'green'] })], (c) => ({ c })),
      ),
    ],
  });
}

describe('PathParam', () => {
  forEachClient(makeApp, (client) => {
    describe('converters', () => {
      it('gives {id:int} as a number', async () => {
        const response = await client().get('/items/42');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { id: 42, type: 'number' });
      });

      it('gives negative ints too', async () => {
        assert.deepEqual(await (await client().get('/items/-3')).json(), { id: -3, type: 'number' });
      });

      it('does not match {id:int} against a non-integer segment (404)', async () => {
        assert.equal((await client().get('/items/abc')).status, 404);
        assert.equal((await client().get('/items/1.5')).status, 404);
      });

      it('gives {amount:float} as a number', async () => {
        assert.deepEqual(await (await client().get('/prices/2.5')).json(), { amount: 2.5, type: 'number' });
      });

      it('gives {key:uuid} as a lower-cased string, and does not match other segments', async () => {
        const key = '0F8FAD5B-D9CB-469F-A165-70867728950E';
        assert.deepEqual(await (await client().get(`/keys/${key}`)).json(), { key: key.toLowerCase(), type: 'string' });
        assert.equal((await client().get('/keys/not-a-uuid')).status, 404);
      });

      it('gives a plain {name} as the decoded string', async () => {
        assert.deepEqual(await (await client().get('/users/caf%C3%A9')).json(), { name: 'café', type: 'string' });
        assert.deepEqual(await (await client().get('/users/007')).json(), { name: '007', type: 'string' });
      });

      it('gives {rest:path} the rest of the path, slashes included', async () => {
        assert.deepEqual(await (await client().get('/files/a/b/c.txt')).json(), { rest: 'a/b/c.txt' });
      });
    });

    describe('with a schema', () => {
      it('coerces a string segment to the schema type', async () => {
        const response = await client().get('/pages/7');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { n: 7, type: 'number' });
      });

      it('answers 400 naming the parameter with ajv errors when coercion fails', async () => {
        const response = await client().get('/pages/seven');
        assert.equal(response.status, 400);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'path parameter "n"');
        assert.match(body.detail, /path parameter "n"/);
        assert.equal(body.errors.length, 1);
        assert.equal(body.errors[0].keyword, 'type');
        assert.deepEqual(body.errors[0].params, { type: 'integer' });
        assert.equal(body.errors[0].instancePath, '');
      });

      it('answers 400 when the value breaks a constraint', async () => {
        const response = await client().get('/pages/0');
        assert.equal(response.status, 400);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'path parameter "n"');
        assert.equal(body.errors[0].keyword, 'minimum');
        assert.deepEqual(body.errors[0].params, { comparison: '>=', limit: 1 });
        assert.equal(body.errors[0].message, 'must be >= 1');
      });

      it('validates an already-converted {id:int} value', async () => {
        assert.deepEqual(await (await client().get('/orders/100')).json(), { id: 100 });
        const response = await client().get('/orders/101');
        assert.equal(response.status, 400);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'path parameter "id"');
        assert.match(body.detail, /path parameter "id"/);
        assert.equal(body.errors[0].keyword, 'maximum');
      });

      it('checks enums', async () => {
        assert.deepEqual(await (await client().get('/colors/red')).json(), { c: 'red' });
        const response = await client().get('/colors/blue');
        assert.equal(response.status, 400);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'path parameter "c"');
        assert.equal(body.errors[0].keyword, 'enum');
      });
    });
  });

  describe('configuration errors at new App(...)', () => {
    function configurationError(routes: Route[] | Include[], ...patterns: RegExp[]): void {
      assert.throws(
        () => new App({ routes }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
          for (const pattern of patterns) assert.match(error.message, pattern);
          return true;
        },
      );
    }

    it('names the route, the handler function and the parameter for an undeclared name', () => {
      configurationError(
        [
          new Route(
            '/items/{id}',
            'GET',
            inject([PathParam('id'), PathParam('itemId')], function getItem(id, itemId) {
              return { id, itemId };
            }),
          ),
        ],
        /route GET \/items\/\{id\}/,
        /\bgetItem\b/,
        /parameter 2\b/,
        /PathParam\("itemId"\)/,
        /no path parameter "itemId"/,
        /declared: \{id\}/,
      );
    });

    it('uses the full path inside an Include, and says when the route declares none', () => {
      configurationError(
        [
          new Include('/api', [
            new Route(
              '/health',
              'GET',
              inject([PathParam('id')], function health(id) {
                return { id };
              }),
            ),
          ]),
        ],
        /route GET \/api\/health/,
        /\bhealth\b/,
        /PathParam\("id"\)/,
        /declared: none/,
      );
    });

    it('does not take an Object.prototype name for a declared one', () => {
      configurationError(
        [
          new Route(
            '/items/{id}',
            'GET',
            inject([PathParam('toString')], function sneaky(value) {
              return { value };
            }),
          ),
        ],
        /\bsneaky\b/,
        /no path parameter "toString"/,
      );
    });

    it('asks for a numeric schema on {id:int} and {x:float}, so the handler type matches the number it gets', () => {
      configurationError(
        [
          new Route(
            '/items/{id:int}',
            'GET',
            inject([PathParam('id')], function byId(id) {
              return { id };
            }),
          ),
        ],
        /route GET \/items\/\{id:int\}/,
        /\bbyId\b/,
        /PathParam\("id"\)/,
        /type: 'integer'/,
      );
      configurationError(
        [
          new Route(
            '/prices/{x:float}',
            'GET',
            inject([PathParam('x')], function byPrice(x) {
              return { x };
            }),
          ),
        ],
        /\bbyPrice\b/,
        /PathParam\("x"\)/,
        /type: 'number'/,
      );
    });
  });

  it('still coerces and checks a value a hook put in place of the converted one', async () => {
    class Rewrite {
      @inject([Scope])
      onRequest(scope: Scope): void {
        scope.pathParams = { id: scope.pathParams.id === 7 ? '8' : 'x' };
      }
    }
    const app = new App({
      settings: { logError: () => {} },
      routes: [
        new Route(
          '/items/{id:int}',
          'GET',
          inject([PathParam('id', { type: 'integer' })], (id) => ({ id, type: typeof id })),
        ),
      ],
      hooks: [Rewrite],
    });
    const client = new TestClient(app);
    assert.deepEqual(await (await client.get('/items/7')).json(), { id: 8, type: 'number' });
    const refused = await client.get('/items/9');
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as ValidationBody).errors[0].keyword, 'type');
  });
});
