import assert from 'node:assert/strict';
import { Body } from '../../components/body';
import { Files } from '../../components/files';
import { Form } from '../../components/form';
import { App } from '../../lib/app';
import { component } from '../../lib/inject/component';
import { inject } from '../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';
import { startupError } from '../support/startup-error';

interface ErrorBody {
  detail: string;
  parameter?: string;
  errors?: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[];
}

const signupSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    age: { type: 'integer', minimum: 0 },
    subscribe: { type: 'boolean', default: false },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

let reached = 0;

function makeApp(): App {
  return new App({
    settings: { logError: () => {}, forms: { maxFields: 5, maxFieldSize: 16, maxTotalSize: 4096 } },
    routes: [
      new Route(
        '/signup',
        'POST',
        inject([Form(signupSchema)], (form) => ({
          name: form.name,
          age: form.age ?? null,
          subscribe: form.subscribe,
          tags: form.tags ?? null,
        })),
      ),
      new Route(
        '/raw',
        'POST',
        inject([Form()], (fields) => {
          reached++;
          return { fields };
        }),
      ),
      new Route(
        '/two-fields',
        'POST',
        inject([Form(undefined, { maxFields: 2 })], (fields) => ({ fields })),
      ),
    ],
  });
}

describe('Form', () => {
  forEachClient(makeApp, (client) => {
    it('gives urlencoded fields, coerced and validated by the schema, with defaults', async () => {
      const response = await client().post('/signup', { body: new URLSearchParams({ name: 'ada', age: '36' }) });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { name: 'ada', age: 36, subscribe: false, tags: null });
    });

    it('gives multipart fields the same way', async () => {
      const form = new FormData();
      form.append('name', 'ada');
      form.append('subscribe', 'true');
      const response = await client().post('/signup', { body: form });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { name: 'ada', age: null, subscribe: true, tags: null });
    });

    it('makes a repeated field an array where the schema says array, and a lone value a one-item array', async () => {
      const many = await client().post('/signup', {
        body: new URLSearchParams([
          ['name', 'ada'],
          ['tags', 'a'],
          ['tags', 'b'],
        ]),
      });
      assert.deepEqual((await many.json()).tags, ['a', 'b']);
      const one = new FormData();
      one.append('name', 'ada');
      one.append('tags', 'solo');
      assert.deepEqual((await (await client().post('/signup', { body: one })).json()).tags, ['solo']);
    });

    it('answers 400 with parameter "form" and ajv errors, as Body does', async () => {
      const response = await client().post('/signup', { body: new URLSearchParams({ age: 'old' }) });
      assert.equal(response.status, 400);
      const body = (await response.json()) as ErrorBody;
      assert.equal(body.parameter, 'form');
      assert.ok(body.errors && body.errors.length > 0);
      assert.ok(
        body.errors.some((e) => e.keyword === 'required' || (e.instancePath === '/age' && e.keyword === 'type')),
        JSON.stringify(body),
      );
    });

    it('answers 400 when a field the schema wants once is sent twice', async () => {
      const response = await client().post('/signup', {
        body: new URLSearchParams([
          ['name', 'a'],
          ['name', 'b'],
        ]),
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as ErrorBody).errors?.[0].instancePath, '/name');
    });

    it('gives the fields as sent without a schema, repeated names as arrays', async () => {
      const response = await client().post('/raw', {
        body: 'a=1&b=2&a=3&__proto__=x&empty=',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { fields: { a: ['1', '3'], b: '2', ['__proto__']: 'x', empty: '' } });
    });

    it('answers 415 to a JSON body, naming the form types', async () => {
      const response = await client().post('/raw', { json: { a: 1 } });
      assert.equal(response.status, 415);
      const body = (await response.json()) as ErrorBody;
      assert.match(body.detail, /application\/x-www-form-urlencoded or multipart\/form-data/);
      assert.match(response.headers.get('accept') ?? '', /multipart\/form-data/);
    });

    it('answers 415 to a body without a content type', async () => {
      const response = await client().post('/raw', { body: 'a=1', headers: { 'content-type': '' } });
      assert.equal(response.status, 415);
    });

    it('answers 413 naming the field over maxFieldSize', async () => {
      const response = await client().post('/raw', { body: new URLSearchParams({ bio: 'x'.repeat(17) }) });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, "Field 'bio' exceeds 16 bytes");
    });

    it('accepts a field of exactly maxFieldSize bytes', async () => {
      const response = await client().post('/raw', { body: new URLSearchParams({ bio: 'x'.repeat(16) }) });
      assert.equal(response.status, 200);
    });

    it('answers 413 past maxFields, in a multipart body too', async () => {
      const form = new FormData();
      for (let i = 0; i < 6; i++) form.append(`f${i}`, 'v');
      const response = await client().post('/raw', { body: form });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, 'Too many fields: more than 5');
    });

    it("takes a token's own limit over the app's", async () => {
      const response = await client().post('/two-fields', { body: new URLSearchParams({ a: '1', b: '2', c: '3' }) });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, 'Too many fields: more than 2');
    });

    it('answers 413 past maxTotalSize without reaching the handler', async () => {
      const before = reached;
      const response = await client().post('/raw', {
        body: `a=${'x'.repeat(5000)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, 'Form body exceeds 4096 bytes');
      assert.equal(reached, before);
    });

    it('answers 400 with a detail to a malformed multipart body', async () => {
      const headers = { 'content-type': 'multipart/form-data; boundary=XyZ' };
      const cut = await client().post('/raw', { body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue', headers });
      assert.equal(cut.status, 400);
      assert.match(((await cut.json()) as ErrorBody).detail, /^Malformed form body: /);
      const noBoundary = await client().post('/raw', { body: 'x', headers: { 'content-type': 'multipart/form-data' } });
      assert.equal(noBoundary.status, 400);
      assert.match(((await noBoundary.json()) as ErrorBody).detail, /^Malformed form body: /);
      const badHeader = await client().post('/raw', { body: '--XyZ\r\nno colon here\r\n\r\nv\r\n--XyZ--\r\n', headers });
      assert.equal(badHeader.status, 400);
    });
  });

  describe('at startup', () => {
    const handler = (..._args: unknown[]) => ({});

    it('refuses Body and Form on one function, naming the route and the function', () => {
      const both = inject([Body(), Form()], function createItem(...args: unknown[]) {
        return handler(...args);
      });
      const message = startupError(() => new App({ routes: [new Route('/items', 'POST', both)] }));
      assert.match(message, /route POST \/items/);
      assert.match(message, /function createItem/);
      assert.match(message, /Body reads the request body as JSON and Form reads it as form/);
    });

    it('refuses Body and Files on one function, through a component too', () => {
      class Upload {}
      const upload = component(Upload, [Files()], () => new Upload());
      const both = inject([Body(), Upload], function store() {
        return {};
      });
      const message = startupError(() => new App({ routes: [new Route('/store', 'POST', both)], components: [upload] }));
      assert.match(message, /route POST \/store, function store: Body reads the request body as JSON and Files reads it as form/);
    });

    it('refuses Form on a WebSocket route', () => {
      const ws = inject([Form()], function onSocket() {});
      const message = startupError(() => new App({ routes: [new WebSocketRoute('/ws', ws)] }));
      assert.match(message, /route WS \/ws, function onSocket, parameter 1 \(Form\): Form is only available on HTTP routes/);
    });

    it('refuses a limit that is not a non-negative integer', () => {
      const bad = inject([Form(undefined, { maxFields: -1 })], function bad() {});
      const message = startupError(() => new App({ routes: [new Route('/f', 'POST', bad)] }));
      assert.match(
        message,
        /route POST \/f, function bad, parameter 1 \(Form\): Form options\.maxFields must be a non-negative integer, got -1/,
      );
      assert.throws(
        () => new App({ routes: [], settings: { forms: { maxFileSize: 1.5 } } }),
        /settings\.forms\.maxFileSize must be a non-negative integer/,
      );
    });

    it('refuses a schema ajv rejects, naming the route', () => {
      const bad = inject([Form({ type: 'object', properties: { a: { type: 'string', minLenght: 2 } } } as never)], function bad() {});
      assert.match(
        startupError(() => new App({ routes: [new Route('/f', 'POST', bad)] })),
        /route POST \/f.*invalid JSON Schema for form/,
      );
    });
  });
});
