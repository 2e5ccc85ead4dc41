import assert from 'node:assert/strict';
import { App } from '../../../lib/app';
import { checkExceptionHandlers, ExceptionHandlers } from '../../../lib/errors/exception-handlers';
import { HTTPException, ValidationError } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { Include, Route, WebSocketRoute } from '../../../lib/routing/routes';

class AppError extends Error {}
class NotFound extends AppError {}
class Gone extends NotFound {}

describe('exception handlers by class', () => {
  it('picks the handler of the nearest class on the prototype chain, whatever the order', () => {
    const handlers = new ExceptionHandlers<string>([
      [Error, 'error'],
      [AppError, 'app'],
      [NotFound, 'not found'],
    ]);
    assert.equal(handlers.match(new Gone())?.handler, 'not found');
    assert.equal(handlers.match(new NotFound())?.errorClass, NotFound);
    assert.equal(handlers.match(new AppError())?.handler, 'app');
    assert.equal(handlers.match(new TypeError('x'))?.handler, 'error');
    assert.equal(handlers.match(new HTTPException(404))?.handler, 'error');
  });

  it('takes the first entry of a class listed twice (the innermost: route, Include, app)', () => {
    const handlers = new ExceptionHandlers<string>([
      [NotFound, 'route'],
      [NotFound, 'app'],
    ]);
    assert.equal(handlers.match(new NotFound())?.handler, 'route');
  });

  it('matches built-in exceptions and nothing for thrown non-objects or unlisted classes', () => {
    const handlers = new ExceptionHandlers<string>([
      [HTTPException, 'http'],
      [ValidationError, 'validation'],
    ]);
    assert.equal(handlers.match(new HTTPException(404))?.handler, 'http');
    assert.equal(handlers.match(new ValidationError('body', []))?.handler, 'validation');
    assert.equal(handlers.match('a string'), undefined);
    assert.equal(handlers.match(undefined), undefined);
    assert.equal(handlers.match(new Error('x')), undefined);
  });

  describe('startup checks', () => {
    const handler = inject([], () => 'x');
    const routes = [new Route('/', 'GET', () => 'ok')];

    it('refuses a key that is not a class, naming the entry', () => {
      assert.throws(
        () =>
          new App({
            routes,
            exceptionHandlers: [
              [Error, handler],
              ['NotFound' as never, handler],
            ],
          }),
        (error: Error) =>
          error instanceof TypeError &&
          /new App\(\): exceptionHandlers\[1\]: the key must be an error class.*"NotFound"/.test(error.message),
      );
    });

    it('refuses a handler that is not a function, naming the entry and its class', () => {
      assert.throws(
        () => new App({ routes, exceptionHandlers: [[NotFound, { status: 404 } as never]] }),
        (error: Error) =>
          error instanceof TypeError &&
          /exceptionHandlers\[0\] \(NotFound\): the handler must be a function, got an object/.test(error.message),
      );
    });

    it('refuses an entry that is not a pair, and checks routes and Includes where they are made', () => {
      assert.throws(() => checkExceptionHandlers([NotFound], 'here'), /here: exceptionHandlers\[0\] must be a pair/);
      assert.throws(
        () => new Route('/x', 'GET', handler, { exceptionHandlers: [[null as never, handler]] }),
        /Route GET \/x: exceptionHandlers\[0\]: the key must be an error class/,
      );
      assert.throws(
        () => new WebSocketRoute('/ws', handler, { exceptionHandlers: 'no' as never }),
        /WebSocketRoute \/ws: exceptionHandlers must be an array/,
      );
      assert.throws(
        () => new Include('/api', [], { exceptionHandlers: [[NotFound, 42 as never]] }),
        /Include \/api: exceptionHandlers\[0\]/,
      );
    });

    it('refuses a handler with parameters but no tokens, naming the route and the handler', () => {
      const untyped = (error: unknown) => error;
      assert.throws(
        () => new App({ routes, exceptionHandlers: [[NotFound, untyped]] }),
        /route GET \/, exception handler untyped for NotFound takes 1 parameter\(s\) but declares no tokens/,
      );
    });
  });
});
