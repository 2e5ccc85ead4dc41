import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type ClientOptions, WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import type { SettingsInput } from '../../../lib/config/settings';
import { WebSocketDisconnect } from '../../../lib/errors/exceptions';
import type { HookLike } from '../../../lib/inject/hook';
import { inject } from '../../../lib/inject/inject';
import { type Handler, WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { WebSocketDenied } from '../../../lib/testing/test-websocket';

// ---------------------------------------------------------------------------------------------
// Small helpers over real sockets (the `ws` package's client).

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Rejects when `promise` takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(condition: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await delay(5);
  }
}

/** A handshake the server answered with an HTTP status instead of 101. */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {
    super(`WebSocket handshake refused with HTTP ${status}: ${body}`);
  }
}

interface Closed {
  code: number;
  reason: string;
}

/** A client socket whose messages are queued and whose close is recorded from the start. */
class Peer {
  readonly closed: Promise<Closed>;
  /** Headers of the 101 response. */
  upgrade: IncomingHttpHeaders = {};
  pings = 0;
  private readonly queue: (string | Buffer)[] = [];
  private wake: (() => void) | undefined = undefined;
  private ended = false;
  private readonly pingWaiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly socket: WsClient) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.ended = true;
        this.wake?.();
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
    socket.on('message', (data: Buffer, isBinary) => {
      this.queue.push(isBinary ? data : data.toString('utf8'));
      this.wake?.();
    });
    socket.on('ping', () => {
      this.pings++;
      for (const waiter of this.pingWaiters) if (this.pings >= waiter.count) waiter.resolve();
    });
    socket.on('upgrade', (response: IncomingMessage) => {
      this.upgrade = response.headers;
    });
  }

  async next(ms = 2000): Promise<string | Buffer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.ended) throw new Error('The connection closed before the next message');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No message within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  pinged(count: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.pings >= count) resolve();
      else this.pingWaiters.push({ count, resolve });
    });
  }
}

/** Every client opened by a test; terminated after it so that no paused peer holds a close open. */
const peers: Peer[] = [];

/** Opens a client; rejects with `Refused` when the server answers the handshake with a status. */
function connect(url: string, options: ClientOptions = {}): Promise<Peer> {
  const socket = new WsClient(url, options);
  const peer = new Peer(socket);
  peers.push(peer);
  return within(
    new Promise<Peer>((resolve, reject) => {
      socket.once('open', () => resolve(peer));
      socket.once('unexpected-response', (request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          reject(new Refused(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString('utf8')));
          request.destroy();
        });
      });
      socket.on('error', reject);
    }),
    3000,
    `the handshake with ${url}`,
  );
}

/** The refusal of a handshake that must be refused. */
async function refusal(url: string, options: ClientOptions = {}): Promise<Refused> {
  try {
    await connect(url, options);
  } catch (error) {
    if (error instanceof Refused) return error;
    throw error;
  }
  throw new Error(`The handshake with ${url} was expected to be refused, but it opened`);
}

const apps: App[] = [];

async function serve(routes: WebSocketRoute[], settings: SettingsInput = {}, hooks: HookLike[] = []): Promise<{ app: App; url: string }> {
  const app = new App({ routes, hooks, settings: { logError: () => {}, ...settings } });
  apps.push(app);
  const server = await app.listen(0);
  return { app, url: `ws://127.0.0.1:${App.portOf(server)}` };
}

const echo = inject([WebSocket], async (ws) => {
  await ws.accept();
  for await (const message of ws) await ws.send(message);
});

/** A route whose hook waits `ms` before the handler may accept. */
function slowRoute(path: string, ms: number, handler: Handler = echo): WebSocketRoute {
  return new WebSocketRoute(path, handler, { hooks: [{ onRequest: () => delay(ms) }] });
}

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.terminate();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

// ---------------------------------------------------------------------------------------------

describe('WebSocketGateway', () => {
  describe('maxPayload', () => {
    it('passes a message at the limit and closes with 1009 on one over it', async () => {
      const { url, app } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { maxPayload: 1024 } });
      const peer = await connect(`${url}/ws`);
      peer.socket.send(Buffer.alloc(1024, 7));
      assert.equal((await peer.next()).length, 1024);
      peer.socket.send(Buffer.alloc(1025, 7));
      const { code } = await within(peer.closed, 2000, 'the 1009 close');
      assert.equal(code, 1009);
      assert.equal(app.stats().messagesIn, 1, 'the oversized message never reached the handler');
    });

    // When ws's receiver fails it sends the close frame itself and then reports 1006; the
    // handler and the stats must see the code that went out on the wire.
    it('records the 1009 it sent on the server side (handler and stats), not 1006', async () => {
      const serverSaw = deferred<number | undefined>();
      const handler = inject([WebSocket], async (ws) => {
        await ws.accept();
        for await (const message of ws) await ws.send(message);
        serverSaw.resolve(ws.closeCode);
      });
      const { url, app } = await serve([new WebSocketRoute('/ws', handler)], { websocket: { maxPayload: 1024 } });
      const peer = await connect(`${url}/ws`);
      peer.socket.send(Buffer.alloc(1025, 7));
      assert.equal((await within(peer.closed, 2000, 'the 1009 close')).code, 1009);
      assert.equal(await within(serverSaw.promise, 2000, 'the handler to end'), 1009);
      assert.deepEqual(app.stats().closedByCode, { 1009: 1 });
    });

    it('applies through the TestClient too', async () => {
      const app = new App({ routes: [new WebSocketRoute('/ws', echo)], settings: { logError: () => {}, websocket: { maxPayload: 16 } } });
      apps.push(app);
      const session = await new TestClient(app).websocket('/ws');
      session.sendText('x'.repeat(16));
      assert.equal(await session.receiveText(1000), 'x'.repeat(16));
      session.sendText('x'.repeat(17));
      await assert.rejects(session.receiveText(1000), (error: unknown) => error instanceof WebSocketDisconnect && error.code === 1009);
    });
  });

  describe('heartbeat', () => {
    it('terminates a client that does not answer pings (1006 on both sides)', async () => {
      const serverSaw = deferred<number | undefined>();
      const handler = inject([WebSocket], async (ws) => {
        await ws.accept();
        for await (const message of ws) await ws.send(message);
        serverSaw.resolve(ws.closeCode);
      });
      const { url, app } = await serve([new WebSocketRoute('/ws', handler)], { websocket: { heartbeatInterval: 50 } });
      const peer = await connect(`${url}/ws`, { autoPong: false });
      const { code } = await within(peer.closed, 2000, 'the server to drop the silent client');
      assert.equal(code, 1006);
      assert.ok(peer.pings >= 1, 'the server pinged before giving up');
      assert.equal(await within(serverSaw.promise, 1000, 'the handler to end'), 1006);
      assert.equal(app.stats().closedByCode[1006], 1);
      assert.equal(app.stats().open, 0);
    });

    it('keeps a client that answers pings connected across several intervals', async () => {
      const { url, app } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { heartbeatInterval: 50 } });
      const peer = await connect(`${url}/ws`);
      await within(peer.pinged(4), 2000, 'four pings');
      assert.equal(peer.socket.readyState, WsClient.OPEN);
      peer.socket.send('still here');
      assert.equal(await peer.next(), 'still here');
      peer.socket.close(1000);
      assert.equal((await within(peer.closed, 2000, 'the close')).code, 1000);
      assert.equal(app.stats().closedByCode[1006], undefined);
    });

    it('sends no pings with heartbeatInterval 0', async () => {
      const { url } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { heartbeatInterval: 0 } });
      const peer = await connect(`${url}/ws`, { autoPong: false });
      await delay(150);
      peer.socket.send('ping?');
      assert.equal(await peer.next(), 'ping?');
      assert.equal(peer.pings, 0);
      assert.equal(peer.socket.readyState, WsClient.OPEN);
    });
  });

  describe('handshakeTimeout', () => {
    it('refuses with 408 when the hooks take longer than the timeout, and lets quicker ones through', async () => {
      let handlerRuns = 0;
      const counted = inject([WebSocket], async (ws) => {
        handlerRuns++;
        await ws.accept();
        for await (const message of ws) await ws.send(message);
      });
      const { url, app } = await serve([slowRoute('/slow', 400, counted), slowRoute('/quick', 10)], {
        websocket: { handshakeTimeout: 150 },
      });
      const started = Date.now();
      const refused = await refusal(`${url}/slow`);
      assert.equal(refused.status, 408);
      assert.deepEqual(JSON.parse(refused.body), { detail: 'WebSocket handshake timed out' });
      assert.ok(Date.now() - started < 380, 'refused at the timeout, not after the hook');
      assert.equal(app.stats().rejected, 1);
      const peer = await connect(`${url}/quick`);
      peer.socket.send('ok');
      assert.equal(await peer.next(), 'ok');
      assert.equal(handlerRuns, 0);
    });

    // A handshake refused while the hooks ran (timeout, shutdown) must not reach the handler.
    it('does not run the handler, nor log an error, once the handshake timed out', async () => {
      let handlerRuns = 0;
      const logged: string[] = [];
      const counted = inject([WebSocket], async (ws) => {
        handlerRuns++;
        await ws.accept();
      });
      const app = new App({
        routes: [slowRoute('/slow', 200, counted)],
        settings: { logError: (message) => logged.push(message), websocket: { handshakeTimeout: 50 } },
      });
      apps.push(app);
      const url = `ws://127.0.0.1:${App.portOf(await app.listen(0))}`;
      assert.equal((await refusal(`${url}/slow`)).status, 408);
      await delay(250);
      assert.equal(handlerRuns, 0);
      assert.deepEqual(logged, []);
    });
  });

  describe('messageRate', () => {
    it('passes a burst of `messages` and closes with 1008 on the next one', async () => {
      const { url } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { messageRate: { messages: 5, per: 1000 } } });
      const peer = await connect(`${url}/ws`);
      for (let i = 1; i <= 5; i++) peer.socket.send(`m${i}`);
      for (let i = 1; i <= 5; i++) assert.equal(await peer.next(), `m${i}`);
      assert.equal(peer.socket.readyState, WsClient.OPEN);
      peer.socket.send('m6');
      const closed = await within(peer.closed, 2000, 'the 1008 close');
      assert.deepEqual(closed, { code: 1008, reason: 'Rate limit exceeded' });
    });
  });

  describe('connection caps', () => {
    it('refuses connections past maxConnections with 503, and admits again once one closes', async () => {
      const { url, app } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { maxConnections: 2 } });
      const first = await connect(`${url}/ws`);
      await connect(`${url}/ws`);
      const refused = await refusal(`${url}/ws`);
      assert.equal(refused.status, 503);
      assert.deepEqual(JSON.parse(refused.body), { detail: 'Too many connections' });
      assert.equal(app.stats().rejected, 1);
      first.socket.close();
      await first.closed;
      const deadline = Date.now() + 2000;
      for (;;) {
        try {
          const again = await connect(`${url}/ws`);
          again.socket.send('in');
          assert.equal(await again.next(), 'in');
          break;
        } catch (error) {
          if (!(error instanceof Refused) || Date.now() > deadline) throw error;
          await delay(10);
        }
      }
    });

    it('refuses a second connection from one address with 429, not one from another address', async () => {
      const { url } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { maxConnectionsPerIp: 1 } });
      await connect(`${url}/ws`);
      const refused = await refusal(`${url}/ws`);
      assert.equal(refused.status, 429);
      const other = await connect(`${url}/ws`, { localAddress: '127.0.0.2' });
      other.socket.send('from .2');
      assert.equal(await other.next(), 'from .2');
    });
  });

  describe('sendHighWaterMark', () => {
    const MARK = 64 * 1024;
    const CHUNK = Buffer.alloc(256 * 1024, 1);
    /** Sends after the client paused reading until the buffer is past the mark (or the socket closed). */
    async function flood(ws: WebSocket, sendOnceMore: boolean): Promise<number> {
      let attempts = 0;
      while (ws.connected && ws.bufferedAmount <= MARK && attempts < 400) {
        await ws.sendBytes(CHUNK);
        attempts++;
        await tick();
      }
      assert.ok(ws.bufferedAmount > MARK, `the send buffer filled (${ws.bufferedAmount} bytes after ${attempts} sends)`);
      if (sendOnceMore && ws.connected) {
        await ws.sendBytes(CHUNK);
        attempts++;
      }
      return attempts;
    }

    it("'drop' drops messages past the mark, counts them, and keeps the connection", async () => {
      const report = deferred<{ attempts: number; connected: boolean }>();
      const handler = inject([WebSocket], async (ws) => {
        await ws.accept();
        await ws.receiveText();
        const attempts = await flood(ws, true);
        report.resolve({ attempts, connected: ws.connected });
        while (ws.bufferedAmount > 0) await delay(5);
        await ws.sendText('end');
      });
      const { url, app } = await serve([new WebSocketRoute('/ws', handler)], {
        websocket: { sendHighWaterMark: MARK, sendOverflow: 'drop' },
      });
      const peer = await connect(`${url}/ws`);
      peer.socket.send('go');
      peer.socket.pause();
      const { attempts, connected } = await within(report.promise, 5000, 'the flood');
      const dropped = app.stats().dropped;
      assert.ok(dropped >= 1, 'at least one message was dropped');
      assert.equal(connected, true);
      peer.socket.resume();
      let received = 0;
      for (;;) {
        const message = await peer.next(5000);
        if (typeof message === 'string') {
          assert.equal(message, 'end');
          break;
        }
        received++;
      }
      assert.equal(received, attempts - dropped, 'every message not dropped arrived');
      assert.equal((await within(peer.closed, 2000, 'the close')).code, 1000);
    });

    it("'close' closes with 1013 once the mark is passed; the client sees it when it reads again", async () => {
      const report = deferred<number | undefined>();
      const handler = inject([WebSocket], async (ws) => {
        await ws.accept();
        await ws.receiveText();
        await flood(ws, true);
        report.resolve(ws.closeCode);
      });
      const { url, app } = await serve([new WebSocketRoute('/ws', handler)], {
        websocket: { sendHighWaterMark: MARK, sendOverflow: 'close' },
      });
      const peer = await connect(`${url}/ws`);
      peer.socket.send('go');
      peer.socket.pause();
      assert.equal(await within(report.promise, 5000, 'the flood'), 1013);
      assert.equal(app.stats().dropped, 0);
      peer.socket.resume();
      const closed = await within(peer.closed, 5000, 'the 1013 close');
      assert.deepEqual(closed, { code: 1013, reason: 'Send buffer full' });
    });
  });

  describe('compression', () => {
    const offer = { perMessageDeflate: true };

    it('is off by default: no sec-websocket-extensions in the 101 even when the client offers deflate', async () => {
      const { url } = await serve([new WebSocketRoute('/ws', echo)]);
      const peer = await connect(`${url}/ws`, offer);
      assert.equal(peer.upgrade['sec-websocket-extensions'], undefined);
      assert.equal(peer.socket.extensions, '');
    });

    it('negotiates permessage-deflate with compression: true', async () => {
      const { url } = await serve([new WebSocketRoute('/ws', echo)], { websocket: { compression: true } });
      const peer = await connect(`${url}/ws`, offer);
      assert.match(String(peer.upgrade['sec-websocket-extensions']), /^permessage-deflate/);
      assert.match(peer.socket.extensions, /permessage-deflate/);
      const text = 'compressible '.repeat(1000);
      peer.socket.send(text);
      assert.equal(await peer.next(), text);
    });
  });

  describe('app.close()', () => {
    it('closes every socket with 1001 and resolves only after every handler has finished', async () => {
      const finished: string[] = [];
      const handler = inject([WebSocket], async (ws) => {
        await ws.accept();
        try {
          for await (const message of ws) await ws.send(message);
        } finally {
          await delay(100);
          finished.push(ws.id);
        }
      });
      const { url, app } = await serve([new WebSocketRoute('/ws', handler)]);
      const a = await connect(`${url}/ws`);
      const b = await connect(`${url}/ws`);
      a.socket.send('a');
      b.socket.send('b');
      assert.equal(await a.next(), 'a');
      assert.equal(await b.next(), 'b');

      const closing = app.close().then(() => finished.length);
      apps.splice(apps.indexOf(app), 1);
      // While the handlers are still in their finally blocks, the server no longer listens: a
      // new connection is refused (in a cluster, another worker takes it).
      await assert.rejects(connect(`${url}/ws`), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
      assert.equal(finished.length, 0);
      const [closedA, closedB] = await within(Promise.all([a.closed, b.closed]), 2000, 'both closes');
      assert.equal(closedA.code, 1001);
      assert.equal(closedB.code, 1001);
      assert.equal(await within(closing, 3000, 'app.close()'), 2, 'every handler had finished when close() resolved');
      assert.equal(app.stats().closedByCode[1001], 2);

      // After close, the app refuses (TestClient: the server is gone).
      await assert.rejects(
        new TestClient(app).websocket('/ws'),
        (error: unknown) => error instanceof WebSocketDenied && error.status === 503,
      );
    });

    it('refuses a handshake still in its hooks with 503', async () => {
      const entered = deferred<void>();
      const gate = deferred<void>();
      const route = new WebSocketRoute('/ws', echo, {
        hooks: [
          {
            onRequest: () => {
              entered.resolve();
              return gate.promise;
            },
          },
        ],
      });
      const { url, app } = await serve([route]);
      const pending = refusal(`${url}/ws`);
      await within(entered.promise, 2000, 'the hook to run');
      const closing = app.close();
      apps.splice(apps.indexOf(app), 1);
      const refused = await pending;
      assert.equal(refused.status, 503);
      gate.resolve();
      await within(closing, 3000, 'app.close()');
    });
  });

  describe('app.stats()', () => {
    it('counts open, accepted, rejected, closes by code, messages and bytes', async () => {
      const { url, app } = await serve([new WebSocketRoute('/ws', echo), new WebSocketRoute('/nope', () => undefined)]);
      assert.deepEqual(app.stats(), {
        open: 0,
        accepted: 0,
        rejected: 0,
        rejectedByStatus: {},
        rejectedByReason: {},
        closedByCode: {},
        messagesIn: 0,
        messagesOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        dropped: 0,
        http: { processed: 0, inFlight: 0, meanMs: 0, p99Ms: 0 },
      });

      const peer = await connect(`${url}/ws`);
      assert.equal(app.stats().open, 1);
      assert.equal(app.stats().accepted, 1);
      peer.socket.send('héllo'); // 6 bytes
      peer.socket.send(Buffer.from([1, 2, 3]));
      assert.equal(await peer.next(), 'héllo');
      assert.deepEqual(await peer.next(), Buffer.from([1, 2, 3]));
      let stats = app.stats();
      assert.equal(stats.messagesIn, 2);
      assert.equal(stats.bytesIn, 9);
      assert.equal(stats.messagesOut, 2);
      assert.equal(stats.bytesOut, 9);

      assert.equal((await refusal(`${url}/nope`)).status, 403);
      stats = app.stats();
      assert.equal(stats.rejected, 1);
      assert.deepEqual(stats.rejectedByStatus, { 403: 1 });
      assert.deepEqual(stats.rejectedByReason, { not_accepted: { 403: 1 } });
      assert.equal(stats.accepted, 1);

      peer.socket.close(4001, 'bye');
      await within(peer.closed, 2000, 'the close');
      await waitFor(() => app.stats().closedByCode[4001] === 1, 'the server to record 4001');
      stats = app.stats();
      assert.equal(stats.open, 0);
      assert.deepEqual(stats.closedByCode, { 4001: 1 });
      // stats() is a snapshot: changing it changes nothing in the app.
      const snapshot = app.stats();
      snapshot.closedByCode[1000] = 9;
      assert.equal(app.stats().closedByCode[1000], undefined);
    });
  });
});
