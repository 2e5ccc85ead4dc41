import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Compression } from '../../hooks/compression';
import { App } from '../../lib/app';
import { EventStream } from '../../lib/http/event-stream';
import { Response, StreamingResponse } from '../../lib/http/response';
import { Route } from '../../lib/routing/routes';
import { TestClient } from '../../lib/testing/test-client';

const TEXT = 'Starwire compresses text. '.repeat(200);
const JSON_BODY = { items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `item ${i}` })) };
const PNG = Buffer.alloc(4096, 7);

/** A response as it came over the wire, body undecoded. */
interface Raw {
  status: number;
  header(name: string): string | undefined;
  body: Buffer;
}

type Send = (method: string, path: string, headers?: Record<string, string>) => Promise<Raw>;

function routes(): Route[] {
  return [
    new Route('/text', 'GET', () => TEXT),
    new Route('/json', 'GET', () => JSON_BODY),
    new Route('/small', 'GET', () => 'tiny'),
    new Route('/png', 'GET', () => new Response(PNG, { headers: { 'content-type': 'image/png' } })),
    new Route('/svg', 'GET', () => new Response(`<svg>${'<g/>'.repeat(500)}</svg>`, { headers: { 'content-type': 'image/svg+xml' } })),
    new Route('/encoded', 'GET', () => new Response(TEXT, { headers: { 'content-type': 'text/plain', 'content-encoding': 'identity' } })),
    new Route(
      '/no-transform',
      'GET',
      () => new Response(TEXT, { headers: { 'content-type': 'text/plain', 'cache-control': 'no-transform' } }),
    ),
    new Route('/etag', 'GET', () => new Response(TEXT, { headers: { 'content-type': 'text/plain', etag: '"v1"', vary: 'Origin' } })),
    new Route('/empty', 'GET', () => undefined),
    new Route('/stream', 'GET', () => {
      async function* chunks() {
        for (let i = 0; i < 50; i++) yield `chunk ${i} ${'x'.repeat(100)}\n`;
      }
      return new StreamingResponse(Readable.from(chunks()), { headers: { 'content-type': 'text/plain' } });
    }),
    new Route(
      '/events',
      'GET',
      () =>
        new EventStream(async function* () {
          for (let i = 0; i < 20; i++) yield { id: String(i), data: 'y'.repeat(200) };
        }),
    ),
  ];
}

function decode(raw: Raw): string {
  const encoding = raw.header('content-encoding');
  if (encoding === 'gzip') return gunzipSync(raw.body).toString();
  if (encoding === 'br') return brotliDecompressSync(raw.body).toString();
  assert.equal(encoding, undefined);
  return raw.body.toString();
}

function eachTransport(suite: (send: () => Send) => void): void {
  describe('through the TestClient', () => {
    let send: Send;
    before(() => {
      const client = new TestClient(new App({ routes: routes(), hooks: [new Compression()] }));
      send = async (method, path, headers) => {
        const response = await client.request(method, path, { headers });
        return {
          status: response.status,
          header: (name) => response.headers.get(name) ?? undefined,
          body: Buffer.from(await response.arrayBuffer()),
        };
      };
    });
    suite(() => send);
  });
  describe('over node:http', () => {
    let app: App;
    let send: Send;
    before(async () => {
      app = new App({ routes: routes(), hooks: [new Compression()] });
      const port = App.portOf(await app.listen(0, '127.0.0.1'));
      send = (method, path, headers = {}) =>
        new Promise((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const header = (name: string) => {
                const value = res.headers[name];
                return Array.isArray(value) ? value.join(', ') : value;
              };
              resolve({ status: res.statusCode ?? 0, header, body: Buffer.concat(chunks) });
            });
          });
          req.on('error', reject);
          req.end();
        });
    });
    after(() => app.close());
    suite(() => send);
  });
}

describe('Compression', () => {
  eachTransport((send) => {
    it('gzips text for a gzip client: the decoded body equals the original, content-length is the compressed size', async () => {
      const raw = await send()('GET', '/text', { 'accept-encoding': 'gzip' });
      assert.equal(raw.header('content-encoding'), 'gzip');
      assert.equal(raw.header('vary'), 'Accept-Encoding');
      assert.equal(Number(raw.header('content-length')), raw.body.length);
      assert.ok(raw.body.length < TEXT.length / 5, `${raw.body.length} bytes`);
      assert.equal(decode(raw), TEXT);
    });

    it('prefers brotli when both are accepted, and decodes to the same JSON', async () => {
      const raw = await send()('GET', '/json', { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(raw.header('content-encoding'), 'br');
      assert.deepEqual(JSON.parse(decode(raw)), JSON_BODY);
    });

    it('honours q=0', async () => {
      const noBr = await send()('GET', '/text', { 'accept-encoding': 'br;q=0, gzip' });
      assert.equal(noBr.header('content-encoding'), 'gzip');
      const none = await send()('GET', '/text', { 'accept-encoding': 'gzip;q=0, br;q=0' });
      assert.equal(none.header('content-encoding'), undefined);
      assert.equal(none.header('vary'), 'Accept-Encoding');
      assert.equal(decode(none), TEXT);
    });

    it('sends as is without Accept-Encoding, still saying it varies by it', async () => {
      const raw = await send()('GET', '/text');
      assert.equal(raw.header('content-encoding'), undefined);
      assert.equal(raw.header('vary'), 'Accept-Encoding');
      assert.equal(raw.body.toString(), TEXT);
    });

    it('leaves a body under the threshold alone', async () => {
      const raw = await send()('GET', '/small', { 'accept-encoding': 'gzip, br' });
      assert.equal(raw.header('content-encoding'), undefined);
      assert.equal(raw.header('vary'), undefined);
      assert.equal(raw.body.toString(), 'tiny');
    });

    it('never compresses image/png, but does SVG', async () => {
      const png = await send()('GET', '/png', { 'accept-encoding': 'gzip, br' });
      assert.equal(png.header('content-encoding'), undefined);
      assert.deepEqual(png.body, PNG);
      const svg = await send()('GET', '/svg', { 'accept-encoding': 'gzip' });
      assert.equal(svg.header('content-encoding'), 'gzip');
    });

    it('never compresses text/event-stream', async () => {
      const raw = await send()('GET', '/events', { 'accept-encoding': 'gzip, br' });
      assert.equal(raw.header('content-encoding'), undefined);
      assert.match(raw.body.toString(), /^id: 0\ndata: y+\n\n/);
    });

    it('keeps an existing Content-Encoding and Cache-Control: no-transform', async () => {
      const encoded = await send()('GET', '/encoded', { 'accept-encoding': 'gzip' });
      assert.equal(encoded.header('content-encoding'), 'identity');
      assert.equal(encoded.body.toString(), TEXT);
      const kept = await send()('GET', '/no-transform', { 'accept-encoding': 'gzip' });
      assert.equal(kept.header('content-encoding'), undefined);
    });

    it('adds to an existing Vary and weakens a strong ETag', async () => {
      const raw = await send()('GET', '/etag', { 'accept-encoding': 'gzip' });
      assert.equal(raw.header('vary'), 'Origin, Accept-Encoding');
      assert.equal(raw.header('etag'), 'W/"v1"');
    });

    it('does not compress HEAD: headers as for an uncompressed GET, no body', async () => {
      const raw = await send()('HEAD', '/text', { 'accept-encoding': 'gzip, br' });
      assert.equal(raw.status, 200);
      assert.equal(raw.header('content-encoding'), undefined);
      assert.equal(raw.header('content-length'), String(TEXT.length));
      assert.equal(raw.body.length, 0);
    });

    it('leaves a 204 alone', async () => {
      const raw = await send()('GET', '/empty', { 'accept-encoding': 'gzip' });
      assert.equal(raw.status, 204);
      assert.equal(raw.header('content-encoding'), undefined);
    });

    it('compresses a stream as a stream, chunked', async () => {
      for (const encoding of ['gzip', 'br']) {
        const raw = await send()('GET', '/stream', { 'accept-encoding': encoding });
        assert.equal(raw.header('content-encoding'), encoding);
        assert.equal(raw.header('content-length'), undefined);
        const text = decode(raw);
        assert.equal(text.split('\n').length, 51);
        assert.ok(text.startsWith(`chunk 0 ${'x'.repeat(100)}\n`));
      }
    });
  });

  it('refuses bad options at construction, naming them', () => {
    assert.throws(() => new Compression({ threshold: -1 }), /threshold/);
    assert.throws(() => new Compression({ encodings: ['deflate' as 'gzip'] }), /encodings/);
    assert.throws(() => new Compression({ level: { gzip: 42 } }));
  });

  it('flushes each chunk of a slow stream, so a client reads it before the stream ends', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = new App({
      routes: [
        new Route('/slow', 'GET', () => {
          async function* chunks() {
            yield 'first part '.repeat(200);
            await gate;
            yield 'second part';
          }
          return new StreamingResponse(chunks(), { headers: { 'content-type': 'text/plain' } });
        }),
      ],
      hooks: [new Compression()],
    });
    const port = App.portOf(await app.listen(0, '127.0.0.1'));
    try {
      // fetch decodes gzip as it arrives: the first part is readable while the stream still waits.
      const response = await fetch(`http://127.0.0.1:${port}/slow`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(response.headers.get('content-encoding'), 'gzip');
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const { value } = await reader.read();
      assert.ok(
        Buffer.from(value ?? [])
          .toString()
          .startsWith('first part'),
      );
      release();
      await reader.cancel();
    } finally {
      release();
      await app.close();
    }
  });
});
