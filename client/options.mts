import type { ReconnectOptions } from './backoff.mjs';
import type { WebSocketConstructorLike } from './websocket-like.mjs';

/** A JSON object from the server. Narrow it on `type`. */
export type ServerMessage = { readonly [field: string]: unknown };

/** How the client notices a connection that died without a close frame (a sleeping laptop, a dropped NAT entry). */
export interface HeartbeatOptions {
  /** Silence from the server, in ms, after which the client sends `{type:'ping'}`. Default 20 000. */
  readonly interval?: number;
  /** How long, in ms, the server has to say anything after a ping before the socket is closed with 4000. Default 10 000. */
  readonly timeout?: number;
}

/**
 * Options of `connect()`; every one has a default.
 *
 * @example
 * const client = connect(url, { protocols: ['chat.v1'], reconnect: { initialDelay: 500, maxDelay: 10_000 }, heartbeat: false });
 */
export interface ClientOptions {
  /** Subprotocols to offer, e.g. `['chat.v1']`. */
  readonly protocols?: string | readonly string[];
  /** The WebSocket class. Default `globalThis.WebSocket`; in Node 20 pass `WebSocket` from `ws`. */
  readonly WebSocket?: WebSocketConstructorLike;
  /** Backoff between reconnection attempts, or `false` never to reconnect. */
  readonly reconnect?: ReconnectOptions | false;
  /** Application-level pings, or `false` for none. */
  readonly heartbeat?: HeartbeatOptions | false;
  /** Default timeout of `request()`, in ms. Default 10 000. */
  readonly requestTimeout?: number;
  /** After a reconnect, ask each room and channel seen for the messages missed meanwhile. Default true. */
  readonly resume?: boolean;
  /** Close codes after which reconnecting cannot help. Default [1002, 1003, 1007, 1008, 3000, 3003]. */
  readonly fatalCodes?: readonly number[];
  /** Messages `send()` and `request()` may queue while not connected. Default 100. */
  readonly maxQueue?: number;
  /** The random source for backoff jitter, in [0, 1). Default `Math.random` (a fixed one makes tests exact). */
  readonly random?: () => number;
}

/** Options of one `request()`. */
export interface RequestOptions {
  /** Milliseconds to wait for the reply. Default: the client's `requestTimeout`. */
  readonly timeout?: number;
}

/** `'connecting'` before the first open, `'reconnecting'` between a lost connection and the next open. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What each event passes to its listeners. */
export interface ClientEvents<In = ServerMessage> {
  /** The socket opened; `reconnected` is false the first time. */
  open: { readonly reconnected: boolean };
  /** A message from the server: not pongs, not replies to `request()`, not duplicates. */
  message: In;
  /** The socket closed; `willReconnect` says whether the client will try again. */
  close: { readonly code: number; readonly reason: string; readonly willReconnect: boolean };
  /** A reconnection attempt is scheduled `delay` ms from now. */
  reconnecting: { readonly attempt: number; readonly delay: number };
  /**
   * A room (or channel) was caught up after a reconnect: `missed` messages were emitted;
   * `complete: false` means the server's history no longer reached back, and some were lost.
   */
  resumed: { readonly room?: string; readonly channel?: string; readonly complete: boolean; readonly missed: number };
  /** Something went wrong that is not a close: a listener threw, the server sent bad JSON, a resume failed. */
  error: Error;
}

export const DEFAULT_FATAL_CODES: readonly number[] = [1002, 1003, 1007, 1008, 3000, 3003];

/** Whether a parsed message is a JSON object (the only kind that can be a reply or carry an id). */
export function isServerMessage(value: unknown): value is ServerMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
