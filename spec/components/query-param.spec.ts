import assert from 'node:assert/strict';
import { QueryParam } from '../../components/query-param';
import { Request } from '../../components/request';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
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
        '/raw',
        'GET',
        inject([QueryParam('q')], (q) => ({ present: q !== undefined, q: q ?? null, type: typeof q })),
      ),
      new Route(
        '/paged',
        'GET',
        inject(
          [QueryParam('page', { type: 'integer', minimum: 1, default: 1 }), QueryParam('size', { type: 'integer', default: 20 })],
          (page, size) => ({ page, size, pageType: typeof page }),
        ),
      ),
      new Route(
        '/flags',
        'GET',
        inject([QueryParam('on', { type: 'boolean' })], (on) => ({ on: on ?? null, type: typeof on })),
      ),
      new Route(
        '/optional',
        'GET',
        inject([QueryParam('limit', { type: 'integer' })], (limit) => ({ present: limit !== undefined })),
      ),
      new Route(
        '/tags',
        'GET',
        inject([QueryParam('tag', { type: 'array', items: { type: 'string' } })], (tags) => ({
          tags: tags ?? null,
          isArray: Array.isArray(tags),
        })),
      ),
      new Route(
        '/ids',
        'GET',
        inject([QueryParam('id', { type: 'array', items: { type: 'integer' } })], (ids) => ({ ids: ids ?? null })),
      ),
      // The coerced copy must not leak into the shared query seen by later tokens.
      new Route(
        '/ids-and-raw',
        'GET',
        inject([QueryParam('id', { type: 'array', items: { type: 'integer' } }), QueryParam('id'), Request], (ids, raw, request) => ({
          ids: ids ?? null,
          raw: raw ?? null,
          query: request.query,
        })),
      ),
    ],
  });
}

describe('QueryParam', () => {
  forEachClient(makeApp, (client) => {
    describe('without a schema', () => {
      it('is undefined when absent', async () => {
        assert.deepEqual(await (await client().get('/raw')).json(), { present: false, q: null, type: 'undefined' });
        assert.deepEqual(await (await client().get('/raw?other=1')).json(), { present: false, q: null, type: 'undefined' });
      });

      it('gives the decoded string', async () => {
        assert.deepEqual(await (await client().get('/raw?q=hello%20world')).json(), { present: true, q: 'hello world', type: 'string' });
        assert.deepEqual(await (await client().get('/raw', { query: { q: '42' } })).json(), { present: true, q: '42', type: 'string' });
      });

      it('gives an empty string for ?q=', async () => {
        assert.deepEqual(await (await client().get('/raw?q=')).json(), { present: true, q: '', type: 'string' });
      });

      it('gives the first value of a repeated key', async () => {
        assert.deepEqual(await (await client().get('/raw?q=first&q=second&q=third')).json(), { present: true, q: 'first', type: 'string' });
      });
    });

    describe('with a schema', () => {
      it('applies schema defaults when absent', async () => {
        assert.deepEqual(await (await client().get('/paged')).json(), { page: 1, size: 20, pageType: 'number' });
      });

      it('coerces to integer', async () => {
        assert.deepEqual(await (await client().get('/paged?page=3&size=50')).json(), { page: 3, size: 50, pageType: 'number' });
      });

      it('coerces to boolean', async () => {
        assert.deepEqual(await (await client().get('/flags?on=true')).json(), { on: true, type: 'boolean' });
        assert.deepEqual(await (await client().get('/flags?on=false')).json(), { on: false, type: 'boolean' });
      });

      it('stays undefined when absent and the schema has no default', async () => {
        assert.deepEqual(await (await client().get('/flags')).json(), { on: null, type: 'undefined' });
        assert.deepEqual(await (await client().get('/optional')).json(), { present: false });
      });

      it('collects a repeated key into an array schema', async () => {
        assert.deepEqual(await (await client().get('/tags?tag=a&tag=b')).json(), { tags: ['a', 'b'], isArray: true });
        assert.deepEqual(await (await client().get('/tags', { query: { tag: ['x', 'y', 'z'] } })).json(), {
          tags: ['x', 'y', 'z'],
          isArray: true,
        });
      });

      it('wraps a single value into an array schema', async () => {
        assert.deepEqual(await (await client().get('/tags?tag=solo')).json(), { tags: ['solo'], isArray: true });
      });

      it('coerces array items', async () => {
        assert.deepEqual(await (await client().get('/ids?id=1&id=22')).json(), { ids: [1, 22] });
        assert.deepEqual(await (await client().get('/ids?id=5')).json(), { ids: [5] });
      });

      it('leaves the shared query untouched by coercion', async () => {
        assert.deepEqual(await (await client().get('/ids-and-raw?id=1&id=2')).json(), { ids: [1, 2], raw: '1', query: { id: ['1', '2'] } });
        assert.deepEqual(await (await client().get('/ids-and-raw?id=7')).json(), { ids: [7], raw: '7', query: { id: '7' } });
      });

      it('answers 400 naming the parameter with ajv errors when coercion fails', async () => {
        const response = await client().get('/paged?page=abc');
        assert.equal(response.status, 400);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'query parameter "page"');
        assert.match(body.detail, /query parameter "page"/);
        assert.ok(Array.isArray(body.errors));
        assert.equal(body.errors.length, 1);
        assert.equal(body.errors[0].keyword, 'type');
        assert.deepEqual(body.errors[0].params, { type: 'integer' });
        assert.equal(body.errors[0].message, 'must be integer');
      });

      it('answers 400 when the value breaks a constraint', async () => {
        const response = await client().get('/paged?page=0');
        assert.equal(response.status, 400);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'query parameter "page"');
        assert.equal(body.errors[0].keyword, 'minimum');
        assert.deepEqual(body.errors[0].params, { comparison: '>=', limit: 1 });
      });

      it('answers 400 for a non-boolean', async () => {
        const response = await client().get('/flags?on=maybe');
        assert.equal(response.status, 400);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'query parameter "on"');
        assert.equal(body.errors[0].keyword, 'type');
      });

      it('answers 400 for a bad array item', async () => {
        const response = await client().get('/ids?id=1&id=x');
        assert.equal(response.status, 400);
        const body = (await response.json()) as ValidationBody;
        assert.equal(body.parameter, 'query parameter "id"');
        assert.equal(body.errors[0].keyword, 'type');
        assert.equal(body.errors[0].instancePath, '/1');
      });
    });
  });
});

describe('QueryParam with { required: true }', () => {
  forEachClient(
    () =>
      new App({
        settings: { logError: () => {} },
        routes: [
          new Route(
            '/find',
            'GET',
            inject([QueryParam('q', { type: 'string', minLength: 1 }, { required: true })], (q) => ({ q: q.toUpperCase() })),
          ),
        ],
      }),
    (client) => {
      it('passes a present value, typed without undefined', async () => {
        assert.deepEqual(await (await client().get('/find', { query: { q: 'chat' } })).json(), { q: 'CHAT' });
      });

      it('answers a missing one with 400 naming the parameter', async () => {
        const response = await client().get('/find');
        assert.equal(response.status, 400);
        const body = (await response.json()) as { detail: string; parameter: string; errors: { keyword: string }[] };
        assert.equal(body.detail, 'Missing query parameter "q"');
        assert.equal(body.parameter, 'query parameter "q"');
        assert.equal(body.errors[0].keyword, 'required');
      });
    },
  );
});
