import type { WebSocket } from '../websocket/websocket';

/** What one delivery reached in this process. */
export interface Delivery {
  delivered: number;
  dropped: number;
}

/**
 * Sends one payload, serialized and encoded once by the caller, to many local sockets. Slow
 * sockets are handled by each socket's send-buffer policy (drop and count, or close 1013),
 * never by buffering without bound. Writes are coalesced per event-loop turn by `sendRaw` (see
 * websocket/turn-cork.ts).
 */
export function fanOut(sockets: Iterable<WebSocket>, payload: Buffer, skip?: (ws: WebSocket) => boolean): Delivery {
  let delivered = 0;
  let dropped = 0;
  for (const ws of sockets) {
    if (skip?.(ws)) continue;
    if (ws.sendRaw(payload, false)) delivered++;
    else dropped++;
  }
  return { delivered, dropped };
}
