import { Readable } from 'node:stream';
import type { App } from '../app';
import { refusal } from '../errors/error-table';
import { WebSocketDisconnect } from '../errors/exceptions';
import * as status from '../errors/status';
import type { Address } from '../http/address';
import { REQUEST_ID_HEADER } from '../http/request-id';
import type { Response } from '../http/response';
import { byteLength, mayHaveBody } from '../http/response-writer';
import type * as MemorySocketModule from './memory-socket';
import { TestWebSocket, WebSocketDenied } from './test-websocket';

type QueryValue = string | number | boolean;

export interface TestRequestInit {
  /** Sent as a JSON body with `content-type: application/json`. */
  json?: unknown;
  /**
   * Sent as is; as `fetch` does, `URLSearchParams` is sent urlencoded and `FormData` as
   * `multipart/form-data` (files included), each with its `content-type` unless one is given.
   */
  body?: string | Uint8Array | URLSearchParams | FormData;
  headers?: Record<string, string>;
  /** Appended to the path's query string; arrays repeat the key. */
  query?: Record<string, QueryValue | readonly QueryValue[]>;
}

/**
 * Drives an app in-process, with no sockets: requests go straight to the app's dispatcher and
 * come back as Fetch `Response` objects, the same shape `fetch()` gives over a real socket.
 * Like `listen()`, the first request or WebSocket runs the app's startup handlers first;
 * `close()` (or leaving an `await using` block) closes the app, running its shutdown handlers.
 *
 * @example
 * await using client = new TestClient(app);
 * const response = await client.get('/users/7', { query: { verbose: true } });
 * assert.equal(response.status, 200);
 * assert.deepEqual(await response.json(), { id: 7 });
 */
export class TestClient {
  private started: Promise<void> | undefined = undefined;

  constructor(
    readonly app: App,
    private readonly client: Address = { host: '127.0.0.1', port: 50000 },
  ) {}

  /**
   * Runs the app's startup handlers once (the first request does it too); rejects with the
   * app's `StartupError`, as every request will after a failed start.
   *
   * @example
   * await assert.rejects(new TestClient(app).startup(), StartupError);
   */
  startup(): Promise<void> {
    return (this.started ??= this.app.startup());
  }

  /**
   * Closes the app as a server's shutdown would: open WebSockets get 1001, shutdown handlers
   * run, the channel layer and app-scoped components are closed. Later calls wait for the same.
   *
   * @example
   * const client = new TestClient(app);
   * try { await client.get('/'); } finally { await client.close(); }
   */
  async close(): Promise<void> {
    // A start still running finishes first, so shutdown never overtakes it; a failed one still closes.
    await this.started?.catch(() => {});
    await this.app.close();
  }

  /** `await using client = new TestClient(app)` closes the app when the block ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  get(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('GET', path, init);
  }
  head(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('HEAD', path, init);
  }
  options(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('OPTIONS', path, init);
  }
  post(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('POST', path, init);
  }
  put(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('PUT', path, init);
  }
  patch(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('PATCH', path, init);
  }
  delete(path: string, init?: TestRequestInit): Promise<globalThis.Response> {
    return this.request('DELETE', path, init);
  }

  /**
   * Opens an in-process WebSocket. Resolves once the app accepts; rejects with
   * `WebSocketDenied` (its `status`) when the handshake is refused, or with
   * `WebSocketDisconnect` (its `code`) when the app closes before sending anything.
   *
   * @example
   * await assert.rejects(client.websocket('/private'), (e) => e instanceof WebSocketDenied && e.status === 401);
   */
  async websocket(
    path: string,
    init: { subprotocols?: readonly string[]; headers?: Record<string, string>; timeout?: number } = {},
  ): Promise<TestWebSocket> {
    await this.startup();
    const headers: Record<string, string> = {
      host: 'testserver',
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    if (init.subprotocols?.length) headers['sec-websocket-protocol'] = init.subprotocols.join(', ');
    const timeout = init.timeout ?? 5000;
    return new Promise<TestWebSocket>((resolve, reject) => {
      const routed = this.app.openWebSocket(
        {
          method: 'GET',
          url: path,
          headers,
          client: this.client,
          server: { host: 'testserver', port: 80 },
          body: Readable.from([]),
        },
        {
          complete: async (subprotocol, extra) => {
            // Loaded with the first test WebSocket: `require('starwire')` does not pay for it.
            const { MemorySocket } = require('./memory-socket.js') as typeof MemorySocketModule;
            const [server, client] = MemorySocket.pair(this.app.settings.websocket.maxPayload);
            const session = new TestWebSocket(client, subprotocol, extra, timeout);
            // Two turns later, a close frame sent right after accepting has arrived: that is a refusal.
            setImmediate(() =>
              setImmediate(() => {
                if (session.closeCode !== undefined && session.pending === 0)
                  reject(new WebSocketDisconnect(session.closeCode, session.closeReason ?? ''));
                else resolve(session);
              }),
            );
            return server;
          },
          refuse: (statusCode, body, responseHeaders) => reject(new WebSocketDenied(statusCode, body, responseHeaders)),
        },
      );
      if (!routed) {
        // The answer a real server's upgrade listener gives (lib/server/node-listener.ts).
        const answer = refusal(status.HTTP_404_NOT_FOUND, 'Not Found');
        reject(new WebSocketDenied(answer.status, JSON.stringify(answer.body), answer.headers));
      }
    });
  }

  async request(method: string, path: string, init: TestRequestInit = {}): Promise<globalThis.Response> {
    await this.startup();
    const headers: Record<string, string> = { host: 'testserver' };
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: Buffer | undefined;
    if (init.json !== undefined) {
      body = Buffer.from(JSON.stringify(init.json));
      headers['content-type'] ??= 'application/json';
    } else if (init.body !== undefined) {
      body = await encodeBody(init.body, headers);
    }
    if (body) headers['content-length'] = String(body.length);
    const upper = method.toUpperCase();
    const { response, finish, requestId } = this.app.dispatch({
      method: upper,
      url: withQuery(path, init.query),
      headers,
      client: this.client,
      server: { host: 'testserver', port: 80 },
      body: Readable.from(body ? [body] : []),
    });
    try {
      return await toFetchResponse(await response, upper === 'HEAD', requestId);
    } finally {
      await finish();
    }
  }
}

/** The bytes `fetch` would send for `body`, setting the `content-type` it would set. */
async function encodeBody(body: NonNullable<TestRequestInit['body']>, headers: Record<string, string>): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const encoded = new globalThis.Request('http://testserver/', { method: 'POST', body });
  headers['content-type'] ??= encoded.headers.get('content-type') ?? 'application/octet-stream';
  return Buffer.from(await encoded.arrayBuffer());
}

function withQuery(path: string, query: TestRequestInit['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

async function toFetchResponse(response: Response, head: boolean, requestId: string): Promise<globalThis.Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // As on the wire, where a header the app set wins over the echoed id.
  if (!headers.has(REQUEST_ID_HEADER)) headers.set(REQUEST_ID_HEADER, requestId);
  let bytes: Buffer | null = null;
  const body = response.body;
  // Like the server, release a stream HEAD does not read (a file stream would hold its descriptor).
  if (head && body instanceof Readable) body.destroy();
  if (body !== null && !head) {
    if (typeof body === 'string') bytes = Buffer.from(body);
    else if (body instanceof Uint8Array) bytes = Buffer.from(body);
    else {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
      bytes = Buffer.concat(chunks);
    }
  }
  // The wire sends a body of known size with its length (for HEAD too) and a stream chunked.
  if (
    !headers.has('content-length') &&
    mayHaveBody(response.status) &&
    (body === null || typeof body === 'string' || body instanceof Uint8Array)
  ) {
    headers.set('content-length', String(byteLength(body)));
  }
  const empty = response.status === 204 || response.status === 304 || head;
  return new globalThis.Response(empty || bytes === null ? null : new Uint8Array(bytes), { status: response.status, headers });
}
