import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../../lib/app';
import { ConfigurationError } from '../../../lib/errors/exceptions';
import { StaticFiles } from '../../../lib/http/static-files';
import { Route } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';

/** What a test reads of an answer, the same from a socket and from the TestClient. */
interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** Sends one request with its path exactly as written (`..` and escapes untouched). */
type Send = (method: string, path: string, headers?: Record<string, string>) => Promise<Answer>;

const HELLO = 'hello, static world\n';

/**
 * A served directory and, beside it, what must never be served: a package.json one level up
 * (the target of every traversal below) and a file a symlink inside points to.
 */
function makeTree(): { base: string; publicDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'starwire-static-'));
  const publicDir = join(base, 'public');
  mkdirSync(join(publicDir, 'docs'), { recursive: true });
  mkdirSync(join(publicDir, 'empty'));
  writeFileSync(join(base, 'package.json'), '{"name":"secret"}');
  writeFileSync(join(base, 'outside.txt'), 'outside');
  writeFileSync(join(publicDir, 'hello.txt'), HELLO);
  writeFileSync(join(publicDir, 'app.mjs'), 'export const x = 1;\n');
  writeFileSync(join(publicDir, 'style.css'), 'body { margin: 0 }\n');
  writeFileSync(join(publicDir, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(publicDir, 'docs', 'index.html'), '<h1>docs</h1>');
  writeFileSync(join(publicDir, '.env'), 'SECRET=1');
  writeFileSync(join(publicDir, 'a b.txt'), 'spaced');
  symlinkSync(join(base, 'outside.txt'), join(publicDir, 'link-out.txt'));
  symlinkSync(base, join(publicDir, 'dir-out'));
  symlinkSync(join(publicDir, 'hello.txt'), join(publicDir, 'link-in.txt'));
  symlinkSync(join(publicDir, '.env'), join(publicDir, 'env-link.txt'));
  return { base, publicDir };
}

function makeApp(publicDir: string): App {
  return new App({
    routes: [
      new Route('/static/api', 'GET', () => ({ route: 'api' })),
      StaticFiles('/static', publicDir, { index: 'index.html' }),
      StaticFiles('/plain', publicDir),
      StaticFiles('/dots', publicDir, { dotfiles: 'allow', maxAge: '1h', immutable: true }),
    ],
  });
}

function testClientSend(client: TestClient): Send {
  return async (method, path, headers) => {
    const response = await client.request(method, path, { headers });
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  };
}

function socketSend(port: number): Send {
  return (method, path, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const fields: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(res.headers)) fields[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({ status: res.statusCode ?? 0, headers: fields, body: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

describe('lib/http/static-files', () => {
  let base: string;
  let publicDir: string;

  before(() => {
    ({ base, publicDir } = makeTree());
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const transports: [string, (app: App) => Promise<Send>][] = [
    ['over node:http', async (app) => socketSend(App.portOf(await app.listen(0)))],
    ['through the TestClient', async (app) => testClientSend(new TestClient(app))],
  ];

  for (const [name, open] of transports) {
    describe(name, () => {
      let app: App;
      let send: Send;
      before(async () => {
        app = makeApp(publicDir);
        send = await open(app);
      });
      after(() => app.close());

      it('serves a file with its content type, length, ETag and Last-Modified', async () => {
        const answer = await send('GET', '/static/hello.txt');
        assert.equal(answer.status, 200);
        assert.equal(answer.body, HELLO);
        assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(answer.headers['content-length'], String(Buffer.byteLength(HELLO)));
        assert.match(answer.headers.etag ?? '', /^W\/".+"$/);
        assert.ok(!Number.isNaN(Date.parse(answer.headers['last-modified'] ?? '')));
        assert.equal(answer.headers['accept-ranges'], 'bytes');
        assert.match((await send('GET', '/static/app.mjs')).headers['content-type'] ?? '', /^text\/javascript/);
        assert.match((await send('GET', '/static/style.css')).headers['content-type'] ?? '', /^text\/css/);
        assert.equal((await send('GET', '/static/a%20b.txt')).body, 'spaced');
      });

      it('answers 304 to a matching If-None-Match or a later If-Modified-Since', async () => {
        const first = await send('GET', '/static/hello.txt');
        const etag = first.headers.etag ?? '';
        const byTag = await send('GET', '/static/hello.txt', { 'if-none-match': etag });
        assert.equal(byTag.status, 304);
        assert.equal(byTag.body, '');
        assert.equal(byTag.headers.etag, etag);
        const byDate = await send('GET', '/static/hello.txt', { 'if-modified-since': first.headers['last-modified'] ?? '' });
        assert.equal(byDate.status, 304);
        assert.equal(byDate.body, '');
        assert.equal((await send('GET', '/static/hello.txt', { 'if-none-match': '"other"' })).status, 200);
      });

      it('answers a byte range with 206 and Content-Range, and an unsatisfiable one with 416', async () => {
        const part = await send('GET', '/static/hello.txt', { range: 'bytes=0-4' });
        assert.equal(part.status, 206);
        assert.equal(part.body, 'hello');
        assert.equal(part.headers['content-range'], `bytes 0-4/${HELLO.length}`);
        assert.equal(part.headers['content-length'], '5');
        const tail = await send('GET', '/static/hello.txt', { range: 'bytes=-6' });
        assert.equal(tail.body, 'world\n');
        const beyond = await send('GET', '/static/hello.txt', { range: 'bytes=1000-2000' });
        assert.equal(beyond.status, 416);
        assert.equal(beyond.headers['content-range'], `bytes */${HELLO.length}`);
        assert.deepEqual(JSON.parse(beyond.body), { detail: 'Range Not Satisfiable' });
      });

      it('answers HEAD with the headers of GET and no body', async () => {
        const answer = await send('HEAD', '/static/hello.txt');
        assert.equal(answer.status, 200);
        assert.equal(answer.body, '');
        assert.equal(answer.headers['content-length'], String(Buffer.byteLength(HELLO)));
        assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
      });

      it('answers other methods with 405 and Allow: GET, HEAD', async () => {
        for (const method of ['POST', 'PUT', 'DELETE']) {
          const answer = await send(method, '/static/hello.txt');
          assert.equal(answer.status, 405, method);
          assert.equal(answer.headers.allow, 'GET, HEAD');
        }
      });

      it('serves the index file of a directory, after redirecting /dir to /dir/', async () => {
        const home = await send('GET', '/static/');
        assert.equal(home.status, 200);
        assert.equal(home.body, '<h1>home</h1>');
        assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
        const redirect = await send('GET', '/static/docs');
        assert.equal(redirect.status, 301);
        assert.equal(redirect.headers.location, '/static/docs/');
        assert.equal((await send('GET', '/static/docs/')).body, '<h1>docs</h1>');
        // A directory with no index file, and any directory where no index was asked for.
        assert.equal((await send('GET', '/static/empty/')).status, 404);
        assert.equal((await send('GET', '/plain/')).status, 404);
        assert.equal((await send('GET', '/plain/docs/')).status, 404);
        assert.equal((await send('GET', '/plain/docs')).status, 404);
        // A trailing slash on a file names no directory.
        assert.equal((await send('GET', '/static/hello.txt/')).status, 404);
      });

      it('leaves routes declared beside it alone, and answers a missing file with 404 JSON', async () => {
        assert.deepEqual(JSON.parse((await send('GET', '/static/api')).body), { route: 'api' });
        const missing = await send('GET', '/static/nope.txt');
        assert.equal(missing.status, 404);
        assert.deepEqual(JSON.parse(missing.body), { detail: 'Not Found' });
      });

      it('never serves anything outside the directory: every traversal is a 404', async () => {
        const attempts = [
          '/static/../package.json',
          '/static/%2e%2e/package.json',
          '/static/%2E%2E/package.json',
          '/static/..%2fpackage.json',
          '/static/..%2Fpackage.json',
          '/static/docs/../../package.json',
          '/static/docs/%2e%2e/%2e%2e/package.json',
          '/static/..%5cpackage.json',
          '/static/..\\package.json',
          '/static/%2e%2e%2fpackage.json',
          // An encoded separator is refused even when what it names is inside.
          '/static/docs%2Findex.html',
          '/static/./hello.txt',
          '/static/link-out.txt',
          '/static/dir-out/package.json',
          '/static/dir-out/outside.txt',
          '/static/hello.txt%00.html',
          '/static/hello.txt%00',
          '/static/.env',
          '/static/%2eenv',
          '/static/env-link.txt',
        ];
        for (const path of attempts) {
          const answer = await send('GET', path);
          assert.equal(answer.status, 404, `${path} answered ${answer.status}: ${answer.body}`);
          assert.doesNotMatch(answer.body, /secret|outside|SECRET/, path);
        }
        // A symlink that stays inside is followed.
        assert.equal((await send('GET', '/static/link-in.txt')).body, HELLO);
      });

      it('serves dotfiles and long-lived caching headers only where asked', async () => {
        const answer = await send('GET', '/dots/.env');
        assert.equal(answer.status, 200);
        assert.equal(answer.body, 'SECRET=1');
        assert.equal(answer.headers['cache-control'], 'public, max-age=3600, immutable');
        // With dotfiles allowed, only the real-path check stands between a link and what it points to.
        for (const path of ['/dots/link-out.txt', '/dots/dir-out/package.json', '/dots/../package.json', '/dots/%2e%2e/package.json']) {
          assert.equal((await send('GET', path)).status, 404, path);
        }
      });
    });
  }

  it('answers a raw NUL byte in the path with 404 or a 400, never the file', async () => {
    const app = makeApp(publicDir);
    try {
      const answer = await testClientSend(new TestClient(app))('GET', '/static/hello.txt\0.html');
      assert.equal(answer.status, 404);
    } finally {
      await app.close();
    }
  });

  it('refuses a prefix, directory or index that cannot work when the route is made', () => {
    assert.throws(() => StaticFiles('static', publicDir), /must start with "\/"/);
    assert.throws(() => StaticFiles('/static/', publicDir), /must start with "\/" and not end with one/);
    assert.throws(() => StaticFiles('/static', join(base, 'missing')), ConfigurationError);
    assert.throws(() => StaticFiles('/static', join(publicDir, 'hello.txt')), /is not a directory/);
    assert.throws(() => StaticFiles('/static', publicDir, { index: '../secret.html' }), /index must be a file name/);
  });

  it('mounted at "/", serves what no other route takes', async () => {
    const app = new App({ routes: [new Route('/hello.txt', 'GET', () => 'route'), StaticFiles('/', publicDir, { index: 'index.html' })] });
    try {
      const client = new TestClient(app);
      assert.equal(await (await client.get('/hello.txt')).text(), 'route');
      assert.equal(await (await client.get('/')).text(), '<h1>home</h1>');
      assert.equal(await (await client.get('/app.mjs')).text(), 'export const x = 1;\n');
      const redirect = await client.get('//docs');
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('location'), '/docs/', 'leading slashes collapsed: never //host');
    } finally {
      await app.close();
    }
  });
});
