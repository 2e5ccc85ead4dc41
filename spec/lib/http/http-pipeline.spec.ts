import assert from 'node:assert/strict';
import { CurrentError } from '../../../components/current-error';
import { CurrentResponse } from '../../../components/current-response';
import { Scope } from '../../../components/scope';
import { App } from '../../../lib/app';
import { HTTPException } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { JSONResponse, PlainTextResponse, type Response } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { Include, Route } from '../../../lib/routing/routes';
import { forEachClient } from '../../support/clients';

/** A hook that records each call in `scope.state.trace`, so one response shows the order. */
function tracer(name: string, extra: { failOnRequest?: boolean; shortCircuit?: boolean; replace?: boolean; async?: boolean } = {}) {
  class Tracer {
    @inject([Scope])
    onRequest(scope: Scope): unknown {
      const trace = ((scope.state.trace as string[] | undefined) ??= []);
      const run = () => {
        trace.push(`${name}.onRequest`);
        if (extra.failOnRequest) throw new HTTPException(status.HTTP_403_FORBIDDEN, `${name} says no`);
        if (extra.shortCircuit) return new JSONResponse({ from: name, trace });
        return undefined;
      };
      return extra.async ? new Promise((resolve) => setTimeout(resolve, 1)).then(run) : run();
    }

    @inject([Scope, CurrentResponse])
    onResponse(scope: Scope, response: Response): Response | undefined {
      (scope.state.trace as string[]).push(`${name}.onResponse`);
      response.appendHeader('x-trace', `${name}.onResponse`);
      if (extra.replace)
        return new PlainTextResponse(`replaced by ${name}`, { headers: { 'x-trace': response.getHeader('x-trace') as string } });
      return undefined;
    }

    @inject([Scope, CurrentError, CurrentResponse])
    onError(scope: Scope, error: unknown, response: Response): void {
      (scope.state.trace as string[] | undefined)?.push(`${name}.onError`);
      response.appendHeader('x-trace', `${name}.onError:${(error as Error).message}`);
    }
  }
  Object.defineProperty(Tracer, 'name', { value: `Tracer${name}` });
  return Tracer;
}

const traceHandler = inject([Scope], (scope) => ({ trace: [...(scope.state.trace as string[]), 'handler'] }));
const failing = inject([Scope], (scope): never => {
  (scope.state.trace as string[]).push('handler');
  throw new Error('boom');
});

describe('HTTP pipeline', () => {
  forEachClient(
    () =>
      new App({
        settings: { logError: () => {} },
        hooks: [tracer('app')],
        routes: [
          new Include(
            '/inc',
            [
              new Route('/ok', 'GET', traceHandler, { hooks: [tracer('route')] }),
              new Route('/fail', 'GET', failing),
              new Route('/deny', 'GET', traceHandler, { hooks: [tracer('route', { failOnRequest: true }), tracer('late')] }),
              new Route('/short', 'GET', traceHandler, { hooks: [tracer('route', { shortCircuit: true }), tracer('late')] }),
              new Route('/replace', 'GET', traceHandler, { hooks: [tracer('route', { replace: true })] }),
              new Route('/async', 'GET', traceHandler, { hooks: [tracer('route', { async: true })] }),
            ],
            { hooks: [tracer('include')] },
          ),
        ],
      }),
    (client) => {
      it('runs onRequest in list order (app, include, route) and onResponse in reverse', async () => {
        const response = await client().get('/inc/ok');
        assert.deepEqual(await response.json(), { trace: ['app.onRequest', 'include.onRequest', 'route.onRequest', 'handler'] });
        assert.equal(response.headers.get('x-trace'), 'route.onResponse, include.onResponse, app.onResponse');
      });

      it('runs onError hooks in reverse instead of onResponse when the handler throws', async () => {
        const response = await client().get('/inc/fail');
        assert.equal(response.status, 500);
        assert.deepEqual(await response.json(), { detail: 'Internal Server Error' });
        assert.equal(response.headers.get('x-trace'), 'include.onError:boom, app.onError:boom');
      });

      it('turns an HTTPException raised in onRequest into its response and skips the handler and later hooks', async () => {
        const response = await client().get('/inc/deny');
        assert.equal(response.status, 403);
        assert.deepEqual(await response.json(), { detail: 'route says no' });
        assert.equal(
          response.headers.get('x-trace'),
          'route.onError:route says no, include.onError:route says no, app.onError:route says no',
        );
      });

      it('short-circuits when onRequest returns a response: later hooks and handler skipped, earlier onResponse run', async () => {
        const response = await client().get('/inc/short');
        assert.deepEqual(await response.json(), { from: 'route', trace: ['app.onRequest', 'include.onRequest', 'route.onRequest'] });
        // Like middleware that was never entered, the hook after the one that answered sees nothing.
        assert.equal(response.headers.get('x-trace'), 'route.onResponse, include.onResponse, app.onResponse');
      });

      it('lets onResponse replace the response', async () => {
        const response = await client().get('/inc/replace');
        assert.equal(await response.text(), 'replaced by route');
        assert.equal(response.headers.get('x-trace'), 'route.onResponse, include.onResponse, app.onResponse');
      });

      it('waits for asynchronous hooks', async () => {
        const response = await client().get('/inc/async');
        assert.deepEqual(await response.json(), { trace: ['app.onRequest', 'include.onRequest', 'route.onRequest', 'handler'] });
      });

      it('runs the app hooks for unmatched requests too', async () => {
        const response = await client().get('/nowhere');
        assert.equal(response.status, 404);
        assert.equal(response.headers.get('x-trace'), 'app.onError:Not Found');
      });
    },
  );

  describe('a failing onError hook', () => {
    forEachClient(
      () => {
        const logged: string[] = [];
        class Broken {
          onError(): void {
            throw new Error('hook bug');
          }
        }
        return new App({
          settings: {
            logError: (message) => {
              logged.push(message);
            },
          },
          hooks: [Broken],
          routes: [
            new Route('/', 'GET', () => {
              throw new HTTPException(status.HTTP_409_CONFLICT, 'taken');
            }),
          ],
        });
      },
      (client) => {
        it('does not hide the original error response', async () => {
          const response = await client().get('/');
          assert.equal(response.status, 409);
          assert.deepEqual(await response.json(), { detail: 'taken' });
        });
      },
    );
  });
});

class OutOfStock extends Error {
  constructor(readonly item: string) {
    super(`${item} is out of stock`);
  }
}
class SoldOut extends OutOfStock {}

describe('HTTP exception handlers', () => {
  const logged: unknown[] = [];
  const outOfStock = inject(
    [CurrentError, Scope],
    (error, scope) => new JSONResponse({ missing: (error as OutOfStock).item, path: scope.path }, { status: status.HTTP_409_CONFLICT }),
  );
  const soldOut = inject([CurrentError], (error) => ({ soldOut: (error as SoldOut).item }));
  const notFound = inject([CurrentError], (error) =>
    (error as HTTPException).status === status.HTTP_404_NOT_FOUND
      ? new JSONResponse({ error: 'no such page' }, { status: 404 })
      : undefined,
  );
  const broken = inject([CurrentError], (): never => {
    throw new Error('the handler itself broke');
  });
  class Marker {
    @inject([CurrentError, CurrentResponse])
    onError(error: unknown, response: Response): void {
      response.setHeader('x-error-hook', `${(error as Error).name}:${response.status}`);
    }
  }
  forEachClient(
    () =>
      new App({
        settings: { logError: (_message, error) => logged.push(error) },
        hooks: [Marker],
        exceptionHandlers: [
          [OutOfStock, outOfStock],
          [SoldOut, soldOut],
          [HTTPException, notFound],
        ],
        routes: [
          new Route('/out', 'GET', (): never => {
            throw new OutOfStock('tea');
          }),
          new Route('/sold', 'GET', (): never => {
            throw new SoldOut('coffee');
          }),
          new Route('/forbidden', 'GET', (): never => {
            throw new HTTPException(status.HTTP_403_FORBIDDEN, 'no');
          }),
          new Route('/thrown-404', 'GET', (): never => {
            throw new HTTPException(status.HTTP_404_NOT_FOUND);
          }),
          new Route(
            '/broken',
            'GET',
            (): never => {
              throw new OutOfStock('milk');
            },
            { exceptionHandlers: [[OutOfStock, broken]] },
          ),
          new Include(
            '/shop',
            [
              new Route('/item', 'GET', (): never => {
                throw new SoldOut('cake');
              }),
            ],
            {
              exceptionHandlers: [[OutOfStock, inject([], () => ({ from: 'include' }))]],
            },
          ),
        ],
      }),
    (client) => {
      beforeEach(() => {
        logged.length = 0;
      });

      it('answers a custom error with its handler, which injects like a route handler', async () => {
        const response = await client().get('/out');
        assert.equal(response.status, 409);
        assert.deepEqual(await response.json(), { missing: 'tea', path: '/out' });
        assert.equal(response.headers.get('x-error-hook'), 'Error:409', 'onError hooks see the handler response');
        assert.deepEqual(logged, []);
      });

      it('picks the most specific class; a plain value becomes JSON like a route return', async () => {
        const response = await client().get('/sold');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { soldOut: 'coffee' });
      });

      it('reshapes a thrown 404 and the 404 of a request no route matches', async () => {
        for (const path of ['/thrown-404', '/no/such/path']) {
          const response = await client().get(path);
          assert.equal(response.status, 404, path);
          assert.deepEqual(await response.json(), { error: 'no such page' }, path);
        }
      });

      it('falls back to the one table when the handler returns undefined', async () => {
        const response = await client().get('/forbidden');
        assert.equal(response.status, 403);
        assert.deepEqual(await response.json(), { detail: 'no' });
      });

      it('answers 500 and logs the failure when the handler throws, with no detail to the client', async () => {
        const response = await client().get('/broken');
        assert.equal(response.status, 500);
        assert.deepEqual(await response.json(), { detail: 'Internal Server Error' });
        assert.equal(logged.length, 1);
        assert.match((logged[0] as Error).message, /the handler itself broke/);
      });

      it("lets an Include's handler stand before the app's of the same class, the nearest class still winning", async () => {
        const response = await client().get('/shop/item');
        assert.deepEqual(await response.json(), { soldOut: 'cake' }, "the app's SoldOut handler is nearer than the Include's OutOfStock");
      });
    },
  );
});
