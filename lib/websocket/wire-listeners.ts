import type { WireSocket } from './wire-socket';

/** What the wire's events are delivered to: the `WebSocket` component. */
export interface WireOwner {
  alive: boolean;
  onMessage(data: Buffer, isBinary: boolean): void;
  onClose(code: number, reason: Buffer): void;
  onError(error: Error & { code?: string }): void;
}

const OWNER = Symbol('starwire.websocket');
type OwnedWire = WireSocket & { [OWNER]?: WireOwner };

function onWireMessage(this: OwnedWire, data: Buffer, isBinary: boolean): void {
  this[OWNER]!.onMessage(data, isBinary);
}
function onWireClose(this: OwnedWire, code: number, reason: Buffer): void {
  this[OWNER]!.onClose(code, reason);
}
function onWireError(this: OwnedWire, error: Error & { code?: string }): void {
  this[OWNER]!.onError(error);
}
function onWirePong(this: OwnedWire): void {
  this[OWNER]!.alive = true;
}

/**
 * Connects a wire's events to its owner. The listeners are shared by every connection and find
 * their owner through a symbol on the wire, so an idle socket carries no closures of its own.
 */
export function listenTo(wire: WireSocket, owner: WireOwner): void {
  (wire as OwnedWire)[OWNER] = owner;
  wire.on('message', onWireMessage);
  wire.on('close', onWireClose);
  wire.on('error', onWireError);
  wire.on('pong', onWirePong);
}
