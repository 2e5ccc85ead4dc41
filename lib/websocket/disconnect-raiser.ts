import type { WebSocketDisconnect } from '../errors/exceptions';

/** What the pipeline needs to know of the socket a disconnect came from. */
export interface DisconnectSource {
  readonly id: string;
  readonly path: string;
}

/**
 * The socket each `WebSocketDisconnect` came from. A handler may await another connection's
 * socket (a receive on another member's, say): that socket's peer leaving is not this connection's.
 */
const raisers = new WeakMap<WebSocketDisconnect, DisconnectSource>();

/** Marks `error` as raised by a receive on `socket`. */
export function markRaiser(error: WebSocketDisconnect, socket: DisconnectSource): WebSocketDisconnect {
  raisers.set(error, socket);
  return error;
}

/** The socket that raised `error`; undefined for one that user code constructed. */
export function disconnectRaiser(error: WebSocketDisconnect): DisconnectSource | undefined {
  return raisers.get(error);
}
