import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';

/** Rejects when `promise` takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends a hand-written handshake on a raw TCP socket and reads the answer: for 101 the head
 * (then the socket is dropped), otherwise everything up to the server closing the connection.
 */
function rawHandshake(port: number, lines: readonly string[]): Promise<RawResponse> {
  return within(
    new Promise<RawResponse>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1');
      let data = '';
      const parse = (): RawResponse | undefined => {
        const end = data.indexOf('\r\n\r\n');
        if (end === -1) return undefined;
        const head = data.slice(0, end);
        return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: data.slice(end + 4) };
      };
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        data += chunk;
        const response = parse();
        if (response?.status === 101) {
          socket.destroy();
          resolve(response);
        }
      });
      socket.on('end', () => {
        const response = parse();
        if (response) resolve(response);
        else reject(new Error(`The server closed without a complete response: ${JSON.stringify(data)}`));
      });
      socket.on('error', reject);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    }),
    3000,
    'the raw handshake',
  );
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function handshakeLines(overrides: Readonly<Record<string, string | null>> = {}, requestLine = 'GET /ws HTTP/1.1'): string[] {
  const headers: Record<string, string | null> = {
    Host: '127.0.0.1',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': KEY,
    ...overrides,
  };
  return [
    requestLine,
    ...Object.entries(headers)
      .filter(([, value]) => value !== null)
      .map(([name, value]) => `${name}: ${value}`),
  ];
}

/** A client whose messages are queued from the start (the first may come with the 101). */
class Peer {
  private readonly queue: string[] = [];
  private readonly waiters: ((text: string) => void)[] = [];
  constructor(readonly socket: WsClient) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const waiter = this.waiters.shift();
      if (waiter) waiter(text);
      else this.queue.push(text);
    });
  }

  next(): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return within(new Promise((resolve) => this.waiters.push(resolve)), 2000, 'a message');
  }

  close(): Promise<number> {
    return within(
      new Promise((resolve) => {
        this.socket.once('close', (code) => resolve(code));
        this.socket.close(1000);
      }),
      2000,
      'the close',
    );
  }
}

const clients: WsClient[] = [];

/** Opens a client and resolves with it, or with the HTTP status of a refused handshake. */
function open(url: string): Promise<Peer | { status: number; headers: IncomingHttpHeaders }> {
  return within(
    new Promise((resolve, reject) => {
      const client = new WsClient(url);
      clients.push(client);
      const peer = new Peer(client);
      client.once('open', () => resolve(peer));
      client.once('unexpected-response', (request, response: IncomingMessage) => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers });
      });
      client.on('error', reject);
    }),
    3000,
    `the handshake with ${url}`,
  );
}

async function openPeer(url: string): Promise<Peer> {
  const result = await open(url);
  if (!(result instanceof Peer)) throw new Error(`Handshake with ${url} refused with ${result.status}`);
  return result;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
});

const greet = inject([WebSocket], async (ws) => {
  await ws.accept();
  await ws.sendText(`app:${ws.path}`);
  for await (const message of ws) await ws.send(message);
});

describe('WebSocket handshake', () => {
  describe('malformed handshakes on a server the app owns', () => {
    let app: App;
    let port: number;
    let hookCalls = 0;

    before(async () => {
      app = new App({
        routes: [new WebSocketRoute('/ws', greet)],
        hooks: [
          {
            onRequest: () => {
              hookCalls++;
            },
          },
        ],
        settings: { logError: () => {} },
      });
      port = App.portOf(await app.listen(0));
    });
    after(() => app.close());
    beforeEach(() => {
      hookCalls = 0;
    });

    it('completes a well-formed raw handshake with 101 (the control for the cases below)', async () => {
      const response = await rawHandshake(port, handshakeLines());
      assert.equal(response.status, 101);
      // RFC 6455: base64(SHA-1(key + GUID)) for the sample nonce.
      assert.match(response.head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
      assert.equal(hookCalls, 1);
    });

    it('answers Sec-WebSocket-Version 12 with 426 naming the version it speaks, before any hook runs', async () => {
      const response = await rawHandshake(port, handshakeLines({ 'Sec-WebSocket-Version': '12' }));
      assert.equal(response.status, 426);
      assert.match(response.head, /\r\nSec-WebSocket-Version: 13(\r\n|$)/i);
      assert.deepEqual(JSON.parse(response.body), { detail: 'Unsupported Sec-WebSocket-Version (use 13)' });
      assert.equal(hookCalls, 0);
    });

    it('answers a plain GET with Connection: close with 426 and closes the connection', async () => {
      // rawHandshake reads until the server ends the connection: a kept-alive one times out.
      const response = await rawHandshake(port, ['GET /ws HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']);
      assert.equal(response.status, 426);
      assert.match(response.head, /\r\nUpgrade: websocket/i);
    });

    const cases: { name: string; lines: string[]; detail: string }[] = [
      {
        name: 'an Upgrade header other than websocket',
        lines: handshakeLines({ Upgrade: 'h2c' }),
        detail: 'Missing "Upgrade: websocket" header',
      },
      {
        name: 'a Sec-WebSocket-Key that is not 16 bytes of base64',
        lines: handshakeLines({ 'Sec-WebSocket-Key': 'not-a-key' }),
        detail: 'Missing or invalid Sec-WebSocket-Key header',
      },
      {
        name: 'no Sec-WebSocket-Key',
        lines: handshakeLines({ 'Sec-WebSocket-Key': null }),
        detail: 'Missing or invalid Sec-WebSocket-Key header',
      },
      {
        name: 'a subprotocol that is not a token',
        lines: handshakeLines({ 'Sec-WebSocket-Protocol': 'chat v1' }),
        detail: 'Invalid Sec-WebSocket-Protocol header',
      },
      { name: 'a method other than GET', lines: handshakeLines({}, 'POST /ws HTTP/1.1'), detail: 'WebSocket handshakes use GET' },
      {
        name: 'a subprotocol list with an empty element',
        lines: handshakeLines({ 'Sec-WebSocket-Protocol': 'chat, , v2' }),
        detail: 'Invalid Sec-WebSocket-Protocol header',
      },
      {
        name: 'a subprotocol list ending in a comma',
        lines: handshakeLines({ 'Sec-WebSocket-Protocol': 'chat,' }),
        detail: 'Invalid Sec-WebSocket-Protocol header',
      },
      {
        name: 'an empty subprotocol list',
        lines: handshakeLines({ 'Sec-WebSocket-Protocol': '' }),
        detail: 'Invalid Sec-WebSocket-Protocol header',
      },
      {
        name: 'a subprotocol offered twice',
        lines: handshakeLines({ 'Sec-WebSocket-Protocol': 'chat, chat' }),
        detail: 'Invalid Sec-WebSocket-Protocol header',
      },
      { name: 'no Host header', lines: handshakeLines({ Host: null }), detail: 'Missing Host header' },
    ];
    for (const { name, lines, detail } of cases) {
      it(`answers ${name} with 400 before any hook runs`, async () => {
        const response = await rawHandshake(port, lines);
        assert.equal(response.status, 400);
        assert.match(response.head, /\r\ncontent-type: application\/json/i);
        assert.deepEqual(JSON.parse(response.body), { detail });
        assert.equal(hookCalls, 0);
      });
    }

    it('answers an upgrade for a path no WebSocket route serves with 404', async () => {
      const result = await open(`ws://127.0.0.1:${port}/nowhere`);
      assert.ok(!(result instanceof Peer), 'the handshake was refused');
      assert.equal(result.status, 404);
      assert.equal(hookCalls, 0);
      const raw = await rawHandshake(port, handshakeLines({}, 'GET /nowhere HTTP/1.1'));
      assert.equal(raw.status, 404);
      assert.deepEqual(JSON.parse(raw.body), { detail: 'Not Found' });
    });
  });

  for (const order of ['before', 'after'] as const) {
    describe(`app.attach(server) next to another upgrade listener registered ${order} it`, () => {
      let app: App;
      let server: Server;
      let other: WebSocketServer;
      let base: string;

      before(async () => {
        server = createServer((req, res) => {
          res.setHeader('content-type', 'text/plain');
          res.end(`own handler: ${req.method} ${req.url}`);
        });
        other = new WebSocketServer({ noServer: true });
        other.on('connection', (client) => {
          client.send('other');
          client.on('message', (data: Buffer) => client.send(`other echo: ${data.toString('utf8')}`));
        });
        const otherListener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
          if (req.url === '/other') other.handleUpgrade(req, socket, head, (client) => other.emit('connection', client, req));
        };
        app = new App({ routes: [new WebSocketRoute('/ws', greet)], settings: { logError: () => {} } });
        if (order === 'before') server.on('upgrade', otherListener);
        app.attach(server);
        if (order === 'after') server.on('upgrade', otherListener);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        base = `127.0.0.1:${App.portOf(server)}`;
      });
      after(async () => {
        await app.close();
        other.close();
        assert.equal(server.listening, false, 'app.close() closed the attached server');
      });

      it('leaves upgrades for paths the app does not route to the other listener', async () => {
        const peer = await openPeer(`ws://${base}/other`);
        assert.equal(await peer.next(), 'other');
        peer.socket.send('hi');
        assert.equal(await peer.next(), 'other echo: hi');
        assert.equal(app.stats().accepted, 0);
        assert.equal(app.stats().rejected, 0);
        assert.equal(await peer.close(), 1000);
      });

      it('serves the routes it does route, with a query string too', async () => {
        const peer = await openPeer(`ws://${base}/ws?room=1`);
        assert.equal(await peer.next(), 'app:/ws');
        peer.socket.send('echo me');
        assert.equal(await peer.next(), 'echo me');
        assert.equal(app.stats().accepted, 1);
        assert.equal(await peer.close(), 1000);
      });

      it("leaves plain HTTP requests to the server's own handler", async () => {
        const plain = await fetch(`http://${base}/plain?x=1`);
        assert.equal(plain.status, 200);
        assert.equal(await plain.text(), 'own handler: GET /plain?x=1');
        // The app's HTTP side is not mounted by attach(): a GET on its WebSocket path is the server's too.
        assert.equal(await (await fetch(`http://${base}/ws`)).text(), 'own handler: GET /ws');
      });
    });
  }
});
