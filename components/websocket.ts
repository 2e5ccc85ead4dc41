import type { Builtin } from '../lib/inject/resolver';

export { WebSocket, type WebSocketMessage, type WebSocketState } from '../lib/websocket/websocket';

/** How handlers and hooks get the `WebSocket` token: the connection's socket, on WebSocket routes. */
export const webSocketProvider: Builtin = {
  kinds: ['websocket'],
  provider: (connection) => connection.websocket,
  hint: 'WebSocket is only available on WebSocket routes',
};
