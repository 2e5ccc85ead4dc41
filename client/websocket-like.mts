/**
 * The part of a WebSocket the client uses, stated structurally so that the browser's
 * `WebSocket` and the `ws` package's both fit without a cast and without DOM types leaking
 * into the client's declarations.
 */

/** What a `message` event carries: a string for text frames (browsers and `ws` alike). */
export interface MessageEventLike {
  readonly data: unknown;
}

/** What a `close` event carries. */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** A browser or `ws` WebSocket, as far as the client needs one. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server picked; '' for none. */
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  addEventListener(type: 'close', listener: (event: CloseEventLike) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

/** `globalThis.WebSocket` in a browser, `WebSocket` from `ws` in Node. */
export type WebSocketConstructorLike = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` of an open socket (the same number in browsers and `ws`). */
export const OPEN = 1;

/**
 * Makes sockets for one URL source: `url` may be a function, run on every attempt (a token that
 * changes). Throws at once when there is no WebSocket class to use.
 */
export function socketFactory(
  given: WebSocketConstructorLike | undefined,
  url: string | URL | (() => string | URL),
  protocols: readonly string[],
): () => WebSocketLike {
  const WebSocketClass = given ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (!WebSocketClass)
    throw new TypeError('connect(): no global WebSocket here (Node 20?): pass options.WebSocket, e.g. WebSocket from the ws package');
  return () => {
    const target = String(typeof url === 'function' ? url() : url);
    return protocols.length > 0 ? new WebSocketClass(target, [...protocols]) : new WebSocketClass(target);
  };
}
