import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../components/websocket';
import { AllowedOrigins } from '../../hooks/allowed-origins';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../lib/routing/routes';
import { TestClient } from '../../lib/testing/test-client';
import { WebSocketDenied } from '../../lib/testing/test-websocket';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type Outcome = { kind: 'opened'; greeting: string } | { kind: 'refused'; status: number; body: string };

/** Connects with `origin` (or none), reads the greeting, and closes; or gives the refusal. */
function attempt(url: string, origin?: string): Promise<Outcome> {
  return within(
    new Promise((resolve, reject) => {
      const client = new WsClient(url, origin === undefined ? {} : { origin });
      client.once('message', (data: Buffer) => {
        resolve({ kind: 'opened', greeting: data.toString('utf8') });
        client.close(1000);
      });
      client.once('unexpected-response', (request, response: IncomingMessage) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          request.destroy();
          resolve({ kind: 'refused', status: response.statusCode ?? 0, body });
        });
      });
      client.on('error', reject);
    }),
    3000,
    `the handshake with ${url}`,
  );
}

/** A plain HTTP GET over a real socket with an Origin header. */
function httpGet(url: string, origin: string): Promise<{ status: number; body: string }> {
  return within(
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { origin } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    }),
    3000,
    `GET ${url}`,
  );
}

describe('AllowedOrigins', () => {
  function serve(allowMissing: boolean | undefined): { url: () => string; app: () => App; runs: () => number } {
    let app: App;
    let base: string;
    let runs = 0;
    before(async () => {
      const greet = inject([WebSocket], async (ws) => {
        runs++;
        await ws.accept();
        await ws.sendText(`hello ${String(ws.headers.origin ?? '(no origin)')}`);
        for await (const message of ws) await ws.send(message);
      });
      app = new App({
        routes: [new WebSocketRoute('/ws', greet), new Route('/http', 'GET', () => ({ http: true }))],
        hooks: [
          new AllowedOrigins(['https://chat.example.com', 'http://localhost:3000'], allowMissing === undefined ? {} : { allowMissing }),
        ],
        settings: { logError: () => {} },
      });
      base = `127.0.0.1:${App.portOf(await app.listen(0))}`;
    });
    after(() => app.close());
    return { url: () => base, app: () => app, runs: () => runs };
  }

  describe('by default', () => {
    const ctx = serve(undefined);

    it('lets an allowed origin through, compared without regard to case', async () => {
      assert.deepEqual(await attempt(`ws://${ctx.url()}/ws`, 'https://chat.example.com'), {
        kind: 'opened',
        greeting: 'hello https://chat.example.com',
      });
      assert.deepEqual(await attempt(`ws://${ctx.url()}/ws`, 'HTTPS://Chat.Example.COM'), {
        kind: 'opened',
        greeting: 'hello HTTPS://Chat.Example.COM',
      });
      assert.deepEqual(await attempt(`ws://${ctx.url()}/ws`, 'http://localhost:3000'), {
        kind: 'opened',
        greeting: 'hello http://localhost:3000',
      });
    });

    it('refuses any other origin with 403 before the upgrade; the handler never runs', async () => {
      const runsBefore = ctx.runs();
      for (const origin of [
        'https://evil.example',
        'https://chat.example.com.evil.example',
        'http://chat.example.com',
        'http://localhost:3001',
        'null',
      ]) {
        const outcome = await attempt(`ws://${ctx.url()}/ws`, origin);
        assert.equal(outcome.kind, 'refused', origin);
        assert.equal(outcome.kind === 'refused' && outcome.status, 403, origin);
        assert.deepEqual(outcome.kind === 'refused' && JSON.parse(outcome.body), { detail: `Origin ${origin} is not allowed` });
      }
      assert.equal(ctx.runs(), runsBefore);
    });

    it('lets a client without an Origin header through', async () => {
      assert.deepEqual(await attempt(`ws://${ctx.url()}/ws`), { kind: 'opened', greeting: 'hello (no origin)' });
    });

    it('refuses through the TestClient too', async () => {
      const client = new TestClient(ctx.app());
      await assert.rejects(
        client.websocket('/ws', { headers: { origin: 'https://evil.example' } }),
        (error: unknown) => error instanceof WebSocketDenied && error.status === 403,
      );
      const session = await client.websocket('/ws', { headers: { origin: 'https://chat.example.com' } });
      assert.equal(await session.receiveText(1000), 'hello https://chat.example.com');
      await session.close();
    });

    it('does not apply to HTTP routes', async () => {
      assert.deepEqual(await httpGet(`http://${ctx.url()}/http`, 'https://evil.example'), { status: 200, body: '{"http":true}' });
      const response = await new TestClient(ctx.app()).get('/http', { headers: { origin: 'https://evil.example' } });
      assert.equal(response.status, 200);
    });
  });

  describe('with allowMissing: false', () => {
    const ctx = serve(false);

    it('refuses a client without an Origin header with 403', async () => {
      const runsBefore = ctx.runs();
      const outcome = await attempt(`ws://${ctx.url()}/ws`);
      assert.deepEqual(outcome.kind === 'refused' && [outcome.status, JSON.parse(outcome.body)], [
        403,
        { detail: 'Origin (none) is not allowed' },
      ]);
      assert.equal(ctx.runs(), runsBefore);
    });

    it('still lets an allowed origin through', async () => {
      assert.deepEqual(await attempt(`ws://${ctx.url()}/ws`, 'https://chat.example.com'), {
        kind: 'opened',
        greeting: 'hello https://chat.example.com',
      });
    });
  });
});
