import assert from 'node:assert/strict';
import { App } from '../../../lib/app';
import { Request } from '../../../lib/http/request';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
import { forEachClient } from '../../support/clients';

const inspect = inject([Request], (request) => ({
  method: request.method,
  url: request.url,
  path: request.path,
  query: request.query,
  headers: { custom: request.headers['x-custom'] ?? null, upper: request.headers['X-Custom'] ?? null },
  header: {
    mixed: request.header('X-CUSTOM') ?? null,
    missing: request.header('x-missing') ?? null,
    inherited: typeof request.header('toString'),
  },
  cookies: request.cookies,
}));

function makeApp(): App {
  return new App({
    settings: { logError: () => {} },
    routes: [
      new Route('/inspect', 'GET', inspect),
      new Route('/inspect', 'PUT', inspect),
      new Route('/inspect', 'DELETE', inspect),
      new Route(
        '/files/{name}',
        'GET',
        inject([Request], (request) => ({ path: request.path, url: request.url })),
      ),
      new Route(
        '/client',
        'GET',
        inject([Request], (request) => ({ client: request.client })),
      ),
      new Route(
        '/bytes',
        'POST',
        inject([Request], async (request) => {
          const bytes = await request.bytes();
          return { isBuffer: Buffer.isBuffer(bytes), hex: bytes.toString('hex') };
        }),
      ),
      new Route(
        '/text-then-json',
        'POST',
        inject([Request], async (request) => {
          const text = await request.text();
          const json = await request.json();
          const bytes = await request.bytes();
          return {
            text,
            json,
            bytes: bytes.length, // biome-ignore lint/suspicious/noSelfCompare: two calls must give the one promise
            samePromise: request.bytes() === request.bytes(),
          };
        }),
      ),
      new Route(
        '/json',
        'POST',
        inject([Request], async (request) => ({ json: await request.json() })),
      ),
      new Route(
        '/unread',
        'POST',
        inject([Request], (request) => ({ method: request.method })),
      ),
    ],
  });
}

interface Inspected {
  method: string;
  url: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: { custom: string | null; upper: string | null };
  header: { mixed: string | null; missing: string | null; inherited: string };
  cookies: Record<string, string>;
}

describe('Request', () => {
  forEachClient(makeApp, (client) => {
    it('has the method', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await client().request(method, '/inspect');
        assert.equal(response.status, 200, method);
        assert.equal(((await response.json()) as Inspected).method, method);
      }
    });

    it('has the url (path and query string as sent) and the path', async () => {
      const body = (await (await client().get('/inspect?q=chat%20room&n=1')).json()) as Inspected;
      assert.equal(body.url, '/inspect?q=chat%20room&n=1');
      assert.equal(body.path, '/inspect');
    });

    it('has the parsed query, repeated keys as lists', async () => {
      const body = (await (await client().get('/inspect?q=chat%20room&tag=a&tag=b')).json()) as Inspected;
      assert.deepEqual(body.query, { q: 'chat room', tag: ['a', 'b'] });
    });

    it('has headers with lower-cased names, and header() looks names up case-insensitively', async () => {
      const body = (await (await client().get('/inspect', { headers: { 'X-Custom': 'v1' } })).json()) as Inspected;
      assert.deepEqual(body.headers, { custom: 'v1', upper: null });
      assert.deepEqual(body.header, { mixed: 'v1', missing: null, inherited: 'undefined' });
    });

    it('has the cookies, parsed', async () => {
      const body = (await (await client().get('/inspect', { headers: { cookie: 'a=1; session=x%20y' } })).json()) as Inspected;
      assert.deepEqual(body.cookies, { a: '1', session: 'x y' });
      const none = (await (await client().get('/inspect')).json()) as Inspected;
      assert.deepEqual(none.cookies, {});
    });

    it('has the client address', async () => {
      const { client: address } = (await (await client().get('/client')).json()) as { client: { host: string; port: number } | null };
      assert.ok(address, 'client address is missing');
      assert.match(address.host, /^(::ffff:)?127\.0\.0\.1$/);
      assert.ok(Number.isInteger(address.port) && address.port > 0, `port ${address.port}`);
    });

    it('gives the path percent-decoded, the url as sent', async () => {
      const body = (await (await client().get('/files/caf%C3%A9%20menu.txt')).json()) as { path: string; url: string };
      assert.equal(body.path, '/files/café menu.txt');
      assert.equal(body.url, '/files/caf%C3%A9%20menu.txt');
    });

    it('keeps an encoded slash encoded in the path', async () => {
      const body = (await (await client().get('/files/a%2Fb')).json()) as { path: string };
      assert.equal(body.path, '/files/a%2Fb');
    });

    it('gives the raw body as bytes', async () => {
      const response = await client().post('/bytes', { body: Buffer.from([0, 1, 127, 128, 255]) });
      assert.deepEqual(await response.json(), { isBuffer: true, hex: '00017f80ff' });
    });

    it('gives an empty body as zero bytes', async () => {
      assert.deepEqual(await (await client().post('/bytes')).json(), { isBuffer: true, hex: '' });
    });

    it('caches the body: text() then json() then bytes() all work', async () => {
      const response = await client().post('/text-then-json', { json: { hello: 'wörld' } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        text: '{"hello":"wörld"}',
        json: { hello: 'wörld' },
        bytes: Buffer.byteLength('{"hello":"wörld"}'),
        samePromise: true,
      });
    });

    it('answers 400 when json() meets malformed JSON', async () => {
      const response = await client().post('/json', { body: 'not json', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { detail: string }).detail, /^Malformed JSON body/);
    });

    it('serves a handler that never reads the body', async () => {
      const response = await client().post('/unread', { body: 'x'.repeat(10_000) });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { method: 'POST' });
    });
  });
});
