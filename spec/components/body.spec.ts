import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { Body } from '../../components/body';
import { App } from '../../lib/app';
import { ConfigurationError } from '../../lib/errors/exceptions';
import { inject } from '../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

interface ValidationBody {
  detail: string;
  parameter: string;
  errors: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[];
}

const itemSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, qty: { type: 'integer', minimum: 1, default: 1 } },
  required: ['name'],
  additionalProperties: false,
} as const;

const LIMIT = 64;

/** Counts how often the limited handler was reached. */
let reached = 0;

function makeApp(): App {
  return new App({
    settings: { logError: () => {}, maxBodySize: LIMIT },
    routes: [
      new Route(
        '/items',
        'POST',
        inject([Body(itemSchema)], (item) => ({ name: item.name, qty: item.qty ?? null })),
      ),
      new Route(
        '/any',
        'POST',
        inject([Body()], (body) => ({ got: body })),
      ),
      new Route(
        '/limited',
        'POST',
        inject([Body()], (body) => {
          reached++;
          return { size: JSON.stringify(body).length };
        }),
      ),
    ],
  });
}

describe('Body', () => {
  forEachClient(makeApp, (client) => {
    it('gives a valid JSON body, with schema defaults applied', async () => {
      const response = await client().post('/items', { json: { name: 'pen' } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { name: 'pen', qty: 1 });
    });

    it('keeps values the client sent over defaults', async () => {
      assert.deepEqual(await (await client().post('/items', { json: { name: 'pen', qty: 3 } })).json(), { name: 'pen', qty: 3 });
    });

    it('answers 400 with parameter "body" and ajv errors for a missing property', async () => {
      const response = await client().post('/items', { json: { qty: 2 } });
      assert.equal(response.status, 400);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as ValidationBody;
      assert.equal(body.parameter, 'body');
      assert.equal(body.errors.length, 1);
      assert.equal(body.errors[0].keyword, 'required');
      assert.deepEqual(body.errors[0].params, { missingProperty: 'name' });
      assert.match(body.detail, /body/);
    });

    it('reports where a wrong type is', async () => {
      const body = (await (await client().post('/items', { json: { name: 5 } })).json()) as ValidationBody;
      assert.equal(body.parameter, 'body');
      assert.equal(body.errors[0].instancePath, '/name');
      assert.equal(body.errors[0].keyword, 'type');
      assert.deepEqual(body.errors[0].params, { type: 'string' });
    });

    it('does not coerce body values (JSON is typed)', async () => {
      const response = await client().post('/items', { json: { name: 'pen', qty: '2' } });
      assert.equal(response.status, 400);
      const body = (await response.json()) as ValidationBody;
      assert.equal(body.errors[0].instancePath, '/qty');
      assert.equal(body.errors[0].keyword, 'type');
    });

    it('rejects additional properties the schema forbids', async () => {
      const response = await client().post('/items', { json: { name: 'pen', colour: 'red' } });
      assert.equal(response.status, 400);
      const body = (await response.json()) as ValidationBody;
      assert.equal(body.errors[0].keyword, 'additionalProperties');
      assert.deepEqual(body.errors[0].params, { additionalProperty: 'colour' });
    });

    it('answers 400 for malformed JSON', async () => {
      const response = await client().post('/items', { body: '{"name": "pen"', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { detail: string };
      assert.match(body.detail, /^Malformed JSON body/);
    });

    it('answers 400 for an empty body where JSON is expected', async () => {
      const response = await client().post('/any', { headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { detail: string }).detail, /^Malformed JSON body/);
    });

    it('gives any JSON value without a schema', async () => {
      assert.deepEqual(await (await client().post('/any', { json: [1, 'two', null] })).json(), { got: [1, 'two', null] });
    });

    it('accepts a body of exactly maxBodySize bytes', async () => {
      const text = JSON.stringify('x'.repeat(LIMIT - 2));
      assert.equal(Buffer.byteLength(text), LIMIT);
      const response = await client().post('/limited', { body: text, headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { size: LIMIT });
    });

    it('answers 413 to a body over maxBodySize, without reaching the handler', async () => {
      const before = reached;
      const text = JSON.stringify('x'.repeat(LIMIT - 1));
      assert.equal(Buffer.byteLength(text), LIMIT + 1);
      const response = await client().post('/limited', { body: text, headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 413);
      assert.deepEqual(await response.json(), { detail: `Request body is larger than ${LIMIT} bytes` });
      assert.equal(reached, before);
    });
  });

  describe('an oversized body over a raw socket', () => {
    const limit = 4096;
    let app: App;
    let server: Server;
    let port: number;
    let handled = 0;

    before(async () => {
      app = new App({
        settings: { logError: () => {}, maxBodySize: limit },
        routes: [
          new Route(
            '/upload',
            'POST',
            inject([Body()], () => {
              handled++;
              return { ok: true };
            }),
          ),
        ],
      });
      server = await app.listen(0);
      port = App.portOf(server);
    });
    after(() => app.close());

    interface Outcome {
      status: number;
      body: string;
      connection: string | undefined;
    }

    function readResponse(response: IncomingMessage): Promise<Outcome> {
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), connection: response.headers.connection }),
        );
        response.on('error', reject);
      });
    }

    it('answers 413 from the declared content-length, before the body is sent', async () => {
      // Declares 10 MiB but sends only 1 KiB: a server waiting for the body would never answer.
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/upload',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      });
      const outcome = new Promise<Outcome>((resolve, reject) => {
        req.on('response', (response) => readResponse(response).then(resolve, reject));
        req.on('error', reject);
        setTimeout(() => reject(new Error('no response within 2 s: the server is waiting for the declared body')), 2000).unref();
      });
      req.write('"' + 'x'.repeat(1023));
      let result: Outcome;
      try {
        result = await outcome;
      } finally {
        req.destroy();
      }
      const { status, body, connection } = result;
      assert.equal(status, 413);
      assert.deepEqual(JSON.parse(body), { detail: `Request body is larger than ${limit} bytes` });
      assert.equal(connection, 'close');
      assert.equal(handled, 0);
    });

    it('answers 413 to a streamed (chunked) body once it passes the limit, before the client finishes', async () => {
      const chunk = 'x'.repeat(1024);
      const maxChunks = 2048; // 2 MiB, far past the 4 KiB limit
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/upload',
        agent: false,
        headers: { 'content-type': 'application/json' },
      });
      let response: Promise<Outcome> | undefined;
      // Writes after the server hangs up may fail (EPIPE, ECONNRESET); the response is what matters.
      let failure: Error | undefined;
      req.on('error', (error) => {
        failure = error;
      });
      req.on('response', (incoming) => {
        response = readResponse(incoming);
      });
      req.flushHeaders();
      let written = 0;
      while (response === undefined && failure === undefined && written < maxChunks) {
        await new Promise<void>((resolve) => req.write(written === 0 ? '"' + chunk : chunk, () => resolve()));
        written++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (response === undefined && failure === undefined) {
        req.end('"');
        await new Promise<void>((resolve) => req.on('response', () => resolve()).on('error', () => resolve()));
      }
      req.destroy();
      assert.ok(written < maxChunks, `the client had to send all ${maxChunks} KiB before the server answered`);
      assert.ok(response, `no response before the connection failed: ${String(failure)}`);
      const { status, body } = await response;
      assert.equal(status, 413);
      assert.deepEqual(JSON.parse(body), { detail: `Request body is larger than ${limit} bytes` });
      assert.equal(handled, 0);
    });
  });

  describe('on a WebSocketRoute', () => {
    it('is a ConfigurationError at new App(...)', () => {
      const routes = [
        new WebSocketRoute(
          '/ws',
          inject([Body()], function wsWithBody(body) {
            return body;
          }),
        ),
      ];
      assert.throws(
        () => new App({ routes }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
          assert.match(error.message, /\/ws/);
          assert.match(error.message, /wsWithBody/);
          assert.match(error.message, /Body is only available on HTTP routes/);
          return true;
        },
      );
    });
  });
});

describe('Body when the client leaves mid-body', () => {
  it('is not reported as a server error, and the server keeps serving', async () => {
    const logged: string[] = [];
    let settled!: () => void;
    const handled = new Promise<void>((resolve) => {
      settled = resolve;
    });
    class Watch {
      onError(): void {
        settled();
      }
    }
    const app = new App({
      hooks: [Watch],
      routes: [
        new Route(
          '/b',
          'POST',
          inject([Body()], (body) => body),
        ),
      ],
      settings: {
        logError: (message) => {
          logged.push(message);
        },
      },
    });
    const server: Server = await app.listen(0);
    try {
      const port = App.portOf(server);
      const { connect } = await import('node:net');
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST /b HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await handled;
      assert.deepEqual(logged, []);
      const response = await fetch(`http://127.0.0.1:${port}/b`, {
        method: 'POST',
        body: '{"ok":1}',
        headers: { 'content-type': 'application/json' },
      });
      assert.deepEqual(await response.json(), { ok: 1 });
    } finally {
      await app.close();
    }
  });
});
