import { Socket } from 'node:net';

/**
 * What the `WebSocket` component needs from the connection underneath: the subset of a `ws`
 * socket it uses. A real `ws` socket provides it; so does the TestClient's in-memory pair.
 */
export interface WireSocket {
  readonly bufferedAmount: number;
  /** 1 (ws's `WebSocket.OPEN`) while frames can be sent; 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string | Buffer, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'pong', listener: () => void): this;
}

/** Completes or refuses a pending WebSocket handshake. */
export interface Upgrader {
  /** Finishes the handshake (HTTP 101) and gives the open socket: at once when the upgrade was synchronous. */
  complete(subprotocol: string | undefined, headers: Readonly<Record<string, string>>): WireSocket | Promise<WireSocket>;
  /** Answers the handshake with an HTTP response instead, and drops the connection. */
  refuse(status: number, body: string, headers: Readonly<Record<string, string | string[]>>): void;
}

/**
 * The TCP socket under a `ws` connection, which ws keeps as `_socket`; undefined for the
 * TestClient's in-memory wires. Broadcasts cork it to coalesce writes within one turn.
 */
export function netSocketOf(wire: WireSocket | undefined): Socket | undefined {
  const socket = (wire as { _socket?: unknown } | undefined)?._socket;
  return socket instanceof Socket ? socket : undefined;
}
