import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../components/websocket';
import { type SubprotocolOptions, Subprotocols } from '../../hooks/subprotocols';
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
  /** The first message and the close, recorded from the start. */
  first: Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
}
interface Refused {
  kind: 'refused';
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const clients: WsClient[] = [];

/** Opens a real client offering `protocols`; resolves with the open socket or the HTTP refusal. */
function open(url: string, protocols: string[]): Promise<Opened | Refused> {
  return within(
    new Promise((resolve, reject) => {
      const client = new WsClient(url, protocols);
      clients.push(client);
      const first = new Promise<string>((r) => client.once('message', (data: Buffer) => r(data.toString('utf8'))));
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        client.once('close', (code, reason) => r({ code, reason: reason.toString('utf8') })),
      );
      client.once('open', () => resolve({ kind: 'opened', client, first, closed }));
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

describe('Subprotocols', () => {
  it('needs at least one supported subprotocol', () => {
    assert.throws(() => new Subprotocols([]), TypeError);
  });

  function suite(
    options: SubprotocolOptions | undefined,
    body: (ctx: { url: () => string; app: () => App; runs: () => number }) => void,
  ): void {
    let app: App;
    let url: string;
    let runs = 0;
    before(async () => {
      const handler = inject([WebSocket], async (ws) => {
        runs++;
        await ws.accept();
        await ws.sendText(`chosen:${ws.subprotocol ?? '(none)'}`);
        for await (const message of ws) await ws.send(message);
      });
      app = new App({
        routes: [new WebSocketRoute('/chat', handler)],
        hooks: [new Subprotocols(['chat.v2', 'chat.v1'], options)],
        settings: { logError: () => {} },
      });
      url = `ws://127.0.0.1:${App.portOf(await app.listen(0))}/chat`;
    });
    after(() => app.close());
    body({ url: () => url, app: () => app, runs: () => runs });
  }

  describe('by default (required, refused with 400)', () => {
    suite(undefined, ({ url, app, runs }) => {
      it("chooses the first protocol in the client's order that the server supports", async () => {
        const a = opened(await open(url(), ['chat.v1', 'chat.v2']));
        assert.equal(a.client.protocol, 'chat.v1');
        assert.equal(await within(a.first, 2000, 'the greeting'), 'chosen:chat.v1');
        const b = opened(await open(url(), ['legacy', 'chat.v2', 'chat.v1']));
        assert.equal(b.client.protocol, 'chat.v2');
        assert.equal(await within(b.first, 2000, 'the greeting'), 'chosen:chat.v2');
      });

      it('refuses a client offering no supported protocol with 400 before the upgrade; the handler never runs', async () => {
        const runsBefore = runs();
        for (const offer of [['legacy', 'chat.v3'], []]) {
          const refusal = refused(await open(url(), offer));
          assert.equal(refusal.status, 400);
          assert.deepEqual(JSON.parse(refusal.body), { detail: 'Subprotocol required: one of chat.v2, chat.v1' });
        }
        assert.equal(runs(), runsBefore);
      });

      it('refuses the same way through the TestClient, and negotiates there too', async () => {
        const client = new TestClient(app());
        await assert.rejects(
          client.websocket('/chat', { subprotocols: ['legacy'] }),
          (error: unknown) => error instanceof WebSocketDenied && error.status === 400,
        );
        const session = await client.websocket('/chat', { subprotocols: ['legacy', 'chat.v2'] });
        assert.equal(session.subprotocol, 'chat.v2');
        assert.equal(await session.receiveText(1000), 'chosen:chat.v2');
        await session.close();
      });
    });
  });

  describe("with refuse: 'close'", () => {
    suite({ refuse: 'close' }, ({ url, app, runs }) => {
      it('accepts, then closes with 1002, without running the handler', async () => {
        const runsBefore = runs();
        // A client offering nothing: ws's client would itself abort a 101 that ignores its offer.
        const result = opened(await open(url(), []));
        const closed = await within(result.closed, 2000, 'the 1002 close');
        assert.equal(closed.code, 1002);
        assert.match(closed.reason, /Subprotocol required/);
        await assert.rejects(
          new TestClient(app()).websocket('/chat', { subprotocols: ['legacy'] }),
          (error: unknown) => error instanceof WebSocketDisconnect && error.code === 1002,
        );
        assert.equal(runs(), runsBefore);
      });

      it('completes the handshake for a client offering only unsupported protocols, so that it sees the 1002', async () => {
        // Browsers (and ws) fail a handshake whose 101 ignores the protocols they offered; the
        // close code would then never reach them.
        const runsBefore = runs();
        const result = opened(await open(url(), ['legacy', 'chat.v3']));
        assert.equal(result.client.protocol, 'legacy');
        const closed = await within(result.closed, 2000, 'the 1002 close');
        assert.equal(closed.code, 1002);
        assert.equal(runs(), runsBefore);
      });

      it('still negotiates a supported protocol', async () => {
        const result = opened(await open(url(), ['chat.v2']));
        assert.equal(result.client.protocol, 'chat.v2');
        assert.equal(await within(result.first, 2000, 'the greeting'), 'chosen:chat.v2');
      });
    });
  });

  describe('with required: false', () => {
    suite({ required: false }, ({ url, app, runs }) => {
      it('lets a client offering none through, with no protocol', async () => {
        const runsBefore = runs();
        const result = opened(await open(url(), []));
        assert.equal(result.client.protocol, '');
        assert.equal(await within(result.first, 2000, 'the greeting'), 'chosen:(none)');
        assert.equal(runs(), runsBefore + 1);
        const session = await new TestClient(app()).websocket('/chat', { subprotocols: ['legacy'] });
        assert.equal(session.subprotocol, undefined);
        assert.equal(await session.receiveText(1000), 'chosen:(none)');
        await session.close();
      });

      it('still negotiates a supported protocol when one is offered', async () => {
        const result = opened(await open(url(), ['legacy', 'chat.v1']));
        assert.equal(result.client.protocol, 'chat.v1');
        assert.equal(await within(result.first, 2000, 'the greeting'), 'chosen:chat.v1');
      });
    });
  });
});
