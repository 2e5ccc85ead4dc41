import assert from 'node:assert/strict';
import { Body } from '../../../components/body';
import { QueryParam } from '../../../components/query-param';
import { App } from '../../../lib/app';
import { ValidationError } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { jsonValidator, parameterValidator } from '../../../lib/inject/validation';
import { Route } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';

describe('validators (lib/inject/validation.ts)', () => {
  it('compiles equal schemas written out separately once: two routes may repeat a schema with an $id', async () => {
    // ajv alone refuses a second object with the same $id; compiled by their text, they are one schema.
    const note = () =>
      ({ $id: 'urn:starwire:spec:note', type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }) as const;
    const app = new App({
      routes: [
        new Route(
          '/a',
          'POST',
          inject([Body(note())], (body) => ({ a: body.text })),
        ),
        new Route(
          '/b',
          'POST',
          inject([Body(note())], (body) => ({ b: body.text })),
        ),
      ],
    });
    const client = new TestClient(app);
    assert.deepEqual(await (await client.post('/b', { json: { text: 'hi' } })).json(), { b: 'hi' });
    assert.equal((await client.post('/a', { json: {} })).status, 400);
  });

  it('keeps schemas that differ in one keyword apart', () => {
    const small = parameterValidator<number>({ type: 'integer', maximum: 5 }, 'query parameter "n"', 'spec');
    const large = parameterValidator<number>({ type: 'integer', maximum: 500 }, 'query parameter "n"', 'spec');
    assert.equal(large('50'), 50);
    assert.throws(() => small('50'), ValidationError);
    const strict = jsonValidator({ type: 'object', additionalProperties: false }, 'body', 'spec');
    const open = jsonValidator({ type: 'object' }, 'body', 'spec');
    assert.deepEqual(open({ x: 1 }), { x: 1 });
    assert.throws(() => strict({ x: 1 }), ValidationError);
  });

  it('still names the route and the parameter when a schema is invalid, also after an equal valid one', () => {
    new App({
      routes: [
        new Route(
          '/ok',
          'GET',
          inject([QueryParam('n', { type: 'integer' })], (n) => ({ n })),
        ),
      ],
    });
    assert.throws(
      () =>
        new App({
          routes: [
            new Route(
              '/bad',
              'GET',
              inject([QueryParam('n', { type: 'integr' } as never)], (n) => ({ n })),
            ),
          ],
        }),
      /\/bad.*query parameter "n"|query parameter "n".*\/bad/s,
    );
  });
});
