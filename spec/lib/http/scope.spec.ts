import assert from 'node:assert/strict';
import { App } from '../../../lib/app';
import { Scope } from '../../../lib/http/scope';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
import { forEachClient } from '../../support/clients';

interface Described {
  type: string;
  method: string;
  path: string;
  rawPath: string;
  queryString: string;
  query: Record<string, string | string[]>;
  headers: { custom: string | null; host: string | null };
  client: { host: string; port: number } | null;
  server: { host: string; port: number } | null;
  subprotocols: string[];
  pathParams: Record<string, string | number>;
}

/** Marks the connection's state on the way in and reads it back on the way out. */
class StateHook {
  @inject([Scope])
  onRequest(scope: Scope): void {
    scope.state.fromHook = 'set in onRequest';
  }

  @inject([Scope])
  onResponse(scope: Scope): void {
    scope.state.seenByOnResponse = scope.state.fromHandler;
  }
}

let lastState: Record<string, unknown> | undefined;
let lastApp: App | undefined;

function makeApp(): App {
  return new App({
    hooks: [StateHook],
    routes: [
      new Route(
        '/rooms/{room}/messages/{id:int}',
        'GET',
        inject(
          [Scope],
          (scope): Described => ({
            type: scope.type,
            method: scope.method,
            path: scope.path,
            rawPath: scope.rawPath,
            queryString: scope.queryString,
            query: scope.query,
            headers: {
              custom: (scope.headers['x-custom'] as string | undefined) ?? null,
              host: (scope.headers.host as string | undefined) ?? null,
            },
            client: scope.client,
            server: scope.server,
            subprotocols: [...scope.subprotocols],
            pathParams: scope.pathParams,
          }),
        ),
      ),
      new Route(
        '/app',
        'GET',
        inject([Scope], (scope) => {
          lastApp = scope.app;
          return { isApp: scope.app instanceof App };
        }),
      ),
      new Route(
        '/state',
        'POST',
        inject([Scope], (scope) => {
          const fromHook = scope.state.fromHook;
          scope.state.fromHandler = 'set in handler';
          lastState = scope.state;
          return { fromHook: fromHook ?? null };
        }),
      ),
      new Route(
        '/state-fresh',
        'GET',
        inject([Scope], (scope) => ({ keys: Object.keys(scope.state).sort() })),
      ),
    ],
  });
}

describe('Scope', () => {
  forEachClient(makeApp, (client, app) => {
    const describeIt = async (path: string, init?: { headers?: Record<string, string> }): Promise<Described> => {
      const response = await client().get(path, init);
      assert.equal(response.status, 200);
      return (await response.json()) as Described;
    };

    it('describes an HTTP connection: type, method, subprotocols', async () => {
      const scope = await describeIt('/rooms/lobby/messages/7');
      assert.equal(scope.type, 'http');
      assert.equal(scope.method, 'GET');
      assert.deepEqual(scope.subprotocols, []);
    });

    it('has the decoded path and the raw path', async () => {
      const scope = await describeIt('/rooms/caf%C3%A9%20bar/messages/7');
      assert.equal(scope.path, '/rooms/café bar/messages/7');
      assert.equal(scope.rawPath, '/rooms/caf%C3%A9%20bar/messages/7');
    });

    it('has the undecoded query string and the parsed query', async () => {
      const scope = await describeIt('/rooms/lobby/messages/7?q=a%20b&tag=x&tag=y');
      assert.equal(scope.queryString, 'q=a%20b&tag=x&tag=y');
      assert.deepEqual(scope.query, { q: 'a b', tag: ['x', 'y'] });
      assert.equal(scope.rawPath, '/rooms/lobby/messages/7');
    });

    it('has an empty query string and query without a "?"', async () => {
      const scope = await describeIt('/rooms/lobby/messages/7');
      assert.equal(scope.queryString, '');
      assert.deepEqual(scope.query, {});
    });

    it('has the headers, names lower-cased', async () => {
      const scope = await describeIt('/rooms/lobby/messages/7', { headers: { 'X-Custom': 'yes' } });
      assert.equal(scope.headers.custom, 'yes');
      assert.ok(scope.headers.host, 'host header missing');
    });

    it('has the client and server addresses', async () => {
      const scope = await describeIt('/rooms/lobby/messages/7');
      assert.ok(scope.client && scope.server, 'addresses missing');
      assert.match(scope.client.host, /^(::ffff:)?127\.0\.0\.1$/);
      assert.ok(Number.isInteger(scope.client.port) && scope.client.port > 0);
      assert.equal(typeof scope.server.host, 'string');
      // The server port is the one the client addressed (the Host header's, 80 when it names none).
      const hostPort = /:(\d+)$/.exec(scope.headers.host ?? '');
      assert.equal(scope.server.port, hostPort ? Number(hostPort[1]) : 80);
    });

    it('has the path parameters, converted', async () => {
      const scope = await describeIt('/rooms/lobby/messages/42');
      assert.deepEqual(scope.pathParams, { room: 'lobby', id: 42 });
    });

    it('knows its app', async () => {
      lastApp = undefined;
      assert.deepEqual(await (await client().get('/app')).json(), { isApp: true });
      assert.equal(lastApp, app());
    });

    it('shares one state bag between hooks and the handler', async () => {
      const response = await client().post('/state');
      assert.deepEqual(await response.json(), { fromHook: 'set in onRequest' });
      assert.deepEqual(lastState, { fromHook: 'set in onRequest', fromHandler: 'set in handler', seenByOnResponse: 'set in handler' });
    });

    it('starts each request with a fresh state bag', async () => {
      await client().post('/state');
      assert.deepEqual(await (await client().get('/state-fresh')).json(), { keys: ['fromHook'] });
    });
  });
});
