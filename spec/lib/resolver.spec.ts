import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { injectable } from 'tsyringe';
import { Header } from '../../components/header';
import { PathParam } from '../../components/path-param';
import { Request } from '../../components/request';
import { Scope } from '../../components/scope';
import { App } from '../../lib/app';
import { component, ComponentToken } from '../../lib/component';
import { ConfigurationError } from '../../lib/exceptions';
import { inject } from '../../lib/inject';
import { Route, WebSocketRoute } from '../../lib/routes';
import { TestClient } from '../../lib/test-client';
import { isThenable } from '../../lib/thenable';

class Db { readonly id = Math.random(); }
class User { constructor(readonly name: string) {} }
class A { constructor(readonly b: unknown) {} }
class B { constructor(readonly a: unknown) {} }

const quiet = { logError: () => {} };

function startupError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected ConfigurationError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the App constructor to throw');
}

describe('resolver', () => {
  describe('startup errors', () => {
    it('names route, function and parameter for a token nothing provides', () => {
      const getUser = inject([Scope, 'db'], function getUser(scope, db) { return [scope, db]; });
      const message = startupError(() => new App({ routes: [new Route('/users/{id}', 'GET', getUser)] }));
      assert.match(message, /route GET \/users\/\{id\}/);
      assert.match(message, /function getUser/);
      assert.match(message, /parameter 2 \("db"\)/);
    });

    it('rejects a class the container cannot construct', () => {
      class NeedsArgs { constructor(readonly x: string) {} }
      const handler = inject([NeedsArgs], (x) => x);
      assert.match(startupError(() => new App({ routes: [new Route('/', 'GET', handler)] })), /NeedsArgs.*@injectable/);
    });

    it('reports a dependency cycle with its path', () => {
      const components = [component(A, [B], (b) => new A(b)), component(B, [A], (a) => new B(a))];
      const handler = inject([A], (a) => a);
      const message = startupError(() => new App({ routes: [new Route('/', 'GET', handler)], components }));
      assert.match(message, /dependency cycle A → B → A/);
    });

    it('rejects an app-scoped component that depends on the request', () => {
      const components = [component(User, [Header('x-user')], (name) => new User(name ?? ''), { scope: 'app' })];
      const handler = inject([User], (user) => user.name);
      const message = startupError(() => new App({ routes: [new Route('/', 'GET', handler)], components }));
      assert.match(message, /component User, dependency 1 \(Header\("x-user"\)\)/);
      assert.match(message, /longer-lived/);
    });

    it('rejects a message-scoped component outside a message handler', () => {
      const components = [component(User, [], () => new User('m'), { scope: 'message' })];
      const handler = inject([User], (user) => user.name);
      assert.match(startupError(() => new App({ routes: [new Route('/', 'GET', handler)], components })), /'message'-scoped/);
    });

    it('rejects an HTTP-only token on a WebSocket route, naming the hook', () => {
      class NeedsRequest {
        @inject([Request])
        onRequest(request: Request): void { void request; }
      }
      const message = startupError(() => new App({ routes: [new WebSocketRoute('/ws', () => undefined)], hooks: [NeedsRequest] }));
      assert.match(message, /route WS \/ws/);
      assert.match(message, /function NeedsRequest\.onRequest, parameter 1 \(Request\)/);
      assert.match(message, /only available on HTTP routes/);
    });

    it('rejects a handler with parameters but no tokens', () => {
      function list(limit: number): number { return limit; }
      assert.match(startupError(() => new App({ routes: [new Route('/', 'GET', list)] })), /list takes 1 parameter\(s\) but declares no tokens/);
    });

    it('rejects a component listed twice', () => {
      const components = [component(User, [], () => new User('a')), component(User, [], () => new User('b'))];
      assert.match(startupError(() => new App({ routes: [], components })), /listed twice/);
    });
  });

  describe('components', () => {
    it('resolves a request-scoped component once per request, shared by hooks and handler', async () => {
      let built = 0;
      const seen: User[] = [];
      class Spy {
        @inject([User])
        onRequest(user: User): void { seen.push(user); }
      }
      const components = [component(User, [Header('x-user')], (name) => { built++; return new User(name ?? 'anon'); })];
      const handler = inject([User], (user) => { seen.push(user); return { name: user.name }; });
      const client = new TestClient(new App({ routes: [new Route('/', 'GET', handler)], components, hooks: [Spy] }));
      assert.deepEqual(await (await client.get('/', { headers: { 'x-user': 'ada' } })).json(), { name: 'ada' });
      assert.equal(built, 1);
      assert.equal(seen[0], seen[1]);
      await client.get('/');
      assert.equal(built, 2);
    });

    it('builds an app-scoped component once for the app', async () => {
      let built = 0;
      const Config = new ComponentToken<{ n: number }>('Config');
      const components = [component(Config, [], () => ({ n: ++built }), { scope: 'app' })];
      const client = new TestClient(new App({ routes: [new Route('/', 'GET', inject([Config], (c) => c))], components }));
      await client.get('/');
      assert.deepEqual(await (await client.get('/')).json(), { n: 1 });
      assert.equal(built, 1);
    });

    it('awaits async factories and components that depend on components', async () => {
      class Session { constructor(readonly user: User) {} }
      const components = [
        component(User, [PathParam('name')], async (name) => { await new Promise((r) => setTimeout(r, 5)); return new User(name); }),
        component(Session, [User], (user) => new Session(user)),
      ];
      const handler = inject([Session], (session) => ({ user: session.user.name }));
      const client = new TestClient(new App({ routes: [new Route('/{name}', 'GET', handler)], components }));
      assert.deepEqual(await (await client.get('/grace')).json(), { user: 'grace' });
    });

    it('lets a listed component override a built-in one', async () => {
      const fake = component(Request, [], () => ({ method: 'FAKE' }) as unknown as Request);
      const handler = inject([Request], (request) => ({ method: request.method }));
      const client = new TestClient(new App({ routes: [new Route('/', 'GET', handler)], components: [fake] }));
      assert.deepEqual(await (await client.get('/')).json(), { method: 'FAKE' });
    });

    it('disposes request-scoped values when the request ends', async () => {
      const disposed: string[] = [];
      const components = [component(User, [], () => new User('d'), { dispose: (user) => { disposed.push(user.name); } })];
      const client = new TestClient(new App({ routes: [new Route('/', 'GET', inject([User], (u) => u.name))], components }));
      await client.get('/');
      assert.deepEqual(disposed, ['d']);
    });
  });

  describe('services from the container', () => {
    it('resolves classes from a per-request child container that is disposed afterwards', async () => {
      const disposed: number[] = [];
      @injectable()
      class Unit { readonly id = Math.random(); dispose(): void { disposed.push(this.id); } }
      const app = new App({ routes: [new Route('/', 'GET', inject([Unit, Db], (unit, db) => ({ unit: unit.id, db: db.id })))] });
      const { Lifecycle } = await import('tsyringe');
      app.container.register(Unit, { useClass: Unit }, { lifecycle: Lifecycle.ContainerScoped });
      const client = new TestClient(app);
      const first = await (await client.get('/')).json() as { unit: number };
      const second = await (await client.get('/')).json() as { unit: number };
      assert.notEqual(first.unit, second.unit);
      assert.deepEqual(disposed, [first.unit, second.unit]);
    });
  });

  describe('synchronous plans', () => {
    it('creates no promise on the request path when every step is synchronous', () => {
      const components = [component(User, [Header('x-user')], (name) => new User(name ?? 'anon'))];
      class Stamp { onRequest(): void {} onResponse(): void {} }
      const handler = inject([User, PathParam('id', { type: 'integer' })], (user, id) => ({ user: user.name, id }));
      const app = new App({ routes: [new Route('/items/{id:int}', 'GET', handler)], components, hooks: [new Stamp()] });
      const source = { method: 'GET', url: '/items/3', headers: { 'x-user': 'ada' }, client: null, server: null, body: Readable.from([]) };
      let promises = 0;
      const hook = createHook({ init: (_id, type) => { if (type === 'PROMISE') promises++; } }).enable();
      let result;
      try {
        result = app.dispatch(source);
      } finally {
        hook.disable();
      }
      assert.equal(isThenable(result.response), false);
      assert.equal(promises, 0);
      assert.equal((result.response as { body: string }).body, '{"user":"ada","id":3}');
    });

    it('does create one when a step is asynchronous (the probe above can see promises)', () => {
      const handler = inject([Scope], async (scope) => scope.path);
      const app = new App({ routes: [new Route('/', 'GET', handler)], settings: quiet });
      let promises = 0;
      const hook = createHook({ init: (_id, type) => { if (type === 'PROMISE') promises++; } }).enable();
      let result;
      try {
        result = app.dispatch({ method: 'GET', url: '/', headers: {}, client: null, server: null, body: Readable.from([]) });
      } finally {
        hook.disable();
      }
      assert.equal(isThenable(result.response), true);
      assert.ok(promises > 0);
    });
  });
});
