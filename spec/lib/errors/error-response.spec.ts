import assert from 'node:assert/strict';
import { Body } from '../../../components/body';
import { QueryParam } from '../../../components/query-param';
import { App } from '../../../lib/app';
import { errorResponse } from '../../../lib/errors/error-response';
import { HTTPException, ValidationError, type ValidationIssue } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
import { defaultSettings, type Settings } from '../../../lib/config/settings';
import * as status from '../../../lib/errors/status';
import { forEachClient } from '../../support/clients';

interface Logged {
  message: string;
  error: unknown;
}

const issue: ValidationIssue = {
  instancePath: '/name', schemaPath: '#/properties/name/type', keyword: 'type', params: { type: 'string' }, message: 'must be string',
};

class SecretError extends Error {
  constructor() {
    super('db password is hunter2');
    this.name = 'SecretError';
  }
}

/** An app whose routes raise every kind of error; `logged` collects what `logError` receives. */
function makeApp(logged: Logged[], debug = false): App {
  const body = Body({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false });
  return new App({
    settings: { debug, logError: (message, error) => logged.push({ message, error }) },
    routes: [
      new Route('/unauthorized', 'GET', () => {
        throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Log in first', { 'WWW-Authenticate': 'Bearer realm="api"' });
      }),
      new Route('/gone', 'GET', () => {
        throw new HTTPException(status.HTTP_410_GONE);
      }),
      new Route('/conflict', 'POST', async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        throw new HTTPException(status.HTTP_409_CONFLICT, { code: 'taken', field: 'name' });
      }),
      new Route('/validation', 'GET', () => {
        throw new ValidationError('query parameter "name"', [issue]);
      }),
      new Route('/body', 'POST', inject([body], (value) => ({ hello: value.name }))),
      new Route('/page', 'GET', inject([QueryParam('page', { type: 'integer', minimum: 1 })], (page) => ({ page }))),
      new Route('/crash', 'GET', () => {
        throw new SecretError();
      }),
      new Route('/async-crash', 'GET', async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        throw new SecretError();
      }),
      new Route('/throws-string', 'GET', () => {
        throw 'a bare string with hunter2';
      }),
      new Route('/only-get', 'GET', () => 'ok'),
    ],
  });
}

describe('error responses', () => {
  const logged: Logged[] = [];
  beforeEach(() => {
    logged.length = 0;
  });

  describe('without debug', () => {
    forEachClient(() => makeApp(logged), (client) => {
      it('turns an HTTPException into JSON {detail} with its status and headers', async () => {
        const response = await client().get('/unauthorized');
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('content-type'), 'application/json');
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="api"');
        assert.deepEqual(await response.json(), { detail: 'Log in first' });
        assert.equal(logged.length, 0, 'an HTTPException is an answer, not an unexpected error');
      });

      it('gives an HTTPException without a detail the status reason phrase', async () => {
        const response = await client().get('/gone');
        assert.equal(response.status, 410);
        assert.deepEqual(await response.json(), { detail: 'Gone' });
      });

      it('keeps a structured detail as JSON, from an async handler too', async () => {
        const response = await client().post('/conflict');
        assert.equal(response.status, 409);
        assert.deepEqual(await response.json(), { detail: { code: 'taken', field: 'name' } });
      });

      it('turns a ValidationError into 400 with its message, parameter and errors', async () => {
        const response = await client().get('/validation');
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('content-type'), 'application/json');
        assert.deepEqual(await response.json(), {
          detail: 'Invalid query parameter "name": /name must be string',
          parameter: 'query parameter "name"',
          errors: [issue],
        });
        assert.equal(logged.length, 0);
      });

      it('answers a body that fails its schema with 400 naming the body and ajv\'s error', async () => {
        const response = await client().post('/body', { json: { nom: 'x' } });
        assert.equal(response.status, 400);
        const payload = await response.json() as { parameter: string; errors: ValidationIssue[]; detail: string };
        assert.equal(payload.parameter, 'body');
        assert.equal(payload.errors.length, 1);
        assert.ok(['required', 'additionalProperties'].includes(payload.errors[0].keyword), payload.errors[0].keyword);
        assert.match(payload.detail, /^Invalid body/);
        const ok = await client().post('/body', { json: { name: 'Ada' } });
        assert.deepEqual(await ok.json(), { hello: 'Ada' });
      });

      it('answers a query parameter that fails its schema with 400 naming the parameter', async () => {
        const response = await client().get('/page', { query: { page: 0 } });
        assert.equal(response.status, 400);
        const payload = await response.json() as { parameter: string; errors: ValidationIssue[] };
        assert.equal(payload.parameter, 'query parameter "page"');
        assert.equal(payload.errors[0].keyword, 'minimum');
      });

      it('hides an unexpected error behind a bare 500 and reports it through logError', async () => {
        const response = await client().get('/crash');
        assert.equal(response.status, 500);
        assert.equal(response.headers.get('content-type'), 'application/json');
        const text = await response.text();
        assert.equal(text, '{"detail":"Internal Server Error"}');
        assert.equal(logged.length, 1);
        assert.ok(logged[0].error instanceof SecretError);
        assert.match(logged[0].message, /\/crash/);
      });

      it('does the same for an error from an async handler', async () => {
        const response = await client().get('/async-crash');
        assert.equal(response.status, 500);
        assert.equal(await response.text(), '{"detail":"Internal Server Error"}');
        assert.equal(logged.length, 1);
        assert.ok(logged[0].error instanceof SecretError);
      });

      it('does the same for a thrown value that is not an Error', async () => {
        const response = await client().get('/throws-string');
        assert.equal(response.status, 500);
        assert.equal(await response.text(), '{"detail":"Internal Server Error"}');
        assert.deepEqual(logged.map((entry) => entry.error), ['a bare string with hunter2']);
      });

      it('answers an unknown path with 404 and a known path with the wrong method with 405 and allow', async () => {
        const missing = await client().get('/nowhere');
        assert.equal(missing.status, 404);
        assert.deepEqual(await missing.json(), { detail: 'Not Found' });
        const wrong = await client().post('/only-get');
        assert.equal(wrong.status, 405);
        assert.equal(wrong.headers.get('allow'), 'GET, HEAD');
        assert.deepEqual(await wrong.json(), { detail: 'Method Not Allowed' });
        assert.equal(logged.length, 0);
      });
    });
  });

  describe('with debug', () => {
    forEachClient(() => makeApp(logged, true), (client) => {
      it('shows the error name, message and stack of an unexpected error', async () => {
        const response = await client().get('/crash');
        assert.equal(response.status, 500);
        const payload = await response.json() as { detail: string; stack: string[] };
        assert.equal(payload.detail, 'SecretError: db password is hunter2');
        assert.ok(Array.isArray(payload.stack));
        assert.match(payload.stack[0], /SecretError: db password is hunter2/);
        assert.equal(logged.length, 1);
      });

      it('keeps the generic detail for a thrown value that is not an Error', async () => {
        const response = await client().get('/throws-string');
        assert.deepEqual(await response.json(), { detail: 'Internal Server Error' });
      });

      it('leaves HTTPException responses as they are', async () => {
        const response = await client().get('/unauthorized');
        assert.deepEqual(await response.json(), { detail: 'Log in first' });
      });
    });
  });

  describe('errorResponse', () => {
    const settings = (log: Logged[], debug = false): Settings => ({
      ...defaultSettings, debug, logError: (message, error) => log.push({ message, error }),
    });

    it('copies the HTTPException headers instead of sharing them', () => {
      const error = new HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, 'slow down', { 'Retry-After': '30' });
      const response = errorResponse(error, settings([]), 'route GET /x');
      response.setHeader('retry-after', '60');
      assert.deepEqual(error.headers, { 'Retry-After': '30' });
      assert.equal(response.status, 429);
      assert.equal(response.body, '{"detail":"slow down"}');
    });

    it('names where the unexpected error happened when reporting it', () => {
      const log: Logged[] = [];
      const error = new Error('boom');
      const response = errorResponse(error, settings(log), 'route GET /items/{id:int}');
      assert.equal(response.status, 500);
      assert.equal(log.length, 1);
      assert.equal(log[0].error, error);
      assert.ok(log[0].message.includes('route GET /items/{id:int}'), log[0].message);
    });

    it('does not report HTTPException or ValidationError', () => {
      const log: Logged[] = [];
      errorResponse(new HTTPException(404), settings(log), 'x');
      errorResponse(new ValidationError('body', []), settings(log), 'x');
      assert.equal(log.length, 0);
    });
  });
});
