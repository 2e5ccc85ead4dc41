import type { Server } from 'node:http';
import type { WebSocketStats } from '../websocket/websocket-stats';

/** How often WebSocket handshakes, which raise no 'request' event, are counted. */
const POLL_MS = 250;

/**
 * `--limit-max-requests`: calls `reached(count)` once, when the HTTP requests `server` has
 * received plus the WebSocket connections the app accepted reach `limit` (uvicorn's
 * `total_requests`). A cluster worker then asks for its replacement; a lone process shuts
 * down. Counted on each request, and every 250 ms for WebSockets.
 *
 * @example
 * watchRequestLimit(server, () => app.stats(), 10_000, () => void serving.shutdown(1012));
 */
export function watchRequestLimit(server: Server, stats: () => WebSocketStats, limit: number, reached: (count: number) => void): void {
  let requests = 0;
  let done = false;
  const check = (): void => {
    const count = requests + stats().accepted;
    if (done || count < limit) return;
    done = true;
    server.off('request', onRequest);
    clearInterval(poll);
    reached(count);
  };
  const onRequest = (): void => {
    requests++;
    check();
  };
  server.on('request', onRequest);
  const poll = setInterval(check, POLL_MS);
  poll.unref();
  server.once('close', () => clearInterval(poll));
}
