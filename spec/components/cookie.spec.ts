import assert from 'node:assert/strict';
import { Cookie } from '../../components/cookie';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

function makeApp(): App {
  return new App({
    routes: [
      new Route(
        '/session',
        'GET',
        inject([Cookie('session')], (session) => ({ present: session !== undefined, session: session ?? null })),
      ),
      new Route(
        '/prefs',
        'GET',
        inject([Cookie('theme'), Cookie('lang'), Cookie('session')], (theme, lang, session) => ({
          theme: theme ?? null,
          lang: lang ?? null,
          session: session ?? null,
        })),
      ),
      new Route(
        '/inherited',
        'GET',
        inject([Cookie('toString'), Cookie('constructor')], (a, b) => ({ a: typeof a, b: typeof b })),
      ),
      new Route(
        '/upper',
        'GET',
        inject([Cookie('Session')], (session) => ({ session: session ?? null })),
      ),
    ],
  });
}

describe('Cookie', () => {
  forEachClient(makeApp, (client) => {
    it('gives the value of a present cookie', async () => {
      const response = await client().get('/session', { headers: { cookie: 'session=abc123' } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { present: true, session: 'abc123' });
    });

    it('is undefined without a Cookie header', async () => {
      assert.deepEqual(await (await client().get('/session')).json(), { present: false, session: null });
    });

    it('is undefined when other cookies are sent but not this one', async () => {
      assert.deepEqual(await (await client().get('/session', { headers: { cookie: 'theme=dark; lang=en' } })).json(), {
        present: false,
        session: null,
      });
    });

    it('picks each of several cookies out of one header', async () => {
      const response = await client().get('/prefs', { headers: { cookie: 'theme=dark; session=s-1; lang=en' } });
      assert.deepEqual(await response.json(), { theme: 'dark', lang: 'en', session: 's-1' });
    });

    it('picks the cookies that are there and leaves the others undefined', async () => {
      assert.deepEqual(await (await client().get('/prefs', { headers: { cookie: 'lang=de' } })).json(), {
        theme: null,
        lang: 'de',
        session: null,
      });
    });

    it('percent-decodes cookie values', async () => {
      assert.deepEqual(await (await client().get('/session', { headers: { cookie: 'session=a%20b%3Bc' } })).json(), {
        present: true,
        session: 'a b;c',
      });
    });

    it('does not take an inherited property for a cookie', async () => {
      assert.deepEqual(await (await client().get('/inherited', { headers: { cookie: 'a=1' } })).json(), { a: 'undefined', b: 'undefined' });
    });

    it('treats cookie names as case-sensitive', async () => {
      assert.deepEqual(await (await client().get('/upper', { headers: { cookie: 'session=lower' } })).json(), { session: null });
      assert.deepEqual(await (await client().get('/upper', { headers: { cookie: 'Session=upper; session=lower' } })).json(), {
        session: 'upper',
      });
    });
  });
});
