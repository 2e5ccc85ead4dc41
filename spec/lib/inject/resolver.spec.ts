import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { injectable } from 'tsyringe';
import { Header } from '../../../components/header';
import { PathParam } from '../../../components/path-param';
import { Request } from '../../../components/request';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { HTTPException } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { ComponentToken, component } from '../../../lib/inject/component';
import { inject } from '../../../lib/inject/inject';
import { isThenable } from '../../../lib/inject/thenable';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { forEachClient } from '../../support/clients';
import { startupError } from '../../support/startup-error';
import { forEachTransport } from '../../support/ws-client';

class Db {
  readonly id = Math.random();
}
class User {
  constructor(readonly name: string) {}
}
class A {
  constructor(readonly b: unknown) {}
}
class B {
  constructor(readonly a: unknown) {}
}

const quiet = { logError: () => {} };

describe('resolver', () => {
  describe('startup errors', () => {
    it('names route, function and parameter for a token nothing provides', () => {
      const getUser = inject([Scope, 'db'], function getUser(scope, db) {
        return [scope, db];
      });
      const message = startupError(() => new App({ routes: [new Route('/users/{id}', 'GET', getUser)] }));
      assert.match(message, /route GET \/users\/\{id\}/);
      assert.match(message, /function getUser/);
      assert.match(message, /parameter 2 \("db"\)/);
    });

    it('rejects a class the container cannot construct', () => {
      class NeedsArgs {
        constructor(readonly x: string) {}
      }
      const handler = inject([NeedsArgs], (x) => x);
      assert.match(
        startupError(() => new App({ routes: [new Route('/', 'GET', handler)] })),
        /NeedsArgs.*@injectable/,
      );
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
      assert.match(
        startupError(() => new App({ routes: [new Route('/', 'GET', handler)], components })),
        /'message'-scoped/,
      );
    });

    it('rejects an HTTP-only token in a hook that says it wraps WebSocket routes, naming the hook', () => {
      class NeedsRequest {
        readonly appliesTo = ['websocket'] as const;
        @inject([Request])
        onRequest(request: Request): void {
          void request;
        }
      }
      const message = startupError(() => new App({ routes: [new WebSocketRoute('/ws', () => undefined)], hooks: [NeedsRequest] }));
      assert.match(message, /route WS \/ws/);
      assert.match(message, /function NeedsRequest\.onRequest, parameter 1 \(Request\)/);
      assert.match(message, /only available on HTTP routes/);
    });

    describe("a parameter whose type is one of JavaScript's own", () => {
      const builtIns: [string, unknown][] = [
        ['Object', Object],
        ['Map', Map],
        ['Set', Set],
        ['Array', Array],
        ['Promise', Promise],
        ['Function', Function],
        ['String', String],
        ['Number', Number],
        ['Boolean', Boolean],
        ['Symbol', Symbol],
        ['BigInt', BigInt],
      ];
      for (const [name, type] of builtIns) {
        it(`rejects ${name} at startup, naming route, function and parameter`, () => {
          const handler = inject([Scope, type as typeof Object], function listItems(scope, value) {
            return [scope.path, value];
          });
          const message = startupError(() => new App({ routes: [new Route('/items', 'GET', handler)] }));
          assert.match(message, new RegExp(`route GET /items, function listItems, parameter 2 \\(${name}\\): ${name} is a built-in type`));
        });
      }

      it('rejects what decorator metadata records for an interface, a string and a Map', () => {
        interface Settings {
          readonly verbose: boolean;
        }
        class FromInterface {
          @inject()
          onRequest(settings: Settings): void {
            void settings;
          }
        }
        class FromString {
          @inject()
          onRequest(scope: Scope, name: string): void {
            void scope;
            void name;
          }
        }
        class FromMap {
          @inject()
          onRequest(cache: Map<string, number>): void {
            void cache;
          }
        }
        const route = new Route('/', 'GET', () => 'ok');
        assert.match(
          startupError(() => new App({ routes: [route], hooks: [FromInterface] })),
          /function FromInterface\.onRequest, parameter 1 \(Object\): Object is a built-in type/,
        );
        assert.match(
          startupError(() => new App({ routes: [route], hooks: [FromString] })),
          /function FromString\.onRequest, parameter 2 \(String\): String is a built-in type/,
        );
        assert.match(
          startupError(() => new App({ routes: [route], hooks: [FromMap] })),
          /function FromMap\.onRequest, parameter 1 \(Map\): Map is a built-in type/,
        );
      });
    });

    it('rejects a handler with parameters but no tokens', () => {
      function list(limit: number): number {
        return limit;
      }
      assert.match(
        startupError(() => new App({ routes: [new Route('/', 'GET', list)] })),
        /list takes 1 parameter\(s\) but declares no tokens/,
      );
    });

    it('rejects a component listed twice', () => {
      const components = [component(User, [], () => new User('a')), component(User, [], () => new User('b'))];
      assert.match(
        startupError(() => new App({ routes: [], components })),
        /listed twice/,
      );
    });
  });

  describe('components', () => {
    it('resolves a request-scoped component once per request, shared by hooks and handler', async () => {
      let built = 0;
      const seen: User[] = [];
      class Spy {
        @inject([User])
        onRequest(user: User): void {
          seen.push(user);
        }
      }
      const components = [
        component(User, [Header('x-user')], (name) => {
          built++;
          return new User(name ?? 'anon');
        }),
      ];
      const handler = inject([User], (user) => {
        seen.push(user);
        return { name: user.name };
      });
      const client = new TestClient(new App({ routes: [new Route('/', 'GET', handler)], components, hooks: [Spy] }));
      assert.deepEqual(await (await client.get('/', { headers: { 'x-user': 'ada' } })).json(), { name: 'ada' });
      assert.equal(built, 1);
      assert.equal(seen[0], seen[1]);
      await client.get('/');
      assert.equal(built, 2);
    });

    it('builds a request-scoped component whose value is undefined once per request too', async () => {
      let built = 0;
      const Nothing = new ComponentToken<undefined>('Nothing');
      const components = [
        component(Nothing, [], () => {
          built++;
          return undefined;
        }),
      ];
      class Spy {
        @inject([Nothing])
        onRequest(value: undefined): void {
          assert.equal(value, undefined);
        }
      }
      const handler = inject([Nothing], (value) => ({ value: value ?? null }));
      const client = new TestClient(new App({ routes: [new Route('/', 'GET', handler)], components, hooks: [Spy] }));
      assert.deepEqual(await (await client.get('/')).json(), { value: null });
      assert.equal(built, 1);
      await client.get('/');
      assert.equal(built, 2);
    });

    it('builds an app-scoped component once for the app', async () => {
      let built = 0;
      const Config = new ComponentToken<{ n: number }>('Config');
      const components = [component(Config, [], () => ({ n: ++built }), { scope: 'app' })];
      const client = new TestClient(
        new App({
          routes: [
            new Route(
              '/',
              'GET',
              inject([Config], (c) => c),
            ),
          ],
          components,
        }),
      );
      await client.get('/');
      assert.deepEqual(await (await client.get('/')).json(), { n: 1 });
      assert.equal(built, 1);
    });

    it('awaits async factories and components that depend on components', async () => {
      class Session {
        constructor(readonly user: User) {}
      }
      const components = [
        component(User, [PathParam('name')], async (name) => {
          await new Promise((r) => setTimeout(r, 5));
          return new User(name);
        }),
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

    describe('an async component that fails and has a dispose', () => {
      const logged: unknown[] = [];
      const disposed: string[] = [];
      const failing = component(
        User,
        [Header('x-user')],
        async (name) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (!name) throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'who are you?');
          return new User(name);
        },
        {
          dispose: (user) => {
            disposed.push(user.name);
          },
        },
      );
      const whoAmI = inject([User], (user) => ({ name: user.name }));
      const hi = inject([WebSocket, User], async (ws, user) => {
        await ws.accept();
        await ws.sendJson({ hi: user.name });
      });
      beforeEach(() => {
        logged.length = 0;
        disposed.length = 0;
      });

      forEachClient(
        () =>
          new App({
            settings: {
              logError: (message, error) => {
                logged.push([message, error]);
              },
            },
            routes: [new Route('/', 'GET', whoAmI)],
            components: [failing],
          }),
        (client) => {
          it('answers with its error, disposes nothing and logs nothing', async () => {
            const response = await client().get('/');
            assert.equal(response.status, 401);
            assert.deepEqual(await response.json(), { detail: 'who are you?' });
            // Disposal runs once the response is out; give it the turns it takes.
            await new Promise((resolve) => setTimeout(resolve, 20));
            assert.deepEqual(logged, []);
            assert.deepEqual(disposed, []);
          });

          it('still disposes the value when it was built', async () => {
            await client().get('/', { headers: { 'x-user': 'ada' } });
            await new Promise((resolve) => setTimeout(resolve, 20));
            assert.deepEqual(disposed, ['ada']);
            assert.deepEqual(logged, []);
          });
        },
      );

      forEachTransport(
        () =>
          new App({
            settings: {
              logError: (message, error) => {
                logged.push([message, error]);
              },
            },
            routes: [new WebSocketRoute('/hi', hi)],
            components: [failing],
          }),
        (transport) => {
          it('on a WebSocket: refuses with its error, disposes nothing and logs nothing', async () => {
            const refusal = await transport().refusal('/hi');
            assert.equal(refusal.status, 401);
            await new Promise((resolve) => setTimeout(resolve, 20));
            assert.deepEqual(logged, []);
            assert.deepEqual(disposed, []);
          });
        },
      );

      it('app-scoped: app.close() while the factory is still running resolves, and disposes nothing, once it fails', async () => {
        let fail!: (error: Error) => void;
        const Ready = new ComponentToken<string>('Ready');
        const Pending = new ComponentToken<string>('Pending');
        const components = [
          // Disposed first; the factory of the next one fails only once close() is waiting for it.
          component(Ready, [], () => 'ready', {
            scope: 'app',
            dispose: () => {
              setImmediate(() => fail(new Error('no config')));
            },
          }),
          component(
            Pending,
            [],
            () =>
              new Promise<string>((_resolve, reject) => {
                fail = reject;
              }),
            {
              scope: 'app',
              dispose: () => {
                disposed.push('pending');
              },
            },
          ),
        ];
        const app = new App({
          settings: { logError: () => {} },
          routes: [
            new Route(
              '/',
              'GET',
              inject([Ready, Pending], (ready, pending) => [ready, pending]),
            ),
          ],
          components,
        });
        const answer = new TestClient(app).get('/');
        await new Promise((resolve) => setImmediate(resolve));
        await app.close();
        assert.equal((await answer).status, 500);
        assert.deepEqual(disposed, []);
      });
    });

    it('disposes request-scoped values when the request ends', async () => {
      const disposed: string[] = [];
      const components = [
        component(User, [], () => new User('d'), {
          dispose: (user) => {
            disposed.push(user.name);
          },
        }),
      ];
      const client = new TestClient(
        new App({
          routes: [
            new Route(
              '/',
              'GET',
              inject([User], (u) => u.name),
            ),
          ],
          components,
        }),
      );
      await client.get('/');
      assert.deepEqual(disposed, ['d']);
    });
  });

  describe('services from the container', () => {
    describe('a class that is neither listed nor registered', () => {
      class Tracker {
        readonly id = Math.random();
      }
      const fromHook: Tracker[] = [];
      class SeesTracker {
        @inject([Tracker])
        onRequest(tracker: Tracker): void {
          fromHook.push(tracker);
        }
      }
      const http = inject([Tracker, Tracker], (first, second) => ({ first: first.id, second: second.id }));
      const ws = inject([WebSocket, Tracker], async (socket, tracker) => {
        await socket.accept();
        await socket.sendJson({ id: tracker.id });
      });
      const app = () => new App({ routes: [new Route('/', 'GET', http), new WebSocketRoute('/ws', ws)], hooks: [SeesTracker] });
      beforeEach(() => {
        fromHook.length = 0;
      });

      forEachClient(app, (client) => {
        it('is built once per request: the same instance for the hook and every parameter, a new one next request', async () => {
          const first = (await (await client().get('/')).json()) as { first: number; second: number };
          const second = (await (await client().get('/')).json()) as { first: number; second: number };
          assert.equal(first.first, first.second);
          assert.deepEqual(
            fromHook.map((tracker) => tracker.id),
            [first.first, second.first],
          );
          assert.notEqual(first.first, second.first);
        });
      });

      forEachTransport(app, (transport) => {
        it('is built once per WebSocket connection, shared by hook and handler', async () => {
          const one = await transport().ending('/ws');
          const two = await transport().ending('/ws');
          const ids = [one, two].map((ending) => (JSON.parse(String(ending.messages[0])) as { id: number }).id);
          assert.deepEqual(
            fromHook.map((tracker) => tracker.id),
            ids,
          );
          assert.notEqual(ids[0], ids[1]);
        });
      });
    });

    it('resolves classes from a per-request child container that is disposed afterwards', async () => {
      const disposed: number[] = [];
      @injectable()
      class Unit {
        readonly id = Math.random();
        dispose(): void {
          disposed.push(this.id);
        }
      }
      const app = new App({
        routes: [
          new Route(
            '/',
            'GET',
            inject([Unit, Db], (unit, db) => ({ unit: unit.id, db: db.id })),
          ),
        ],
      });
      const { Lifecycle } = await import('tsyringe');
      app.container.register(Unit, { useClass: Unit }, { lifecycle: Lifecycle.ContainerScoped });
      const client = new TestClient(app);
      const first = (await (await client.get('/')).json()) as { unit: number };
      const second = (await (await client.get('/')).json()) as { unit: number };
      assert.notEqual(first.unit, second.unit);
      assert.deepEqual(disposed, [first.unit, second.unit]);
    });
  });

  describe('synchronous plans', () => {
    it('creates no promise on the request path when every step is synchronous', () => {
      const components = [component(User, [Header('x-user')], (name) => new User(name ?? 'anon'))];
      class Stamp {
        onRequest(): void {}
        onResponse(): void {}
      }
      const handler = inject([User, PathParam('id', { type: 'integer' })], (user, id) => ({ user: user.name, id }));
      const app = new App({ routes: [new Route('/items/{id:int}', 'GET', handler)], components, hooks: [new Stamp()] });
      const source = { method: 'GET', url: '/items/3', headers: { 'x-user': 'ada' }, client: null, server: null, body: Readable.from([]) };
      let promises = 0;
      const hook = createHook({
        init: (_id, type) => {
          if (type === 'PROMISE') promises++;
        },
      }).enable();
      let result: ReturnType<App['dispatch']>;
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
      const hook = createHook({
        init: (_id, type) => {
          if (type === 'PROMISE') promises++;
        },
      }).enable();
      let result: ReturnType<App['dispatch']>;
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
