import assert from 'node:assert/strict';
import { Header } from '../../components/header';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

function makeApp(): App {
  return new App({
    routes: [
      new Route(
        '/lower',
        'GET',
        inject([Header('x-request-id')], (id) => ({ present: id !== undefined, id: id ?? null })),
      ),
      new Route(
        '/mixed',
        'GET',
        inject([Header('X-Request-ID')], (id) => ({ present: id !== undefined, id: id ?? null })),
      ),
      new Route(
        '/inherited',
        'GET',
        inject([Header('toString'), Header('constructor')], (a, b) => ({ a: typeof a, b: typeof b })),
      ),
      new Route(
        '/two',
        'GET',
        inject([Header('X-Locale'), Header('x-api-key')], (lang, key) => ({ lang: lang ?? null, key: key ?? null })),
      ),
    ],
  });
}

describe('Header', () => {
  forEachClient(makeApp, (client) => {
    it('gives the value of a present header', async () => {
      const response = await client().get('/lower', { headers: { 'x-request-id': 'abc-123' } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { present: true, id: 'abc-123' });
    });

    it('is undefined when the header is absent', async () => {
      assert.deepEqual(await (await client().get('/lower')).json(), { present: false, id: null });
    });

    it('matches the name case-insensitively, whichever side is upper-case', async () => {
      assert.deepEqual(await (await client().get('/lower', { headers: { 'X-REQUEST-ID': 'one' } })).json(), { present: true, id: 'one' });
      assert.deepEqual(await (await client().get('/mixed', { headers: { 'x-request-id': 'two' } })).json(), { present: true, id: 'two' });
      assert.deepEqual(await (await client().get('/mixed', { headers: { 'X-Request-Id': 'three' } })).json(), {
        present: true,
        id: 'three',
      });
    });

    it('does not take an inherited property of the header object for a header', async () => {
      assert.deepEqual(await (await client().get('/inherited')).json(), { a: 'undefined', b: 'undefined' });
    });

    it('gives an empty value as an empty string, not undefined', async () => {
      assert.deepEqual(await (await client().get('/lower', { headers: { 'x-request-id': '' } })).json(), { present: true, id: '' });
    });

    it('reads several headers independently', async () => {
      assert.deepEqual(await (await client().get('/two', { headers: { 'x-locale': 'fr-CH, fr;q=0.9', 'X-Api-Key': 'k1' } })).json(), {
        lang: 'fr-CH, fr;q=0.9',
        key: 'k1',
      });
      assert.deepEqual(await (await client().get('/two', { headers: { 'x-api-key': 'k2' } })).json(), { lang: null, key: 'k2' });
    });
  });
});
