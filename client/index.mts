/**
 * `starwire/client`: a WebSocket client for browsers and Node that speaks Starwire's wire
 * conventions (request/reply, heartbeat, reconnect, resume from history). No dependencies;
 * an ES module a page can import as it is.
 */
import type { ClientOptions, ServerMessage } from './options.mjs';
import { StarwireClient } from './starwire-client.mjs';

export { backoffDelay, type ReconnectOptions } from './backoff.mjs';
export { ConnectionClosedError, RequestTimeoutError } from './errors.mjs';
export type { ClientEvents, ClientOptions, ClientState, HeartbeatOptions, RequestOptions, ServerMessage } from './options.mjs';
export { StarwireClient } from './starwire-client.mjs';
export { compareStreamIds, isStreamId, parseStreamId, type StreamPosition } from './stream-ids.mjs';
export type { CloseEventLike, MessageEventLike, WebSocketConstructorLike, WebSocketLike } from './websocket-like.mjs';

/**
 * Opens a client on `url` (a string, a URL, or a function called before every attempt, e.g. to
 * put a fresh token in the query). `In` types the messages it emits.
 *
 * @example
 * // Browser
 * import { connect } from '/client.mjs';
 * const client = connect(`ws://${location.host}/ws?name=ann`, { protocols: ['chat.v1'] });
 * client.on('open', ({ reconnected }) => client.send({ type: 'join', room: 'lobby' }));
 *
 * @example
 * // Node 20 (no global WebSocket)
 * import { WebSocket } from 'ws';
 * import { connect } from 'starwire/client';
 * const client = connect('ws://127.0.0.1:8000/ws?name=bot', { WebSocket, heartbeat: false });
 * const reply = await client.request({ type: 'join', room: 'lobby' });
 */
export function connect<In = ServerMessage>(url: string | URL | (() => string | URL), options: ClientOptions = {}): StarwireClient<In> {
  return new StarwireClient<In>(url, options);
}
