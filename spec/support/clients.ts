import type { Server } from 'node:http';
import { App } from '../../lib/app';
import { TestClient, type TestRequestInit } from '../../lib/testing/test-client';

/** The subset of the TestClient API both transports offer. */
export interface HttpClient {
  readonly name: string;
  request(method: string, path: string, init?: TestRequestInit): Promise<Response>;
  get(path: string, init?: TestRequestInit): Promise<Response>;
  post(path: string, init?: TestRequestInit): Promise<Response>;
}

/** Sends the same requests as the TestClient, but with `fetch` over a real socket. */
class LiveClient implements HttpClient {
  readonly name = 'real sockets';
  constructor(private readonly base: string) {}

  async request(method: string, path: string, init: TestRequestInit = {}): Promise<Response> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    // Forms go as they are, so fetch encodes them (multipart boundary and all) as a browser would.
    const sent = typeof body === 'string' ? new Uint8Array(Buffer.from(body)) : body instanceof Uint8Array ? new Uint8Array(body) : body;
    return fetch(url, { method, headers, body: sent });
  }

  get(path: string, init?: TestRequestInit): Promise<Response> {
    return this.request('GET', path, init);
  }
  post(path: string, init?: TestRequestInit): Promise<Response> {
    return this.request('POST', path, init);
  }
}

/**
 * Runs `suite` twice: once through the in-process TestClient, once over real sockets with
 * `app.listen()`, so every HTTP behaviour is checked on both paths.
 *
 * @example
 * forEachClient(() => app, (client) => { it('works', async () => { ... await client.get('/') ... }); });
 */
export function forEachClient(makeApp: () => App, suite: (client: () => HttpClient, app: () => App) => void): void {
  describe('through the TestClient', () => {
    let app: App;
    let client: HttpClient;
    before(() => {
      app = makeApp();
      const test = new TestClient(app);
      client = {
        name: 'TestClient',
        request: (m, p, i) => test.request(m, p, i),
        get: (p, i) => test.get(p, i),
        post: (p, i) => test.post(p, i),
      };
    });
    suite(
      () => client,
      () => app,
    );
  });
  describe('over real sockets', () => {
    let app: App;
    let server: Server;
    let client: HttpClient;
    before(async () => {
      app = makeApp();
      server = await app.listen(0);
      client = new LiveClient(`http://127.0.0.1:${App.portOf(server)}`);
    });
    after(() => app?.close());
    suite(
      () => client,
      () => app,
    );
  });
}
