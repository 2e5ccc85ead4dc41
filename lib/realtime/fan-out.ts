import type { Socket } from 'node:net';
import type { WebSocket } from '../../components/web-socket';

/** What one delivery reached in this process. */
export interface Delivery {
  delivered: number;
  dropped: number;
}

/** TCP sockets corked by a fan-out in this turn of the event loop, uncorked together at its end. */
const corked: Socket[] = [];
let uncorkScheduled = false;

function uncorkAll(): void {
  uncorkScheduled = false;
  const sockets = corked.splice(0);
  for (const socket of sockets) socket.uncork();
}

/**
 * Corks the TCP socket under `ws` until the end of this event-loop turn, so that every
 * broadcast it gets in this turn leaves in one write (one syscall) instead of one each.
 * Only real `ws` connections have one; the TestClient's in-memory sockets do not.
 */
function corkForThisTurn(ws: WebSocket): void {
  const socket = (ws as unknown as { wire?: { _socket?: Socket } }).wire?._socket;
  if (!socket || socket.writableCorked > 0 || socket.destroyed) return;
  socket.cork();
  corked.push(socket);
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    setImmediate(uncorkAll);
  }
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
    corkForThisTurn(ws);
    if (ws.sendRaw(payload, false)) delivered++;
    else dropped++;
  }
  return { delivered, dropped };
}
