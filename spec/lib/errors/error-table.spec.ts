import assert from 'node:assert/strict';
import { Body } from '../../../components/body';
import { QueryParam } from '../../../components/query-param';
import { App } from '../../../lib/app';
import { closeFrame, errorReply, httpAnswer, refusal } from '../../../lib/errors/error-table';
import { HTTPException, ValidationError, WebSocketException, WebSocketProtocolError, type ValidationIssue } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
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

const JSON_TYPE = { 'content-type': 'application/json' };

describe('the one error table: one test per row, both columns', () => {
  it('HTTPException(s): before accept HTTP s with {detail} and its headers; after accept the code s maps to, its message as reason', () => {
    const error = new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Log in first', { 'WWW-Authenticate': 'Bearer' });
    assert.deepEqual(httpAnswer(error, false), {
      status: 401, headers: { ...JSON_TYPE, 'WWW-Authenticate': 'Bearer' }, body: { detail: 'Log in first' }, unexpected: false,
    });
    assert.deepEqual(closeFrame(error, false), { code: status.WS_3000_UNAUTHORIZED, reason: 'Log in first', unexpected: false });
  });

  it('WebSocketException(c, r): before and after accept the close frame c, r (the pipeline accepts first); an HTTP route gets a reported 500', () => {
    const error = new WebSocketException(4321, 'custom');
    assert.deepEqual(closeFrame(error, false), { code: 4321, reason: 'custom', unexpected: false });
    assert.deepEqual(httpAnswer(error, false), { status: 500, headers: JSON_TYPE, body: { detail: 'Internal Server Error' }, unexpected: true });
  });

  it('WebSocketProtocolError: before and after accept close 1002 with its reason', () => {
    assert.deepEqual(closeFrame(new WebSocketProtocolError('Speak chat.v1'), false), { code: 1002, reason: 'Speak chat.v1', unexpected: false });
  });

  it('ValidationError: before accept HTTP 400 with detail, parameter and errors; after accept close 1007, or the error reply', () => {
    const error = new ValidationError('query parameter "name"', [issue]);
    const detail = 'Invalid query parameter "name": /name must be string';
    assert.deepEqual(httpAnswer(error, false), {
      status: 400, headers: JSON_TYPE, body: { detail, parameter: 'query parameter "name"', errors: [issue] }, unexpected: false,
    });
    assert.deepEqual(closeFrame(error, false), { code: 1007, reason: detail, unexpected: false });
    assert.deepEqual(errorReply(error), { type: 'error', detail, errors: [issue] });
  });

  it('any other error: before accept HTTP 500, after accept close 1011 "Internal Error", both unexpected, details only with debug', () => {
    const error = new SecretError();
    assert.deepEqual(httpAnswer(error, false), { status: 500, headers: JSON_TYPE, body: { detail: 'Internal Server Error' }, unexpected: true });
    assert.deepEqual(closeFrame(error, false), { code: 1011, reason: 'Internal Error', unexpected: true });
    const debugged = httpAnswer(error, true);
    assert.equal(debugged.body.detail, 'SecretError: db password is hunter2');
    assert.match(debugged.body.stack?.[0] ?? '', /SecretError: db password is hunter2/);
    assert.equal(closeFrame(error, true).reason, 'SecretError: db password is hunter2');
  });

  it('a refusal of the framework\'s own (no route, shutdown, too many connections): HTTP s with {detail}, expected', () => {
    assert.deepEqual(refusal(status.HTTP_503_SERVICE_UNAVAILABLE, 'Server is shutting down'), {
      status: 503, headers: JSON_TYPE, body: { detail: 'Server is shutting down' }, unexpected: false,
    });
    assert.deepEqual(refusal(426, 'Unsupported Sec-WebSocket-Version (use 13)', { 'Sec-WebSocket-Version': '13' }).headers, {
      ...JSON_TYPE, 'Sec-WebSocket-Version': '13',
    });
  });
});

describe('httpAnswer (the before-accept column)', () => {
  it('copies the HTTPException headers instead of sharing them', () => {
    const error = new HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, 'slow down', { 'Retry-After': '30' });
    const answer = httpAnswer(error, false);
    assert.notEqual(answer.headers, error.headers);
    assert.deepEqual(answer, { status: 429, headers: { ...JSON_TYPE, 'Retry-After': '30' }, body: { detail: 'slow down' }, unexpected: false });
  });

  it('lets an HTTPException set its own content-type', () => {
    const answer = httpAnswer(new HTTPException(418, 'short and stout', { 'content-type': 'application/problem+json' }), false);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
  });

  it('has nothing to tell about a thrown non-Error, even with debug', () => {
    assert.deepEqual(httpAnswer('a bare string with hunter2', true).body, { detail: 'Internal Server Error' });
    assert.deepEqual(httpAnswer(undefined, true).body, { detail: 'Internal Server Error' });
  });

  it('marks neither HTTPException nor ValidationError as unexpected', () => {
    assert.equal(httpAnswer(new HTTPException(404), false).unexpected, false);
    assert.equal(httpAnswer(new ValidationError('body', []), false).unexpected, false);
  });
});

describe('closeFrame (the after-accept column)', () => {
  describe('HTTPException', () => {
    const table: [number, number][] = [
      [status.HTTP_401_UNAUTHORIZED, status.WS_3000_UNAUTHORIZED],
      [status.HTTP_403_FORBIDDEN, status.WS_3003_FORBIDDEN],
      [status.HTTP_408_REQUEST_TIMEOUT, status.WS_3008_TIMEOUT],
      [status.HTTP_413_CONTENT_TOO_LARGE, status.WS_1009_MESSAGE_TOO_BIG],
      [status.HTTP_503_SERVICE_UNAVAILABLE, status.WS_1013_TRY_AGAIN_LATER],
      [status.HTTP_500_INTERNAL_SERVER_ERROR, status.WS_1011_INTERNAL_ERROR],
    ];
    for (const [httpStatus, code] of table) {
      it(`maps ${httpStatus} to ${code}, with the exception's message as reason, as an expected answer`, () => {
        assert.deepEqual(closeFrame(new HTTPException(httpStatus, 'because'), false), { code, reason: 'because', unexpected: false });
      });
    }

    for (const httpStatus of [400, 402, 404, 409, 422, 429, 451, 499]) {
      it(`maps the other 4xx ${httpStatus} to ${4000 + httpStatus}`, () => {
        assert.deepEqual(closeFrame(new HTTPException(httpStatus, 'no'), false), { code: 4000 + httpStatus, reason: 'no', unexpected: false });
      });
    }

    for (const httpStatus of [301, 501, 502, 504]) {
      it(`maps ${httpStatus}, neither 4xx nor listed, to 1011`, () => {
        assert.equal(closeFrame(new HTTPException(httpStatus), false).code, status.WS_1011_INTERNAL_ERROR);
      });
    }

    it('uses the standard status text when no detail was given, and JSON for an object detail', () => {
      assert.equal(closeFrame(new HTTPException(404), false).reason, 'Not Found');
      assert.equal(closeFrame(new HTTPException(422, { field: 'name' }), false).reason, '{"field":"name"}');
    });

    it('cuts a long detail to 123 bytes on a character boundary', () => {
      const frame = closeFrame(new HTTPException(403, '€'.repeat(50)), false);
      assert.equal(frame.reason, '€'.repeat(41));
      assert.equal(Buffer.byteLength(frame.reason), 123);
    });
  });

  describe('WebSocketException', () => {
    it('closes with its own code and reason', () => {
      assert.deepEqual(closeFrame(new WebSocketException(4321, 'custom'), false), { code: 4321, reason: 'custom', unexpected: false });
      assert.deepEqual(closeFrame(new WebSocketException(status.WS_1008_POLICY_VIOLATION), false), { code: 1008, reason: '', unexpected: false });
    });

    it('keeps the boundary codes 1000, 1014, 3000 and 4999', () => {
      for (const code of [1000, 1014, 3000, 4999]) assert.equal(closeFrame(new WebSocketException(code), false).code, code);
    });

    it('cuts a long reason without splitting a character that straddles byte 123', () => {
      const reason = `${'a'.repeat(121)}€€`;
      assert.equal(closeFrame(new WebSocketException(4000, reason), false).reason, 'a'.repeat(121));
      const emoji = '😀'.repeat(40); // 4 bytes (two UTF-16 units) each
      const cut = closeFrame(new WebSocketException(4000, emoji), false).reason;
      assert.equal(cut, '😀'.repeat(30));
      assert.equal(Buffer.byteLength(cut), 120);
    });

    for (const code of [1004, 1005, 1006, 1015, 999, 2000, 5000]) {
      it(`turns the unsendable code ${code} into 1011, reported as unexpected`, () => {
        assert.deepEqual(closeFrame(new WebSocketException(code, 'bad'), false), { code: 1011, reason: 'Internal Error', unexpected: true });
      });
    }

    it('WebSocketProtocolError closes 1002 with its reason', () => {
      assert.deepEqual(closeFrame(new WebSocketProtocolError('Speak chat.v1'), false), { code: 1002, reason: 'Speak chat.v1', unexpected: false });
      assert.deepEqual(closeFrame(new WebSocketProtocolError(), false), { code: 1002, reason: 'Protocol error', unexpected: false });
    });
  });

  describe('ValidationError', () => {
    it('closes 1007 with its message', () => {
      const error = new ValidationError('message', [{ instancePath: '/n', schemaPath: '#/properties/n/type', keyword: 'type', params: { type: 'integer' }, message: 'must be integer' }]);
      assert.deepEqual(closeFrame(error, false), { code: 1007, reason: 'Invalid message: /n must be integer', unexpected: false });
    });

    it('cuts a long message to 123 bytes', () => {
      const frame = closeFrame(new ValidationError('message', [], 'x'.repeat(500)), false);
      assert.deepEqual([frame.code, frame.reason], [1007, 'x'.repeat(123)]);
    });
  });

  describe('any other error', () => {
    it('closes 1011 "Internal Error" without details, as unexpected', () => {
      assert.deepEqual(closeFrame(new Error('secret detail'), false), { code: 1011, reason: 'Internal Error', unexpected: true });
      assert.deepEqual(closeFrame(new TypeError('x is undefined'), false), { code: 1011, reason: 'Internal Error', unexpected: true });
    });

    it('with debug, gives the error\'s name and message, cut to 123 bytes', () => {
      assert.deepEqual(closeFrame(new TypeError('x is undefined'), true), { code: 1011, reason: 'TypeError: x is undefined', unexpected: true });
      const long = closeFrame(new Error('é'.repeat(100)), true).reason;
      assert.equal(long, `Error: ${'é'.repeat(58)}`);
      assert.equal(Buffer.byteLength(long), 123);
    });

    it('has nothing to tell about a thrown non-Error, even with debug', () => {
      assert.deepEqual(closeFrame('a string', true), { code: 1011, reason: 'Internal Error', unexpected: true });
      assert.deepEqual(closeFrame(undefined, true), { code: 1011, reason: 'Internal Error', unexpected: true });
    });
  });
});

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

describe('HTTP routes answer errors by the table', () => {
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
});
