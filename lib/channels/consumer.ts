import * as status from '../errors/status';
import type { Scope } from '../http/scope';
import type { MaybePromise } from '../inject/thenable';
import type { WebSocket } from '../websocket/websocket';
import type { ChannelLayer, ChannelMessage, GroupSendResult } from './channel-layer';

/** Consumers' sends resolve to nothing, as Channels' do: `return this.send(...)` fits a `Promise<void>`. */
function nothing(): void {}

/**
 * A class-based WebSocket handler in the manner of Django Channels, given to `WebSocketRoute`
 * in place of a handler function. Override `connect`, `receive` and `disconnect`; messages
 * from the channel layer are dispatched by type (`chat.message` → `chatMessage(event)`).
 * Everything for one connection, socket messages and layer messages alike, runs in order.
 *
 * Lifecycle methods may declare injected parameters with `@inject([...])` like handlers:
 * `connect` and `disconnect` get connection-scoped tokens, `receive`/`receiveJson` may also ask
 * for `Message(schema)` (the validated message) and `'message'`-scoped components.
 *
 * @example
 * class Echo extends WebSocketConsumer {
 *   async receive(text?: string) { await this.send(`Echo: ${text}`); }
 * }
 * new WebSocketRoute('/ws/echo', Echo);
 */
export class WebSocketConsumer {
  /** The connection's scope (path, headers, pathParams, state...). */
  scope!: Scope;
  /** The app's channel layer. */
  channelLayer!: ChannelLayer;
  /** This consumer's own channel on the layer, for direct messages. */
  channelName!: string;
  /** Groups joined on connect and left on disconnect. */
  groups: string[] = [];
  /** The socket underneath. */
  protected websocket!: WebSocket;

  /** Called when a client connects; the default accepts. Not accepting refuses with 403. */
  connect(..._args: never[]): MaybePromise<void> {
    return this.accept();
  }

  /** Called for each message: `text` for text frames, `bytes` for binary ones. */
  receive(..._args: never[]): MaybePromise<void> {}

  /**
   * Called once the connection has closed, with the close code, after every message that
   * arrived before the close; also after a handshake `connect` did not accept (1006), as in
   * Channels. Not after a `connect` that threw: that consumer was never set up.
   */
  disconnect(..._args: never[]): MaybePromise<void> {}

  accept(subprotocol?: string): Promise<void> {
    return this.websocket.accept(subprotocol);
  }

  close(code: number = status.WS_1000_NORMAL_CLOSURE, reason?: string): Promise<void> {
    return this.websocket.close(code, reason);
  }

  /**
   * Sends a text message (a string) or a binary one (a Buffer). Once the connection has closed
   * a send does nothing, as in Channels: the messages that arrived before the close are still
   * handled, and `disconnect()` follows them. Like `WebSocket.send` it never rejects for a peer
   * that left, so a send nobody awaits is safe; `this.websocket.send()` tells whether it was sent.
   *
   * @example
   * async chatMessage(event: { text: string }) { await this.send(event.text); }
   */
  send(data: string | Buffer): Promise<void> {
    return this.websocket.send(data).then(nothing);
  }

  /**
   * Sends to every channel of a group; a shorthand for `this.channelLayer.groupSend`. The result
   * says what it reached: `remote` is `'failed'` or `'unknown'` when other processes were not
   * (reliably) reached, for example while Redis is down.
   *
   * @example
   * const { remote } = await this.groupSend('room', { type: 'chat.message', text });
   * if (remote === 'failed') await this.sendJson({ type: 'warning', text: 'not everyone got that' });
   */
  groupSend(group: string, message: ChannelMessage): Promise<GroupSendResult> {
    return this.channelLayer.groupSend(group, message);
  }
}

/**
 * A consumer whose messages are JSON: `receiveJson(content)` gets each parsed message and
 * `sendJson(content)` sends one. Malformed JSON closes with 1007.
 *
 * @example
 * class Chat extends JsonWebSocketConsumer {
 *   groups = ['lobby'];
 *   async receiveJson(content: { text: string }) {
 *     await this.groupSend('lobby', { type: 'chat.message', text: content.text });
 *   }
 *   async chatMessage(event: { text: string }) { await this.sendJson({ text: event.text }); }
 * }
 */
export class JsonWebSocketConsumer extends WebSocketConsumer {
  /** Called with each parsed JSON message. */
  receiveJson(..._args: never[]): MaybePromise<void> {}

  /**
   * Sends `content` as JSON text; like `send`, nothing once the connection has closed, and it
   * never rejects for a peer that left.
   *
   * @example
   * async receiveJson(content: { text: string }) { await this.sendJson({ echo: content.text }); }
   */
  sendJson(content: unknown): Promise<void> {
    return this.websocket.sendJson(content).then(nothing);
  }
}

/** True for a class that extends `WebSocketConsumer`. */
export function isConsumerClass(value: unknown): value is new () => WebSocketConsumer {
  return typeof value === 'function' && value.prototype instanceof WebSocketConsumer;
}

/** The method a layer message of `type` is dispatched to: `chat.message` → `chatMessage`. */
export function handlerName(type: string): string {
  return type.replace(/[._-]+([a-zA-Z0-9])/g, (_match, char: string) => char.toUpperCase());
}

/** Names no layer message may reach: the framework's methods, now and to come, and every object's. */
const FRAMEWORK_METHOD = /^(?:_|(?:send|receive)(?:[A-Z0-9]|$)|(?:accept|close|connect|disconnect|constructor)$)/;
const RESERVED_NAMES = new Set([
  ...Object.getOwnPropertyNames(WebSocketConsumer.prototype),
  ...Object.getOwnPropertyNames(JsonWebSocketConsumer.prototype),
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * The handler a layer message of `type` reaches on `consumer`, or why none does. Only methods
 * the app's consumer class declares count: the framework's and lifecycle methods (`send*`,
 * `receive*`, `accept`, `close`, `connect`, `disconnect`, `groupSend`, `constructor`), members of
 * `Object.prototype`, names with a leading underscore and `websocket.*` types are never
 * dispatched to, so a message from another process cannot call them.
 *
 * @example
 * layerHandler(consumer, 'chat.message'); // → { name: 'chatMessage', method } when the class declares chatMessage()
 * layerHandler(consumer, 'websocket.close'); // → { name: 'websocketClose', refused: 'reserved for Starwire' }
 */
export function layerHandler(
  consumer: WebSocketConsumer,
  type: string,
): { readonly name: string; readonly method: (event: ChannelMessage) => unknown } | { readonly name: string; readonly refused: string } {
  const name = handlerName(type);
  if (type.startsWith('websocket.') || FRAMEWORK_METHOD.test(name) || RESERVED_NAMES.has(name)) {
    return { name, refused: `${name}() is reserved for Starwire, not a layer message handler` };
  }
  // Walk the app's own classes only, stopping at the framework's base classes; getters are not handlers.
  for (
    let proto: unknown = Object.getPrototypeOf(consumer);
    proto !== null && proto !== JsonWebSocketConsumer.prototype && proto !== WebSocketConsumer.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const method: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
    if (typeof method === 'function') return { name, method: method as (event: ChannelMessage) => unknown };
  }
  return { name, refused: `${consumer.constructor.name} has no method ${name}()` };
}
