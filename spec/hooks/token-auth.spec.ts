import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { Scope } from '../../components/scope';
import { User } from '../../components/user';
import { TokenAuth, type TokenAuthOptions } from '../../hooks/token-auth';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

const users: Record<string, User> = {
  'good-token': new User('u1', 'Alice', { role: 'admin', tenant: 't9' }),
  'plain-token': new User('u2'),
};

/** The scopes `verify` was called with, to check it sees the request. */
const verifiedPaths: string[] = [];

function syncVerify(token: string, scope: Scope): User | null {
  verifiedPaths.push(scope.path);
  return users[token] ?? null;
}

async function asyncVerify(token: string): Promise<User | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return users[token];
}

let publicHits = 0;

function makeApp(options: TokenAuthOptions): () => App {
  return () => {
    const auth = new TokenAuth(options);
    return new App({
      settings: { logError: () => {} },
      hooks: [auth],
      components: [auth.user],
      routes: [
        new Route(
          '/me',
          'GET',
          inject([User], (user) => ({ id: user.id, name: user.name, claims: user.claims })),
        ),
        new Route(
          '/public',
          'GET',
          inject([Scope], (scope) => {
            publicHits++;
            return { public: true, path: scope.path };
          }),
        ),
      ],
    });
  };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function expect401(response: Response, detail: string): Promise<void> {
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer');
  assert.deepEqual(await response.json(), { detail });
}

describe('TokenAuth', () => {
  it('needs a verify function', () => {
    assert.throws(() => new TokenAuth({} as unknown as TokenAuthOptions), TypeError);
  });

  describe('with a synchronous verify (token required)', () => {
    forEachClient(makeApp({ verify: syncVerify }), (client) => {
      it('answers 401 with www-authenticate: Bearer without a token, before the handler', async () => {
        const before = publicHits;
        await expect401(await client().get('/public'), 'Authentication required');
        await expect401(await client().get('/me'), 'Authentication required');
        assert.equal(publicHits, before);
      });

      it('answers 401 to an invalid token', async () => {
        await expect401(await client().get('/me', { headers: bearer('forged') }), 'Invalid token');
      });

      it('answers 401 to a header with another scheme, or an empty token', async () => {
        await expect401(await client().get('/me', { headers: { authorization: 'Basic Z29vZC10b2tlbg==' } }), 'Authentication required');
        await expect401(await client().get('/me', { headers: { authorization: 'Bearer ' } }), 'Authentication required');
      });

      it('injects the User a valid token gives (id, name, claims)', async () => {
        const response = await client().get('/me', { headers: bearer('good-token') });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { id: 'u1', name: 'Alice', claims: { role: 'admin', tenant: 't9' } });
      });

      it("defaults a user's name to its id and its claims to {}", async () => {
        assert.deepEqual(await (await client().get('/me', { headers: bearer('plain-token') })).json(), {
          id: 'u2',
          name: 'u2',
          claims: {},
        });
      });

      it('reads the scheme case-insensitively', async () => {
        assert.equal((await client().get('/me', { headers: { authorization: 'bearer good-token' } })).status, 200);
      });

      it('passes the scope to verify', async () => {
        verifiedPaths.length = 0;
        await client().get('/public', { headers: bearer('good-token') });
        assert.deepEqual(verifiedPaths, ['/public']);
      });

      it('ignores a token in the query string on HTTP', async () => {
        await expect401(await client().get('/me?token=good-token'), 'Authentication required');
      });
    });
  });

  describe('with an async verify', () => {
    forEachClient(makeApp({ verify: asyncVerify }), (client) => {
      it('injects the User once verify resolves', async () => {
        const response = await client().get('/me', { headers: bearer('good-token') });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { id: 'u1', name: 'Alice', claims: { role: 'admin', tenant: 't9' } });
      });

      it('answers 401 when verify resolves to nothing', async () => {
        await expect401(await client().get('/me', { headers: bearer('forged') }), 'Invalid token');
      });
    });
  });

  describe('with a verify returning a promise from another realm', () => {
    // Such a promise fails `instanceof Promise` here; it must still be awaited, not taken as a user.
    const foreignVerify = (token: string): Promise<User | null> =>
      runInNewContext('Promise.resolve(user)', { user: users[token] ?? null }) as Promise<User | null>;

    forEachClient(makeApp({ verify: foreignVerify }), (client) => {
      it('refuses a token it resolves to null', async () => {
        const before = publicHits;
        await expect401(await client().get('/public', { headers: bearer('forged') }), 'Invalid token');
        await expect401(await client().get('/me', { headers: bearer('forged') }), 'Invalid token');
        assert.equal(publicHits, before);
      });

      it('injects the user it resolves to', async () => {
        assert.deepEqual(await (await client().get('/me', { headers: bearer('plain-token') })).json(), {
          id: 'u2',
          name: 'u2',
          claims: {},
        });
      });
    });
  });

  describe('with required: false', () => {
    forEachClient(makeApp({ verify: syncVerify, required: false }), (client) => {
      it('lets an anonymous request reach a route that does not inject User', async () => {
        const response = await client().get('/public');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { public: true, path: '/public' });
      });

      it('answers 401 on a route that injects User', async () => {
        await expect401(await client().get('/me'), 'Authentication required');
      });

      it('still injects the User for a valid token', async () => {
        assert.deepEqual(await (await client().get('/me', { headers: bearer('plain-token') })).json(), {
          id: 'u2',
          name: 'u2',
          claims: {},
        });
      });

      it('still refuses an invalid token', async () => {
        await expect401(await client().get('/public', { headers: bearer('forged') }), 'Invalid token');
      });
    });
  });

  describe('with a query parameter turned on for HTTP', () => {
    forEachClient(makeApp({ verify: syncVerify, query: 'access_token' }), (client) => {
      it('accepts the token from that parameter', async () => {
        const response = await client().get('/me', { query: { access_token: 'good-token' } });
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as { id: string }).id, 'u1');
      });

      it('still ignores other parameters', async () => {
        await expect401(await client().get('/me?token=good-token'), 'Authentication required');
      });
    });
  });

  describe('with a custom header and scheme', () => {
    forEachClient(makeApp({ verify: syncVerify, header: 'X-Auth', scheme: 'Token' }), (client) => {
      it('reads the token from that header with that scheme', async () => {
        assert.equal((await client().get('/me', { headers: { 'x-auth': 'Token good-token' } })).status, 200);
      });

      it('ignores the default header and names its scheme in www-authenticate', async () => {
        const response = await client().get('/me', { headers: bearer('good-token') });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('www-authenticate'), 'Token');
      });
    });
  });
});
