/** Limits and liveness for WebSocket connections; every field has a safe default. */
export interface WebSocketSettings {
  /** Largest incoming message in bytes; larger ones close the connection with 1009. Default 1 MiB. */
  maxPayload: number;
  /** Milliseconds between server pings; a socket that missed the last pong is terminated. 0 turns it off. Default 25 s. */
  heartbeatInterval: number;
  /** Milliseconds from the upgrade request until the handler accepts; later, the handshake is refused with 408. Default 10 s. */
  handshakeTimeout: number;
  /** Open and handshaking connections the app holds at most; more are refused with 503. Default unlimited. */
  maxConnections: number;
  /** Connections one client address may hold; more are refused with 429. Default unlimited. */
  maxConnectionsPerIp: number;
  /** Incoming messages allowed per connection: `messages` per `per` milliseconds, bursts included; more close with 1008. Default off. */
  messageRate: { messages: number; per: number } | null;
  /** Bytes queued for sending past which the overflow policy applies. Default 1 MiB. */
  sendHighWaterMark: number;
  /**
   * `'close'` (default): close with 1013, so the client reconnects and resumes from history
   * (nothing is lost silently); `'drop'`: drop the message and count it in
   * `app.stats().dropped` (a client sees the gap only in the offsets of history messages).
   */
  sendOverflow: 'drop' | 'close';
  /** permessage-deflate. Off by default: it costs memory per connection and opens compression side channels. */
  compression: boolean;
  /** Messages buffered before the handler reads them; past this the socket is paused (back-pressure). Default 64. */
  receiveQueue: number;
  /** Milliseconds `app.close()` waits for handlers after closing their sockets; then it terminates what is left. Default 10 s. */
  closeTimeout: number;
}

export const defaultWebSocketSettings: WebSocketSettings = {
  maxPayload: 1024 * 1024,
  heartbeatInterval: 25_000,
  handshakeTimeout: 10_000,
  maxConnections: Infinity,
  maxConnectionsPerIp: Infinity,
  messageRate: null,
  sendHighWaterMark: 1024 * 1024,
  sendOverflow: 'close',
  compression: false,
  receiveQueue: 64,
  closeTimeout: 10_000,
};
