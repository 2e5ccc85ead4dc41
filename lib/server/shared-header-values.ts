import type { IncomingMessage } from 'node:http';

/** Past this many pooled values the pool stops growing: a flood of odd headers costs at most this much. */
const POOL_LIMIT = 1024;
/** Longer values are rare enough per value that pooling them buys little. */
const VALUE_LIMIT = 256;
/** Headers whose values differ on every request: pooled, they would only fill the pool. */
const UNIQUE = new Set(['sec-websocket-key', 'cookie', 'authorization', 'x-request-id', 'traceparent', 'tracestate', 'baggage']);

const pool = new Map<string, string>();

/**
 * Replaces each common header value with one copy shared by every request that sent it.
 * Node parses each request's headers into fresh strings, so 10,000 open WebSockets that keep
 * their handshake headers would hold 10,000 copies of `websocket`, `Upgrade`, `13`, the host,
 * the user agent, the origin... The headers read the same afterwards; only their copies go.
 *
 * @example
 * shareHeaderValues(req.headers); // req.headers.upgrade is now the pool's 'websocket'
 */
export function shareHeaderValues(headers: IncomingMessage['headers']): void {
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value !== 'string' || value.length > VALUE_LIMIT || UNIQUE.has(name)) continue;
    const shared = pool.get(value);
    // Equal strings compare equal whether or not they are one copy: the pool's is always stored.
    if (shared !== undefined) headers[name] = shared;
    else if (pool.size < POOL_LIMIT) pool.set(value, value);
  }
}
