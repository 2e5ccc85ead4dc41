import { EventEmitter } from 'node:events';
import * as status from '../errors/status';
import type { WireSocket } from '../websocket/wire-socket';

type Frame = { kind: 'message'; data: Buffer; binary: boolean } | { kind: 'close'; code: number; reason: Buffer } | { kind: 'ping' };

/**
 * One end of an in-memory WebSocket, for the TestClient: frames cross to the other end on a
 * later turn of the event loop, and the close handshake, pings and `maxPayload` behave as
 * they do on a real socket, without one.
 */
export class MemorySocket extends EventEmitter implements WireSocket {
  peer: MemorySocket | undefined = undefined;
  readonly bufferedAmount = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private paused = false;
  private readonly held: Frame[] = [];

  constructor(private readonly maxPayload: number) {
    super();
  }

  /** Two connected ends: what the server reads, the client writes, and back. */
  static pair(serverMaxPayload: number): [server: MemorySocket, client: MemorySocket] {
    const server = new MemorySocket(serverMaxPayload);
    const client = new MemorySocket(Infinity);
    server.peer = client;
    client.peer = server;
    return [server, client];
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /** As ws numbers it: 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.state === 'open' ? 1 : this.state === 'closing' ? 2 : 3;
  }

  send(data: string | Buffer, options: { binary: boolean }): void {
    if (this.state !== 'open') return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
    this.deliver({ kind: 'message', data: bytes, binary: options.binary });
  }

  close(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.deliver({ kind: 'close', code, reason: Buffer.from(reason) });
  }

  terminate(): void {
    if (this.state === 'closed') return;
    this.finish(status.WS_1006_ABNORMAL_CLOSURE, Buffer.alloc(0));
    const peer = this.peer;
    if (peer && peer.state !== 'closed') setImmediate(() => peer.finish(status.WS_1006_ABNORMAL_CLOSURE, Buffer.alloc(0)));
  }

  ping(): void {
    if (this.state === 'open') this.deliver({ kind: 'ping' });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    while (!this.paused && this.held.length > 0) this.receive(this.held.shift()!);
  }

  private deliver(frame: Frame): void {
    const peer = this.peer;
    if (!peer) return;
    // A paused end reads nothing, as a paused TCP socket would: frames wait in order, so a
    // close frame never overtakes the messages sent before it.
    setImmediate(() => (peer.paused || peer.held.length > 0 ? peer.held.push(frame) : peer.receive(frame)));
  }

  private receive(frame: Frame): void {
    if (this.state === 'closed') return;
    if (frame.kind === 'ping') {
      // Pongs are automatic, as in every WebSocket implementation.
      if (this.state === 'open') setImmediate(() => this.peer?.emit('pong'));
      return;
    }
    if (frame.kind === 'close') {
      if (this.state === 'open') {
        this.state = 'closing';
        this.deliver({ kind: 'close', code: frame.code, reason: frame.reason });
      }
      this.finish(frame.code, frame.reason);
      return;
    }
    if (this.state !== 'open') return;
    if (frame.data.length > this.maxPayload) {
      this.close(status.WS_1009_MESSAGE_TOO_BIG, 'Message too big');
      return;
    }
    this.emit('message', frame.data, frame.binary);
  }

  private finish(code: number, reason: Buffer): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('close', code, reason);
  }
}
