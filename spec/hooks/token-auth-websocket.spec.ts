import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type ClientOptions, WebSocket as WsClient } from 'ws';
import { Message } from '../../components/message';
import type { Scope } from '../../components/scope';
import { User } from '../../components/user';
import { WebSocket } from '../../components/websocket';
import { TokenAuth, type TokenAuthOptions } from '../../hooks/token-auth';
import { App } from '../../lib/app';
import { WebSocketDisconnect } from '../../lib/errors/exceptions';
import { inject } from '../../lib/inject/inject';
import { WebSocketRoute } from '../../lib/routing/routes';
import { TestClient } from '../../lib/testing/test-client';
import { WebSocketDenied } from '../../lib/testing/test-websocket';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Opened {
  kind: 'opened';
  client: WsClient;
  next: () => Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
}
interface Refused {
  kind: 'refused';
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const clients: WsClient[] = [];

function open(url: string, options: ClientOptions = {}): Promise<Opened | Refused> {
  return within(
    new Promise((resolve, reject) => {
      const client = new WsClient(url, options);
      clients.push(client);
      const queue: string[] = [];
      const waiters: ((text: string) => void)[] = [];
      client.on('message', (data: Buffer) => {
        const waiter = waiters.shift();
        if (waiter) waiter(data.toString('utf8'));
        else queue.push(data.toString('utf8'));
      });
      const next = (): Promise<string> => {
        const queued = queue.shift();
        return queued !== undefined ? Promise.resolve(queued) : within(new Promise((r) => waiters.push(r)), 2000, 'a message');
      };
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        client.once('close', (code, reason) => r({ code, reason: reason.toString('utf8') })),
      );
      client.once('open', () => resolve({ kind: 'opened', client, next, closed }));
      client.once('unexpected-response', (request, response: IncomingMessage) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          request.destroy();
          resolve({ kind: 'refused', status: response.statusCode ?? 0, headers: response.headers, body });
        });
      });
      client.on('error', reject);
    }),
    3000,
    `the handshake with ${url}`,
  );
}

function opened(result: Opened | Refused): Opened {
  if (result.kind !== 'opened') throw new Error(`Expected the handshake to open; it was refused with ${result.status}: ${result.body}`);
  return result;
}

function refused(result: Opened | Refused): Refused {
  if (result.kind !== 'refused') throw new Error('Expected the handshake to be refused; it opened');
  return result;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
});

const users: Readonly<Record<string, User>> = {
  'alice-token': new User('u1', 'Alice', { role: 'admin' }),
  'bob-token': new User('u2', 'Bob'),
};

describe('TokenAuth on WebSocket routes', () => {
  function serve(options: Omit<TokenAuthOptions, 'verify'>): {
    base: () => string;
    app: () => App;
    runs: () => number;
    verified: () => string[];
  } {
    let app: App;
    let base: string;
    let runs = 0;
    const verified: string[] = [];
    before(async () => {
      const auth = new TokenAuth({
        ...options,
        verify: async (token: string, scope: Scope) => {
          verified.push(`${scope.type}:${token}`);
          await new Promise((resolve) => setImmediate(resolve));
          return users[token] ?? null;
        },
      });
      const me = inject([WebSocket, User], async (ws, user) => {
        runs++;
        await ws.accept();
        await ws.sendJson({ id: user.id, name: user.name, claims: user.claims });
        for await (const message of ws) await ws.send(message);
      });
      // A message handler injecting User: it runs once per message, after the hook passed.
      const whoami = inject([Message(), User], (message, user) => ({ you: user.name, said: message }));
      app = new App({
        routes: [new WebSocketRoute('/me', me), new WebSocketRoute('/whoami', whoami)],
        hooks: [auth],
        components: [auth.user],
        settings: { logError: () => {} },
      });
      base = `ws://127.0.0.1:${App.portOf(await app.listen(0))}`;
    });
    after(() => app.close());
    return { base: () => base, app: () => app, runs: () => runs, verified: () => verified };
  }

  describe('by default (refused with HTTP 401)', () => {
    const ctx = serve({});

    it('takes the token from ?token= and injects the User into the handler', async () => {
      const result = opened(await open(`${ctx.base()}/me?token=alice-token`));
      assert.deepEqual(JSON.parse(await result.next()), { id: 'u1', name: 'Alice', claims: { role: 'admin' } });
      assert.ok(ctx.verified().includes('websocket:alice-token'));
    });

    it('takes the token from the Authorization header', async () => {
      const result = opened(await open(`${ctx.base()}/me`, { headers: { authorization: 'Bearer bob-token' } }));
      assert.deepEqual(JSON.parse(await result.next()), { id: 'u2', name: 'Bob', claims: {} });
    });

    it('prefers the Authorization header over the query', async () => {
      const result = opened(await open(`${ctx.base()}/me?token=alice-token`, { headers: { authorization: 'Bearer bob-token' } }));
      assert.equal((JSON.parse(await result.next()) as { id: string }).id, 'u2');
    });

    it('injects User into a message handler, once per message', async () => {
      const result = opened(await open(`${ctx.base()}/whoami?token=bob-token`));
      result.client.send(JSON.stringify({ n: 1 }));
      assert.deepEqual(JSON.parse(await result.next()), { you: 'Bob', said: { n: 1 } });
      result.client.send(JSON.stringify({ n: 2 }));
      assert.deepEqual(JSON.parse(await result.next()), { you: 'Bob', said: { n: 2 } });
    });

    it('refuses a missing or invalid token with 401 and www-authenticate before the upgrade; the handler never runs', async () => {
      const runsBefore = ctx.runs();
      const cases: [string, ClientOptions, string][] = [
        ['/me', {}, 'Authentication required'],
        ['/me?token=', {}, 'Authentication required'],
        ['/me?token=forged', {}, 'Invalid token'],
        ['/me', { headers: { authorization: 'Bearer forged' } }, 'Invalid token'],
        ['/me', { headers: { authorization: 'Basic YWxpY2UtdG9rZW4=' } }, 'Authentication required'],
        ['/whoami', {}, 'Authentication required'],
      ];
      for (const [path, options, detail] of cases) {
        const refusal = refused(await open(`${ctx.base()}${path}`, options));
        assert.equal(refusal.status, 401, path);
        assert.equal(refusal.headers['www-authenticate'], 'Bearer');
        assert.deepEqual(JSON.parse(refusal.body), { detail });
      }
      assert.equal(ctx.runs(), runsBefore);
    });

    it('behaves the same through the TestClient', async () => {
      const client = new TestClient(ctx.app());
      await assert.rejects(client.websocket('/me'), (error: unknown) => error instanceof WebSocketDenied && error.status === 401);
      await assert.rejects(
        client.websocket('/me?token=forged'),
        (error: unknown) => error instanceof WebSocketDenied && error.status === 401,
      );
      const session = await client.websocket('/me', { headers: { authorization: 'Bearer alice-token' } });
      assert.deepEqual(await session.receiveJson(1000), { id: 'u1', name: 'Alice', claims: { role: 'admin' } });
      await session.close();
    });
  });

  describe("with websocket: 'close' (accepted, then closed with 3000)", () => {
    const ctx = serve({ websocket: 'close' });

    it('accepts and closes with 3000 without running the handler, for a missing or invalid token', async () => {
      const runsBefore = ctx.runs();
      for (const [path, reason] of [
        ['/me', 'Authentication required'],
        ['/me?token=forged', 'Invalid token'],
      ]) {
        const result = opened(await open(`${ctx.base()}${path}`));
        assert.deepEqual(await within(result.closed, 2000, 'the 3000 close'), { code: 3000, reason });
      }
      assert.equal(ctx.runs(), runsBefore);
    });

    // Clients that offered subprotocols fail a handshake that picks none ("Server sent no
    // subprotocol"), so the accept-then-close must echo one of theirs for the 3000 to arrive.
    it('closes with 3000 for a client that offered subprotocols, too', async () => {
      const offering = await within(
        new Promise<{ code: number; reason: string }>((resolve, reject) => {
          const client = new WsClient(`${ctx.base()}/me`, ['chat']);
          clients.push(client);
          client.on('error', reject);
          client.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
        }),
        2000,
        'the close',
      );
      assert.deepEqual(offering, { code: 3000, reason: 'Authentication required' });
    });

    it('closes with 3000 through the TestClient too', async () => {
      await assert.rejects(
        new TestClient(ctx.app()).websocket('/me'),
        (error: unknown) => error instanceof WebSocketDisconnect && error.code === 3000,
      );
    });

    it('still serves a valid token', async () => {
      const result = opened(await open(`${ctx.base()}/me?token=alice-token`));
      assert.equal((JSON.parse(await result.next()) as { name: string }).name, 'Alice');
    });
  });

  describe('with query: false', () => {
    const ctx = serve({ query: false });

    it('ignores ?token= and takes only the header', async () => {
      assert.equal(refused(await open(`${ctx.base()}/me?token=alice-token`)).status, 401);
      const result = opened(await open(`${ctx.base()}/me`, { headers: { authorization: 'Bearer alice-token' } }));
      assert.equal((JSON.parse(await result.next()) as { id: string }).id, 'u1');
    });
  });
});
