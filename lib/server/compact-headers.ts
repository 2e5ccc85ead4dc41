import type { IncomingMessage } from 'node:http';
import { StringPool } from './string-pool';

type Headers = IncomingMessage['headers'];

/** Longer values are rare enough per value that pooling them buys little. */
const VALUE_LIMIT = 256;
/** Headers whose values differ on every request: pooled, they would only fill the pool. */
const UNIQUE = new Set(['sec-websocket-key', 'cookie', 'authorization', 'x-request-id', 'traceparent', 'tracestate', 'baggage']);

/** Past 1,024 values the pool stops growing: a flood of odd headers costs at most that much. */
const pool = new StringPool(1024);

/**
 * The objects `compactHeaders` makes: plain objects (their prototype is `Object.prototype`), but
 * made by a constructor, so V8 keeps their first properties inside the object rather than in a
 * second array beside it, as it does for an object literal past four properties.
 */
const KeptHeaders = function KeptHeaders() {} as unknown as new () => Headers;
KeptHeaders.prototype = Object.prototype;

/**
 * A copy of a request's headers to keep for as long as a connection lives (an open WebSocket's
 * handshake headers): the same names and values, in a smaller object, each common value
 * replaced by one copy shared by every request that sent it. Node parses each request's headers
 * into fresh strings, so 10,000 open sockets would otherwise hold 10,000 copies of `websocket`,
 * `Upgrade`, `13`, the host, the user agent, the origin...
 *
 * @example
 * const kept = compactHeaders(req.headers); // kept.upgrade === 'websocket', the pool's copy
 */
export function compactHeaders(headers: Headers): Headers {
  const kept = new KeptHeaders();
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    kept[name] = typeof value === 'string' && value.length <= VALUE_LIMIT && !UNIQUE.has(name) ? pool.share(value) : value;
  }
  return kept;
}
