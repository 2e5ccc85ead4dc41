import assert from 'node:assert/strict';
import { User } from '../../components/user';
import { Cors, type CorsOptions } from '../../hooks/cors';
import { TokenAuth } from '../../hooks/token-auth';
import { App } from '../../lib/app';
import { HTTPException } from '../../lib/errors/exceptions';
import * as status from '../../lib/errors/status';
import { Response } from '../../lib/http/response';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

const ALLOWED = 'https://chat.example.com';
const OTHER = 'https://evil.example.net';

let handled = 0;

function makeApp(options: CorsOptions): () => App {
  return () =>
    new App({
      settings: { logError: () => {} },
      hooks: [new Cors(options)],
      routes: [
        new Route('/items', 'GET', () => {
          handled++;
          return { ok: true };
        }),
        new Route('/items', 'POST', () => ({ created: true })),
        new Route('/varied', 'GET', () => new Response('hi', { headers: { vary: 'Accept-Encoding' } })),
        new Route('/boom', 'GET', () => {
          throw new Error('kaput');
        }),
        new Route('/forbidden', 'GET', () => {
          throw new HTTPException(status.HTTP_403_FORBIDDEN, 'no');
        }),
      ],
    });
}

function preflight(origin: string, method: string, headers?: string): Record<string, string> {
  const result: Record<string, string> = { origin, 'access-control-request-method': method };
  if (headers !== undefined) result['access-control-request-headers'] = headers;
  return result;
}

describe('Cors', () => {
  describe('with an origin list', () => {
    forEachClient(
      makeApp({ allowOrigins: [ALLOWED], allowMethods: ['GET', 'POST'], exposeHeaders: ['x-total', 'x-page'], maxAge: 120 }),
      (client) => {
        describe('preflight', () => {
          it('answers 204 with the allow-* headers, without running the route', async () => {
            const before = handled;
            const response = await client().request('OPTIONS', '/items', {
              headers: preflight(ALLOWED, 'POST', 'Content-Type, Authorization'),
            });
            assert.equal(response.status, 204);
            assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
            assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST');
            assert.equal(response.headers.get('access-control-allow-headers'), 'content-type, authorization');
            assert.equal(response.headers.get('access-control-max-age'), '120');
            assert.equal(response.headers.get('vary'), 'Origin');
            assert.equal(response.headers.get('access-control-allow-credentials'), null);
            assert.equal(await response.text(), '');
            assert.equal(handled, before);
          });

          it('omits allow-headers when none are asked for', async () => {
            const response = await client().request('OPTIONS', '/items', { headers: preflight(ALLOWED, 'get') });
            assert.equal(response.status, 204);
            assert.equal(response.headers.get('access-control-allow-headers'), null);
          });

          it('refuses a disallowed origin with 400 and no allow-origin', async () => {
            const response = await client().request('OPTIONS', '/items', { headers: preflight(OTHER, 'GET') });
            assert.equal(response.status, 400);
            assert.equal(response.headers.get('access-control-allow-origin'), null);
            assert.equal(response.headers.get('access-control-allow-methods'), null);
            assert.equal(await response.text(), 'Disallowed CORS origin');
          });

          it('refuses a disallowed method with 400', async () => {
            const response = await client().request('OPTIONS', '/items', { headers: preflight(ALLOWED, 'DELETE') });
            assert.equal(response.status, 400);
            assert.equal(response.headers.get('access-control-allow-methods'), null);
            assert.equal(await response.text(), 'Disallowed CORS method');
          });

          it('refuses a disallowed request header with 400', async () => {
            const response = await client().request('OPTIONS', '/items', { headers: preflight(ALLOWED, 'POST', 'content-type, x-secret') });
            assert.equal(response.status, 400);
            assert.equal(response.headers.get('access-control-allow-headers'), null);
            assert.equal(await response.text(), 'Disallowed CORS headers');
          });

          it('treats an OPTIONS without access-control-request-method as an ordinary request', async () => {
            const response = await client().request('OPTIONS', '/items', { headers: { origin: ALLOWED } });
            assert.equal(response.status, 405);
            assert.match(response.headers.get('allow') ?? '', /GET/);
            assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
          });
        });

        describe('simple requests', () => {
          it('get allow-origin, vary: Origin and expose-headers for an allowed origin', async () => {
            const response = await client().get('/items', { headers: { origin: ALLOWED } });
            assert.equal(response.status, 200);
            assert.deepEqual(await response.json(), { ok: true });
            assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
            assert.equal(response.headers.get('vary'), 'Origin');
            assert.equal(response.headers.get('access-control-expose-headers'), 'x-total, x-page');
            assert.equal(response.headers.get('access-control-allow-methods'), null);
          });

          it('get no CORS headers for a disallowed origin, but are still served', async () => {
            const response = await client().get('/items', { headers: { origin: OTHER } });
            assert.equal(response.status, 200);
            assert.equal(response.headers.get('access-control-allow-origin'), null);
            assert.equal(response.headers.get('access-control-expose-headers'), null);
          });

          it('get no CORS headers without an Origin', async () => {
            const response = await client().get('/items');
            assert.equal(response.status, 200);
            assert.equal(response.headers.get('access-control-allow-origin'), null);
            assert.equal(response.headers.get('vary'), null);
          });

          it('keep a vary the route set, adding Origin', async () => {
            const response = await client().get('/varied', { headers: { origin: ALLOWED } });
            assert.equal(response.headers.get('vary'), 'Accept-Encoding, Origin');
          });
        });

        describe('error responses', () => {
          it('get the headers on a 404', async () => {
            const response = await client().get('/nowhere', { headers: { origin: ALLOWED } });
            assert.equal(response.status, 404);
            assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
            assert.equal(response.headers.get('vary'), 'Origin');
          });

          it('get the headers on a 500', async () => {
            const response = await client().get('/boom', { headers: { origin: ALLOWED } });
            assert.equal(response.status, 500);
            assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
            assert.equal(response.headers.get('access-control-expose-headers'), 'x-total, x-page');
          });

          it('get the headers on an HTTPException', async () => {
            const response = await client().get('/forbidden', { headers: { origin: ALLOWED } });
            assert.equal(response.status, 403);
            assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
          });

          it('get none for a disallowed origin', async () => {
            const response = await client().get('/boom', { headers: { origin: OTHER } });
            assert.equal(response.status, 500);
            assert.equal(response.headers.get('access-control-allow-origin'), null);
          });
        });
      },
    );
  });

  describe('with the default methods', () => {
    forEachClient(makeApp({ allowOrigins: [ALLOWED] }), (client) => {
      it('allows the usual methods and a max-age of 600', async () => {
        const response = await client().request('OPTIONS', '/items', { headers: preflight(ALLOWED, 'PATCH') });
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-methods'), 'GET, HEAD, POST, PUT, PATCH, DELETE');
        assert.equal(response.headers.get('access-control-max-age'), '600');
      });

      it('refuses a method outside them', async () => {
        assert.equal((await client().request('OPTIONS', '/items', { headers: preflight(ALLOWED, 'TRACE') })).status, 400);
      });
    });
  });

  describe('with a wildcard origin', () => {
    forEachClient(makeApp({ allowOrigins: '*' }), (client) => {
      it('answers any origin with "*" and no vary', async () => {
        const response = await client().get('/items', { headers: { origin: OTHER } });
        assert.equal(response.headers.get('access-control-allow-origin'), '*');
        assert.equal(response.headers.get('vary'), null);
        assert.equal(response.headers.get('access-control-allow-credentials'), null);
      });

      it('answers a preflight from any origin with "*"', async () => {
        const response = await client().request('OPTIONS', '/items', { headers: preflight(OTHER, 'PUT') });
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), '*');
      });
    });
  });

  describe('listed after an auth hook, as README shows ([auth, new Cors()])', () => {
    forEachClient(
      () => {
        const auth = new TokenAuth({ verify: (token) => (token === 'let-me-in' ? new User('ada') : null) });
        const me = inject([User], (user) => ({ id: user.id }));
        return new App({ routes: [new Route('/me', 'GET', me)], hooks: [auth, new Cors({ allowOrigins: '*' })], components: [auth.user] });
      },
      (client) => {
        it("answers the preflight (which carries no credentials) with 204, not the auth hook's 401", async () => {
          const response = await client().request('OPTIONS', '/me', { headers: preflight(OTHER, 'GET', 'authorization') });
          assert.equal(response.status, 204);
          assert.equal(response.headers.get('access-control-allow-origin'), '*');
          assert.equal(response.headers.get('access-control-allow-headers'), 'authorization');
        });

        it("puts its headers on the auth hook's 401, so the page can read the refusal", async () => {
          const response = await client().get('/me', { headers: { origin: OTHER } });
          assert.equal(response.status, 401);
          assert.equal(response.headers.get('access-control-allow-origin'), '*');
        });

        it('serves the authenticated request with its headers', async () => {
          const response = await client().get('/me', { headers: { origin: OTHER, authorization: 'Bearer let-me-in' } });
          assert.deepEqual(await response.json(), { id: 'ada' });
          assert.equal(response.headers.get('access-control-allow-origin'), '*');
        });
      },
    );
  });

  describe('with a wildcard origin and credentials', () => {
    it('is refused at construction: every site could read credentialed responses', () => {
      assert.throws(() => new Cors({ allowOrigins: '*', allowCredentials: true }), /list the allowed origins/);
    });
  });

  describe('with no origins configured', () => {
    forEachClient(makeApp({}), (client) => {
      it('allows none', async () => {
        assert.equal((await client().request('OPTIONS', '/items', { headers: preflight(ALLOWED, 'GET') })).status, 400);
        assert.equal((await client().get('/items', { headers: { origin: ALLOWED } })).headers.get('access-control-allow-origin'), null);
      });
    });
  });
});
