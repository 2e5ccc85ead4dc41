import { WebSocketDisconnect } from '../errors/exceptions';
import * as status from '../errors/status';
import type { MemorySocket } from './memory-socket';

/**
 * The app refused a WebSocket handshake with an HTTP response.
 *
 * @example
 * await assert.rejects(client.websocket('/admin'), (e) => e instanceof WebSocketDenied && e.status === 403);
 */
export class WebSocketDenied extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Readonly<Record<string, string | string[]>>,
  ) {
    super(`WebSocket handshake refused with HTTP ${status}${body ? `: ${body}` : ''}`);
    this.name = 'WebSocketDenied';
  }
}

type Incoming = { type: 'text'; data: string } | { type: 'bytes'; data: Buffer };

/**
 * The client side of an in-process WebSocket, as `TestClient.websocket()` gives it. It mirrors
 * the server's `WebSocket`: `sendText/sendBytes/sendJson`, `receiveText/receiveBytes/receiveJson`
 * (each with a timeout), `close`. A receive after the server closed throws
 * `WebSocketDisconnect` with the server's code and reason.
 *
 * @example
 * const ws = await client.websocket('/echo');
 * await ws.sendJson({ hello: 1 });
 * assert.deepEqual(await ws.receiveJson(), { hello: 1 });
 * await ws.close();
 */
export class TestWebSocket {
  closeCode: number | undefined = undefined;
  closeReason: string | undefined = undefined;
  /** Resolves with the close code once the connection has closed. */
  readonly closed: Promise<number>;
  private readonly queue: Incoming[] = [];
  private waiter: (() => void) | undefined = undefined;

  constructor(
    private readonly socket: MemorySocket,
    /** The subprotocol the server chose. */
    readonly subprotocol: string | undefined,
    /** Extra headers the server sent with its 101 response. */
    readonly headers: Readonly<Record<string, string>>,
    private readonly timeout: number,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        this.closeCode = code;
        this.closeReason = reason.toString('utf8');
        resolve(code);
        this.wake();
      });
    });
    socket.on('message', (data: Buffer, binary: boolean) => {
      this.queue.push(binary ? { type: 'bytes', data } : { type: 'text', data: data.toString('utf8') });
      this.wake();
    });
  }

  /** Messages received and not yet read. */
  get pending(): number {
    return this.queue.length;
  }

  send(data: string | Buffer): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  sendText(text: string): void {
    this.socket.send(text, { binary: false });
  }

  sendBytes(bytes: Buffer | Uint8Array): void {
    this.socket.send(Buffer.from(bytes), { binary: true });
  }

  sendJson(value: unknown): void {
    this.socket.send(JSON.stringify(value), { binary: false });
  }

  async receive(timeout = this.timeout): Promise<string | Buffer> {
    return (await this.next(timeout)).data;
  }

  async receiveText(timeout = this.timeout): Promise<string> {
    const message = await this.next(timeout);
    if (message.type !== 'text') throw new TypeError('Expected a text message, got a binary one');
    return message.data;
  }

  async receiveBytes(timeout = this.timeout): Promise<Buffer> {
    const message = await this.next(timeout);
    if (message.type !== 'bytes') throw new TypeError('Expected a binary message, got a text one');
    return message.data;
  }

  async receiveJson(timeout = this.timeout): Promise<unknown> {
    return JSON.parse(await this.receiveText(timeout));
  }

  /** Starts the close handshake and waits for it to finish; resolves with the code. */
  close(code: number = status.WS_1000_NORMAL_CLOSURE, reason = ''): Promise<number> {
    this.socket.close(code, reason);
    return this.closed;
  }

  private async next(timeout: number): Promise<Incoming> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const message = this.queue.shift();
      if (message) return message;
      if (this.closeCode !== undefined) throw new WebSocketDisconnect(this.closeCode, this.closeReason ?? '');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No WebSocket message within ${timeout} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  private wake(): void {
    this.waiter?.();
  }
}
