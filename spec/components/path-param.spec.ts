import assert from 'node:assert/strict';
import { PathParam } from '../../components/path-param';
import { App } from '../../lib/app';
import { ConfigurationError } from '../../lib/exceptions';
import { inject } from '../../lib/inject';
import { Include, Route } from '../../lib/routes';
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
      new Route('/items/{id:int}', 'GET', inject([PathParam('id')], (id) => ({ id, type: typeof id }))),
      new Route('/prices/{amount:float}', 'GET', inject([PathParam('amount')], (amount) => ({ amount, type: typeof amount }))),
      new Route('/users/{name}', 'GET', inject([PathParam('name')], (name) => ({ name, type: typeof name }))),
      new Route('/files/{rest:path}', 'GET', inject([PathParam('rest')], (rest) => ({ rest }))),
      // A str segment coerced and checked by the schema.
      new Route('/pages/{n}', 'GET', inject([PathParam('n', { type: 'integer', minimum: 1 })], (n) => ({ n, type: typeof n }))),
      // An int segment further constrained by the schema.
      new Route('/orders/{id:int}', 'GET', inject([PathParam('id', { type: 'integer', maximum: 100 })], (id) => ({ id }))),
      new Route('/colors/{c}', 'GET', inject([PathParam('c', { enum: ['red', 'green'] })], (c) => ({ c }))),
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

  describe('an undeclared name', () => {
    it('is a ConfigurationError at new App(...) naming the route, the function and the parameter', () => {
      const routes = [new Route('/items/{id}', 'GET', inject([PathParam('id'), PathParam('itemId')], function getItem(id, itemId) {
        return { id, itemId };
      }))];
      assert.throws(() => new App({ routes }), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
        assert.match(error.message, /route GET \/items\/\{id\}/);
        assert.match(error.message, /\bgetItem\b/);
        assert.match(error.message, /PathParam\("itemId"\)/);
        assert.match(error.message, /parameter 2\b/);
        assert.match(error.message, /declared: \{id\}/);
        return true;
      });
    });

    it('is an error on a route without any parameters, with the full path of an Include', () => {
      const routes = [new Include('/api', [new Route('/health', 'GET', inject([PathParam('id')], function health(id) { return { id }; }))])];
      assert.throws(() => new App({ routes }), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.match(error.message, /route GET \/api\/health/);
        assert.match(error.message, /\bhealth\b/);
        assert.match(error.message, /PathParam\("id"\)/);
        assert.match(error.message, /declared: none/);
        return true;
      });
    });
  });
});
