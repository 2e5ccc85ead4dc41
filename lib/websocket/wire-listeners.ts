import type { Duplex } from 'node:stream';
import type { WebSocket as WsSocket } from 'ws';
import { skipRepeatedEnds } from './repeated-end';
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
 * Connects a wire's events to its owner. A wire of `ownedWireClass` hands them over itself; on
 * any other (the TestClient's) the listeners are shared by every connection and find their
 * owner through a symbol on the wire, so an idle socket carries no closures of its own.
 */
export function listenTo(wire: WireSocket, owner: WireOwner): void {
  (wire as OwnedWire)[OWNER] = owner;
  if (wire instanceof (ownedWire ?? NoClass)) return;
  wire.on('message', onWireMessage);
  wire.on('close', onWireClose);
  wire.on('error', onWireError);
  wire.on('pong', onWirePong);
}

type WsClass = typeof WsSocket;
class NoClass {}

/** ws's (undocumented) way of giving a server-side socket its connection; absent, nothing is wrapped. */
type SetSocket = (this: WsSocket, socket: Duplex, head: Buffer, options: object) => void;
let ownedWire: WsClass | undefined;

/**
 * ws's `WebSocket` class, extended to deliver its events straight to the owner `listenTo` gave
 * it instead of through listeners: four listeners would turn each idle socket's table of events
 * into a larger dictionary, and the events go to one place anyway. Events the owner does not take
 * (`ping`), and every event before there is an owner, are emitted as ws emits them. Its socket
 * and receiver skip ws's repeated `end()` calls (see repeated-end.ts). Made once,
 * from the ws module the gateway loads on the first upgrade, and given to its server.
 */
export function ownedWireClass(Base: WsClass): WsClass {
  if (ownedWire !== undefined) return ownedWire;
  class OwnedWsSocket extends Base {
    [OWNER]: WireOwner | undefined = undefined;

    override emit(event: string | symbol, first?: unknown, second?: unknown): boolean {
      const owner = this[OWNER];
      if (owner !== undefined) {
        switch (event) {
          case 'message':
            owner.onMessage(first as Buffer, second as boolean);
            return true;
          case 'close':
            owner.onClose(first as number, second as Buffer);
            return true;
          case 'error':
            owner.onError(first as Error);
            return true;
          case 'pong':
            owner.alive = true;
            return true;
        }
      }
      // ws emits each event with at most two arguments, none of them undefined: listeners see as many as it gave.
      if (second !== undefined) return super.emit(event, first, second);
      return first !== undefined ? super.emit(event, first) : super.emit(event);
    }
  }
  const setSocket = (Base.prototype as unknown as { setSocket?: SetSocket }).setSocket;
  if (typeof setSocket === 'function') {
    (OwnedWsSocket.prototype as unknown as { setSocket: SetSocket }).setSocket = function ownedSetSocket(socket, head, options) {
      setSocket.call(this, socket, head, options);
      skipRepeatedEnds(socket);
      skipRepeatedEnds((this as unknown as { _receiver?: unknown })._receiver);
    };
  }
  return (ownedWire = OwnedWsSocket);
}
