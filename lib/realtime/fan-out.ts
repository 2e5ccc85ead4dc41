import type { Socket } from 'node:net';
import type { WebSocket } from '../websocket/websocket';

/** What one delivery reached in this process. */
export interface Delivery {
  delivered: number;
  dropped: number;
}

/**
 * Bytes a corked socket may hold before it is flushed early. Corked bytes count in the
 * socket's `bufferedAmount`, so without this a burst of broadcasts in one turn would pass the
 * send high-water mark and be dropped for a client that reads perfectly well. Coalescing
 * matters for small messages; past this size a write is worth its syscall anyway.
 */
const CORK_FLUSH_BYTES = 64 * 1024;

/** TCP sockets this module corked in this turn of the event loop, each once; uncorked together at its end. */
const corked = new Set<Socket>();
let uncorkScheduled = false;

function uncorkAll(): void {
  uncorkScheduled = false;
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
}

/**
 * Corks the TCP socket under `ws` until the end of this event-loop turn, so that every
 * broadcast it gets in this turn leaves in one write (one syscall) instead of one each.
 * Only real `ws` connections have one; the TestClient's in-memory sockets do not. A socket
 * someone else corked is left alone.
 */
function corkForThisTurn(ws: WebSocket): Socket | undefined {
  const socket = ws.netSocket;
  if (!socket || socket.destroyed) return undefined;
  if (corked.has(socket)) return socket;
  if (socket.writableCorked > 0) return undefined;
  socket.cork();
  corked.add(socket);
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    setImmediate(uncorkAll);
  }
  return socket;
}

/** Flushes a socket this module corked once it holds enough to be worth a write of its own. */
function flushIfFull(socket: Socket | undefined): void {
  if (socket && socket.writableLength >= CORK_FLUSH_BYTES && corked.delete(socket)) socket.uncork();
}

/**
 * Sends one payload, serialized and encoded once by the caller, to many local sockets. Slow
 * sockets are handled by each socket's send-buffer policy (drop and count, or close 1013),
 * never by buffering without bound. Writes are coalesced per event-loop turn: each socket is
 * corked on its first broadcast in a turn and uncorked (flushed) once at the turn's end.
 */
export function fanOut(sockets: Iterable<WebSocket>, payload: Buffer, skip?: (ws: WebSocket) => boolean): Delivery {
  let delivered = 0;
  let dropped = 0;
  for (const ws of sockets) {
    if (skip?.(ws)) continue;
    const socket = corkForThisTurn(ws);
    if (ws.sendRaw(payload, false)) delivered++;
    else dropped++;
    flushIfFull(socket);
  }
  return { delivered, dropped };
}
