import * as status from '../errors/status';
import { encodeText, SLAB_MOST_UNITS } from './text-slab';
import { corkForThisTurn, flushIfFull } from './turn-cork';
import { ReceivingWebSocket } from './websocket-receive';
import { netSocketOf } from './wire-socket';

const SENT: Promise<boolean> = Promise.resolve(true);
const NOT_SENT: Promise<boolean> = Promise.resolve(false);
/** ws's `WebSocket.OPEN`: a wire in any other state drops what it is given. */
const WIRE_OPEN = 1;
const TEXT = { binary: false } as const;
/**
 * Strings shorter than this are encoded before framing. Node pools buffers under 4 KiB, and
 * `length` counts UTF-16 units, so anything shorter may still fill up to three times as many bytes.
 */
const ENCODE_BELOW_CHARS = 4 * 1024;
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
    let payload: string | Buffer = data;
    let length: number;
    if (typeof data !== 'string') {
      length = data.length;
    } else if (data.length < ENCODE_BELOW_CHARS) {
      // A short string is encoded here, into Node's shared buffer pool: ws then frames the bytes
      // as they are (it would measure and then encode the string: two passes).
      payload = Buffer.from(data);
      length = payload.length;
    } else if (data.length <= SLAB_MOST_UNITS) {
      // Up to 16 Ki units, into a shared slab: one pass instead of ws measuring the string and
      // the socket encoding it again, and no ArrayBuffer of its own (bench/ws-echo, 16 KiB).
      payload = encodeText(data);
      length = payload.length;
    } else {
      // A longer one goes to the socket as a string and is encoded by the write itself: a Buffer
      // of its own would cost an ArrayBuffer allocation and the collector's time.
      length = Buffer.byteLength(data);
    }
    // Every send of this turn to this socket leaves in one write (ws alone pays a syscall each).
    const socket = corkForThisTurn(netSocketOf(wire), length);
    wire.send(payload, binary ? BINARY : TEXT);
    flushIfFull(socket);
    stats.messagesOut++;
    this.context.route.messagesOut++;
    stats.bytesOut += length;
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
