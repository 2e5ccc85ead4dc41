import type { Socket } from 'node:net';

/**
 * Bytes a corked socket may hold before it is flushed early. Corked bytes count in the
 * socket's `bufferedAmount`, so without this a burst of sends in one turn would pass the send
 * high-water mark and be dropped for a client that reads perfectly well. Coalescing matters for
 * small messages; past this size a write is worth its syscall anyway.
 */
const CORK_FLUSH_BYTES = 64 * 1024;
/**
 * Messages at least this large do not cork a socket: their write is worth its syscall, and
 * holding them to the end of the turn only adds latency (measured on bench/ws-echo at 16 KiB).
 */
const CORK_BELOW_BYTES = 4 * 1024;

/** TCP sockets corked in this turn of the event loop, each once; uncorked together at its end. */
const corked = new Set<Socket>();
let uncorkScheduled = false;

function uncorkAll(): void {
  uncorkScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Corks `socket` until the end of this event-loop turn, so that every message it is sent in this
 * turn (echo replies to a batch of reads, broadcasts) leaves in one write, one syscall, instead
 * of one each. A socket someone else corked is left alone, and a large message corks nothing.
 *
 * @example
 * const socket = corkForThisTurn(netSocket, bytes.length);
 * wire.send(bytes, { binary: false });
 * flushIfFull(socket);
 */
export function corkForThisTurn(socket: Socket | undefined, messageBytes: number): Socket | undefined {
  if (!socket || socket.destroyed) return undefined;
  if (corked.has(socket)) return socket;
  if (messageBytes >= CORK_BELOW_BYTES || socket.writableCorked > 0) return undefined;
  socket.cork();
  corked.add(socket);
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    setImmediate(uncorkAll);
  }
  return socket;
}

/**
 * Flushes a socket corked by `corkForThisTurn` once it holds enough to be worth a write of its own.
 *
 * @example
 * flushIfFull(corkForThisTurn(netSocket, bytes.length));
 */
export function flushIfFull(socket: Socket | undefined): void {
  if (socket && socket.writableLength >= CORK_FLUSH_BYTES && corked.delete(socket)) socket.uncork();
}

/**
 * Writes out what a socket corked by `corkForThisTurn` holds now; before a `destroy()`, which
 * would otherwise discard it (an uncorked socket would have written it already).
 *
 * @example
 * flushNow(netSocket);
 * netSocket.destroy();
 */
export function flushNow(socket: Socket | undefined): void {
  if (socket && corked.delete(socket)) socket.uncork();
}
