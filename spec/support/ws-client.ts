import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import { type RawData, WebSocket as WsClient } from 'ws';
import { App } from '../../lib/app';
import { WebSocketDisconnect } from '../../lib/errors/exceptions';
import { TestClient } from '../../lib/testing/test-client';
import { type TestWebSocket, WebSocketDenied } from '../../lib/testing/test-websocket';

/** How a connection ended, as the client saw it. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** An HTTP answer to a WebSocket handshake instead of 101. */
export interface Refusal {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface OpenInit {
  subprotocols?: readonly string[];
  headers?: Record<string, string>;
}

/** Default bound on every wait in these helpers, in milliseconds. */
export const WAIT = 2000;

/** Rejects when `promise` has not settled within `ms`, naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise with its resolve function, for handlers to report what they saw. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** The handshake got an HTTP response instead of 101. */
export class HandshakeRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`WebSocket handshake refused with HTTP ${refusal.status}: ${refusal.body}`);
    this.name = 'HandshakeRefused';
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * A `ws` client that records everything from the start: messages (text as strings, binary as
 * Buffers), pings, the 101 response headers, the close code and reason, or the HTTP refusal.
 */
export class LiveSocket {
  readonly socket: WsClient;
  /** Resolves on open; rejects with `HandshakeRefused` or the handshake error. */
  readonly opened: Promise<void>;
  /** Resolves once the connection has closed, however it closed. */
  readonly closed: Promise<CloseInfo>;
  readonly pings: Buffer[] = [];
  /** Headers of the 101 response. */
  upgradeHeaders: IncomingHttpHeaders = {};
  closeInfo: CloseInfo | undefined = undefined;
  private readonly queue: (string | Buffer)[] = [];
  private wake: (() => void) | undefined = undefined;

  constructor(url: string, init: OpenInit = {}) {
    this.socket = new WsClient(url, [...(init.subprotocols ?? [])], { headers: init.headers, handshakeTimeout: WAIT });
    const socket = this.socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
        this.notify();
      });
    });
    this.opened = new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.on('error', (error: Error) => reject(error));
      socket.on('unexpected-response', (_req, res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          reject(new HandshakeRefused({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
          socket.terminate();
        });
      });
    });
    // Callers that only await `closed` must not see an unhandled rejection.
    this.opened.catch(() => {});
    socket.on('upgrade', (res: IncomingMessage) => {
      this.upgradeHeaders = res.headers;
    });
    socket.on('ping', (data: Buffer) => this.pings.push(data));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      this.queue.push(isBinary ? bytes : bytes.toString('utf8'));
      this.notify();
    });
  }

  /** The subprotocol the server chose, undefined for none. */
  get protocol(): string | undefined {
    return this.socket.protocol === '' ? undefined : this.socket.protocol;
  }

  header(name: string): string | undefined {
    const value = this.upgradeHeaders[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  send(data: string | Buffer): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  sendJson(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  /** The next message; rejects with `WebSocketDisconnect` once closed with none left, or on timeout. */
  async receive(timeout = WAIT): Promise<string | Buffer> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.closeInfo) throw new WebSocketDisconnect(this.closeInfo.code, this.closeInfo.reason);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No WebSocket message within ${timeout} ms`);
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

  async receiveText(timeout = WAIT): Promise<string> {
    const message = await this.receive(timeout);
    if (typeof message !== 'string') throw new TypeError('Expected a text message, got a binary one');
    return message;
  }

  async receiveJson(timeout = WAIT): Promise<unknown> {
    return JSON.parse(await this.receiveText(timeout));
  }

  /** Starts the close handshake and waits (bounded) until the connection has closed. */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    this.socket.close(code, reason);
    return within(this.closed, WAIT, 'the close handshake');
  }

  private notify(): void {
    this.wake?.();
  }
}

/** `ws://` URL of `path` on a server started by `app.listen(0)`. */
export function liveUrl(server: Server, path: string): string {
  return `ws://127.0.0.1:${App.portOf(server)}${path}`;
}

/** Opens a real client and waits until the server accepted it. */
export async function openLive(url: string, init?: OpenInit): Promise<LiveSocket> {
  const live = new LiveSocket(url, init);
  await within(live.opened, WAIT, `the handshake of ${url}`);
  return live;
}

/** The HTTP refusal the server answered a handshake with; rejects if it was accepted. */
export async function liveRefusal(url: string, init?: OpenInit): Promise<Refusal> {
  const live = new LiveSocket(url, init);
  try {
    await within(live.opened, WAIT, `the refusal of ${url}`);
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.refusal;
    throw error;
  }
  live.socket.terminate();
  throw new Error(`${url}: the handshake was accepted, expected a refusal`);
}

/** One client connection, real or in-process, behind the same interface. */
export interface Peer {
  readonly protocol: string | undefined;
  /** A header of the 101 response (through the TestClient: one the app added). */
  header(name: string): string | undefined;
  send(data: string | Buffer): void;
  sendJson(value: unknown): void;
  receive(timeout?: number): Promise<string | Buffer>;
  receiveText(timeout?: number): Promise<string>;
  receiveJson(timeout?: number): Promise<unknown>;
  close(code?: number, reason?: string): Promise<CloseInfo>;
  readonly closed: Promise<CloseInfo>;
}

/** What a connection that the server closed looked like: messages first, then the close. */
export interface Ending extends CloseInfo {
  readonly messages: readonly (string | Buffer)[];
}

export interface Transport {
  readonly name: string;
  /** Resolves once accepted; rejects with `HandshakeRefused` (or, in-process, `WebSocketDisconnect`). */
  open(path: string, init?: OpenInit): Promise<Peer>;
  /** The HTTP refusal of a handshake; rejects if it was accepted. */
  refusal(path: string, init?: OpenInit): Promise<Refusal>;
  /** Connects, reads everything the server sends until it closes, and gives the close. */
  ending(path: string, init?: OpenInit): Promise<Ending>;
}

class TestPeer implements Peer {
  readonly closed: Promise<CloseInfo>;

  constructor(private readonly session: TestWebSocket) {
    this.closed = session.closed.then((code) => ({ code, reason: session.closeReason ?? '' }));
  }

  get protocol(): string | undefined {
    return this.session.subprotocol;
  }
  header(name: string): string | undefined {
    const lower = name.toLowerCase();
    return Object.entries(this.session.headers).find(([key]) => key.toLowerCase() === lower)?.[1];
  }

  send(data: string | Buffer): void {
    this.session.send(data);
  }
  sendJson(value: unknown): void {
    this.session.sendJson(value);
  }
  receive(timeout = WAIT): Promise<string | Buffer> {
    return this.session.receive(timeout);
  }
  receiveText(timeout = WAIT): Promise<string> {
    return this.session.receiveText(timeout);
  }
  receiveJson(timeout = WAIT): Promise<unknown> {
    return this.session.receiveJson(timeout);
  }
  async close(code?: number, reason?: string): Promise<CloseInfo> {
    await within(this.session.close(code, reason), WAIT, 'the close handshake');
    return this.closed;
  }
}

async function drain(peer: Peer): Promise<Ending> {
  const messages: (string | Buffer)[] = [];
  for (;;) {
    try {
      messages.push(await peer.receive());
    } catch (error) {
      if (!(error instanceof WebSocketDisconnect)) throw error;
      const close = await peer.closed;
      return { ...close, messages };
    }
  }
}

/** The in-process transport: `TestClient.websocket()`. */
export function testTransport(app: App): Transport {
  const client = new TestClient(app);
  return {
    name: 'TestClient',
    async open(path, init = {}) {
      try {
        return new TestPeer(await client.websocket(path, { subprotocols: init.subprotocols, headers: init.headers, timeout: WAIT }));
      } catch (error) {
        if (error instanceof WebSocketDenied)
          throw new HandshakeRefused({ status: error.status, body: error.body, headers: error.headers });
        throw error;
      }
    },
    async refusal(path, init = {}) {
      try {
        await client.websocket(path, { subprotocols: init.subprotocols, headers: init.headers, timeout: WAIT });
      } catch (error) {
        if (error instanceof WebSocketDenied) return { status: error.status, body: error.body, headers: error.headers };
        throw error;
      }
      throw new Error(`${path}: the handshake was accepted, expected a refusal`);
    },
    async ending(path, init = {}) {
      let peer: Peer;
      try {
        peer = await this.open(path, init);
      } catch (error) {
        // The TestClient rejects a connection the app closed right after accepting.
        if (error instanceof WebSocketDisconnect) return { code: error.code, reason: error.reason, messages: [] };
        throw error;
      }
      return within(drain(peer), WAIT, `the end of ${path}`);
    },
  };
}

/** The real transport: `app.listen(0)` and the `ws` client. */
export function liveTransport(server: Server): Transport {
  return {
    name: 'real sockets',
    open: (path, init) => openLive(liveUrl(server, path), init),
    refusal: (path, init) => liveRefusal(liveUrl(server, path), init),
    async ending(path, init) {
      const live = await openLive(liveUrl(server, path), init);
      return within(drain(live), WAIT, `the end of ${path}`);
    },
  };
}

/**
 * Runs `suite` twice: through the in-process TestClient and over real sockets, each with an
 * app of its own from `makeApp`, closed after the suite.
 */
export function forEachTransport(makeApp: () => App, suite: (transport: () => Transport, app: () => App) => void): void {
  describe('through the TestClient', () => {
    let app: App;
    let transport: Transport;
    before(() => {
      app = makeApp();
      transport = testTransport(app);
    });
    after(() => app?.close());
    suite(
      () => transport,
      () => app,
    );
  });
  describe('over real sockets', () => {
    let app: App;
    let transport: Transport;
    before(async () => {
      app = makeApp();
      transport = liveTransport(await app.listen(0));
    });
    after(() => app?.close());
    suite(
      () => transport,
      () => app,
    );
  });
}
