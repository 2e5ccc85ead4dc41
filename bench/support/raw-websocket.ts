/**
 * A bare WebSocket client over `node:net` for the connection-setup bench (bench/ws-handshake.ts):
 * a fixed upgrade request, frames built once, a tiny frame reader. It does what a client must
 * (masks what it sends, answers pings, completes the close handshake) and no more, so the load
 * generator, which shares the machine with the server, spends little CPU per connection: no
 * HTTP parser, no random key or mask, no SHA-1 check of the accept header. The server's work is
 * unchanged: it parses the request, hashes the key, unmasks and validates every frame.
 */
import { connect, type Socket } from 'node:net';

/** A fixed key: the server hashes it all the same, and the client need not check the answer. */
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Where to connect, and from which local address (spreads ephemeral ports over 127.0.0.x). */
export interface RawTarget {
  host: string;
  port: number;
  path: string;
  localAddress?: string;
}

/** The upgrade request for `target`, as bytes. */
export function upgradeRequest(target: RawTarget): Buffer {
  return Buffer.from(
    `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
}

/** A masked client frame (zero mask key: the bytes go out as they are, the server unmasks all the same). */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new RangeError('raw-websocket frames carry at most 125 bytes');
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** A close frame with code 1000. */
export const CLOSE_FRAME = clientFrame(0x8, Buffer.from([0x03, 0xe8]));

/** One server frame: opcode and payload (servers never mask). */
export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Reads server frames from a socket after the 101: calls `onFrame` for each, answers pings with
 * pongs. Fragmented or large frames are joined as bytes arrive; nothing here is fast-path code.
 */
export function readFrames(socket: Socket, pending: Buffer, onFrame: (frame: ServerFrame) => void): void {
  let buffer = pending;
  const drain = (): void => {
    for (;;) {
      if (buffer.length < 2) return;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const frame = { opcode: buffer[0] & 0x0f, payload: buffer.subarray(offset, offset + length) };
      buffer = buffer.subarray(offset + length);
      if (frame.opcode === 0x9) socket.write(clientFrame(0xa, frame.payload));
      onFrame(frame);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    drain();
  });
  drain();
}

/**
 * Opens a TCP connection and completes the WebSocket handshake; resolves with the socket and
 * whatever bytes came after the 101's head. Rejects on any other status or a socket error.
 */
export function openRaw(target: RawTarget, request: Buffer): Promise<{ socket: Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, localAddress: target.localAddress, noDelay: true });
    let head: Buffer = Buffer.alloc(0);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', fail);
      if (!head.subarray(0, 13).equals(SWITCHING)) {
        fail(new Error(`handshake answered ${JSON.stringify(head.subarray(0, end).toString('latin1').split('\r\n')[0])}`));
        return;
      }
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('connect', () => socket.write(request));
  });
}

const SWITCHING = Buffer.from('HTTP/1.1 101 ');
