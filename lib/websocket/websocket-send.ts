import * as status from '../errors/status';
import { corkForThisTurn, flushIfFull } from './turn-cork';
import { ReceivingWebSocket } from './websocket-receive';
import { netSocketOf } from './wire-socket';

const SENT: Promise<boolean> = Promise.resolve(true);
const NOT_SENT: Promise<boolean> = Promise.resolve(false);
/** ws's `WebSocket.OPEN`: a wire in any other state drops what it is given. */
const WIRE_OPEN = 1;
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

/**
 * The sending half of `WebSocket`: sends that never reject, the send-buffer high-water policy
 * and pings. An abstract step between `ReceivingWebSocket` and `WebSocket`, for the same reason
 * as the receiving half: the fields stay on the socket.
 */
export abstract class SendingWebSocket extends ReceivingWebSocket {
  /** The handshake in progress, from `accept()` until the socket is attached (or failed). */
  protected abstract get opening(): Promise<void> | undefined;

  /**
   * Sends a string as a text message and a Buffer as a binary one. Resolves to `true` once the
   * message is handed to the connection, and to `false` when it was not sent: the peer has left,
   * the socket is closed, or `sendOverflow: 'drop'` dropped it. It never rejects for those (as
   * `ws` reports them to a callback instead of throwing), so a send nobody awaits cannot crash
   * the process; a loop that only sends stops on `false`. Throws at once before `accept()`.
   *
   * @example
   * // A ticker: sends until the client is gone.
   * while (await ws.send(new Date().toISOString())) await delay(1000);
   */
  send(data: string | Buffer | Uint8Array): Promise<boolean> {
    return typeof data === 'string' ? this.write(data, false) : this.write(Buffer.isBuffer(data) ? data : Buffer.from(data), true);
  }

  /**
   * Sends a text message; resolves like `send()`.
   *
   * @example
   * for (const member of room) void member.sendText('hello');   // a member that left gets nothing
   */
  sendText(text: string): Promise<boolean> {
    return this.write(text, false);
  }

  /**
   * Sends a binary message; resolves like `send()`.
   *
   * @example
   * await ws.sendBytes(new Uint8Array([1, 2, 3]));
   */
  sendBytes(bytes: Buffer | Uint8Array): Promise<boolean> {
    return this.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), true);
  }

  /**
   * Sends `value` as JSON text; resolves like `send()`.
   *
   * @example
   * if (!(await ws.sendJson({ type: 'welcome' }))) return;   // the client already left
   */
  sendJson(value: unknown): Promise<boolean> {
    return this.write(JSON.stringify(value), false);
  }

  /**
   * Sends already-serialized data; broadcasts call this with one payload for many sockets.
   * Returns false when the send-buffer policy dropped or closed instead.
   */
  sendRaw(data: string | Buffer, binary: boolean): boolean {
    const wire = this.wire;
    // The peer's close frame can arrive before the wire reports 'close': nothing is written then.
    if (this.currentState !== 'connected' || !wire || wire.readyState !== WIRE_OPEN) return false;
    const { settings, stats } = this.context;
    if (wire.bufferedAmount > settings.sendHighWaterMark) {
      if (settings.sendOverflow === 'close') void this.close(status.WS_1013_TRY_AGAIN_LATER, 'Send buffer full');
      else stats.dropped++;
      return false;
    }
    // Encoding a string here once lets ws frame the bytes as they are (it would measure and then
    // encode the string: two passes), and gives the byte count for free.
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    // Every send of this turn to this socket leaves in one write (ws alone pays a syscall each).
    const socket = corkForThisTurn(netSocketOf(wire), bytes.length);
    wire.send(bytes, binary ? BINARY : TEXT);
    flushIfFull(socket);
    stats.messagesOut++;
    this.context.route.messagesOut++;
    stats.bytesOut += bytes.length;
    return true;
  }

  /** Sends a ping frame; the pong is noted by the heartbeat. */
  ping(): void {
    if (this.currentState === 'connected') this.wire?.ping();
  }

  private write(data: string | Buffer, binary: boolean): Promise<boolean> {
    if (this.currentState === 'connecting') throw new Error(`WebSocket ${this.path}: accept() before sending`);
    // accept() is still completing the handshake: send once it has (nothing if the client left meanwhile).
    if (!this.wire && this.opening) return this.opening.then(() => this.sendRaw(data, binary));
    return this.sendRaw(data, binary) ? SENT : NOT_SENT;
  }
}
