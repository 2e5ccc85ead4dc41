/**
 * `starwire/client`: a WebSocket client for browsers and Node that speaks Starwire's wire
 * conventions (request/reply, heartbeat, reconnect, resume from history). No dependencies;
 * an ES module a page can import as it is.
 */
import type { ClientOptions, ServerMessage } from './options.mjs';
import { StarwireClient } from './starwire-client.mjs';

export { backoffDelay, type ReconnectOptions } from './backoff.mjs';
export { ConnectionClosedError, RequestTimeoutError } from './errors.mjs';
export { createHttpClient, type FetchLike, type HttpClient, type HttpClientOptions, type MethodCall } from './http-client.mjs';
export type {
  BodyOf,
  CallArguments,
  CallHeaders,
  CallOptions,
  EndpointAt,
  HttpEndpoint,
  HttpEndpoints,
  Jsonified,
  MethodsOf,
  PathParamsOf,
  PathsOf,
  QueryOf,
  ResponseOf,
} from './http-route-types.mjs';
export { HTTPStatusError } from './http-status-error.mjs';
export type { ClientEvents, ClientOptions, ClientState, HeartbeatOptions, RequestOptions, ServerMessage } from './options.mjs';
export { StarwireClient } from './starwire-client.mjs';
export { compareStreamIds, isStreamId, parseStreamId, type StreamPosition } from './stream-ids.mjs';
export type { CloseEventLike, MessageEventLike, WebSocketConstructorLike, WebSocketLike } from './websocket-like.mjs';
export type { ReceivedFrom, RepliesFrom, RequestTo, SentTo } from './websocket-route-types.mjs';

/**
 * Opens a client on `url` (a string, a URL, or a function called before every attempt, e.g. to
 * put a fresh token in the query). `Of` types the messages: the type of those it emits, or a
 * server route's type (`connect<typeof chatRoute>(url)`), whose message schema types what
 * `send` takes and whose `sends` schemas type what it emits.
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
export function connect<Of = ServerMessage>(url: string | URL | (() => string | URL), options: ClientOptions = {}): StarwireClient<Of> {
  return new StarwireClient<Of>(url, options);
}
