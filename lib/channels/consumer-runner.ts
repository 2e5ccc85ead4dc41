import { WebSocketDisconnect } from '../errors/exceptions';
import * as status from '../errors/status';
import type { Connection } from '../inject/connection';
import type { BoundMethod } from '../inject/hook';
import { inject, requiredTokens } from '../inject/inject';
import { invoke } from '../inject/invoke';
import { MessageFrame } from '../inject/message-frame';
import type { Resolver } from '../inject/resolver';
import { attempt } from '../inject/thenable';
import type { CompileSite } from '../inject/token';
import { type Provider, Token } from '../inject/token';
import type { CompiledExceptionHandlers } from '../routing/exception-handler-plans';
import type { Handler, InvalidMessagePolicy } from '../routing/routes';
import { replyToInvalid } from '../websocket/invalid-message';
import { parseJsonMessage } from '../websocket/json-message';
import { WebSocket, type WebSocketMessage } from '../websocket/websocket';
import { closeFrameFor } from '../websocket/websocket-error-answer';
import { type ChannelLayer, type ChannelMessage, untracedMessage } from './channel-layer';
import { JsonWebSocketConsumer, layerHandler, type WebSocketConsumer } from './consumer';
import { deliveryOf } from './traced-channel-layer';

const LIFECYCLE = ['connect', 'disconnect', 'receive', 'receiveJson'] as const;
type Lifecycle = (typeof LIFECYCLE)[number];

/** The connection itself, for the consumer runner (not public: handlers inject what they need). */
class ConnectionToken extends Token<Connection> {
  readonly label = 'Connection';
  compile(): Provider<Connection> {
    return (connection) => connection;
  }
}
const CurrentConnection = new ConnectionToken();

/**
 * Turns a consumer class into a route handler: the class's lifecycle methods are compiled like
 * handlers (their `@inject` tokens checked at startup), and each connection gets a fresh
 * instance, its own layer channel, its groups, and one queue that runs socket and layer
 * messages in order. A lifecycle method that throws closes the socket with the answer of the
 * route's `exceptionHandlers` for the error, or the one table's.
 */
export function consumerHandler(
  consumerClass: new () => WebSocketConsumer,
  site: CompileSite,
  resolver: Resolver,
  layer: () => ChannelLayer,
  onInvalidMessage: InvalidMessagePolicy = 'close',
  exceptionHandlers?: CompiledExceptionHandlers,
): Handler {
  const plans = new Map<Lifecycle, BoundMethod['plan']>();
  const proto = consumerClass.prototype as Record<Lifecycle, (...args: never[]) => unknown>;
  for (const method of LIFECYCLE) {
    const fn = proto[method];
    if (typeof fn !== 'function') continue;
    const tokens = requiredTokens(fn, `${site.where}, consumer ${consumerClass.name}.${method}`, proto, method);
    if (!tokens) continue;
    const perMessage = method === 'receive' || method === 'receiveJson';
    plans.set(method, resolver.plan(tokens, `${consumerClass.name}.${method}`, { ...site, perMessage }));
  }
  const json = consumerClass.prototype instanceof JsonWebSocketConsumer;

  const run = async (ws: WebSocket, connection: Connection): Promise<void> => {
    const consumer = new consumerClass();
    const channels = layer();
    const call = (method: Lifecycle, fallback: unknown[], frame?: MessageFrame): unknown => {
      const fn = (consumer as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
      const plan = plans.get(method);
      return plan ? invoke({ fn, plan, self: consumer }, connection, frame) : fn.apply(consumer, fallback);
    };
    // A message that fails to parse or validate closes 1007, or gets an error reply where the route says so.
    // The parsed JSON of the message being handled, for the reply to an invalid one; messages
    // are handled one at a time, so one slot per connection serves.
    let content: unknown;
    const handle = (received: WebSocketMessage): unknown => {
      content = undefined;
      return attempt(
        () => dispatchMessage(received),
        (error) => {
          const replied = replyToInvalid(ws, onInvalidMessage, error, content);
          if (!replied) throw error;
          return replied;
        },
      );
    };
    const dispatchMessage = (received: WebSocketMessage): unknown => {
      if (!json) {
        const frame = new MessageFrame(received.data, received.data);
        return received.type === 'text'
          ? call('receive', [received.data, undefined], frame)
          : call('receive', [undefined, received.data], frame);
      }
      const text = typeof received.data === 'string' ? received.data : received.data.toString('utf8');
      content = parseJsonMessage(text);
      return call('receiveJson', [content], new MessageFrame(content, text));
    };
    consumer.scope = connection.scope;
    consumer.channelLayer = channels;
    (consumer as unknown as { websocket: WebSocket }).websocket = ws;
    consumer.channelName = await channels.newChannel('consumer');
    const groups = [...consumer.groups];
    for (const group of groups) await channels.groupAdd(group, consumer.channelName);

    // One queue per connection, fed by the socket and the layer as messages arrive, so they are
    // handled in arrival order; every task waits for the one before it.
    let tail: Promise<void> = Promise.resolve();
    let pending = 0;
    let failed = false;
    let failure: unknown;
    let closing: Promise<void> | undefined;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      failure = error;
      // Close with the code the error maps to; the socket pump then sees the socket closed.
      closing = closeFrameFor(exceptionHandlers, connection, error, site.where).then((frame) =>
        ws.connected ? ws.close(frame.code, frame.reason).catch(() => {}) : undefined,
      );
    };
    // After a failure the consumer is in an unknown state: only `disconnect()` still runs.
    const enqueue = (task: () => unknown, evenAfterFailure = false): Promise<void> => {
      pending++;
      tail = tail
        .then(() => (failed && !evenAfterFailure ? undefined : task()))
        .then(undefined, fail)
        .then(() => {
          pending--;
        });
      return tail;
    };
    // A full queue stops both pumps: the socket is then paused by its own receive queue and the
    // channel fills up (groupSend counts the drops), so a slow consumer cannot grow memory.
    const limit = Math.max(1, connection.settings.websocket.receiveQueue);
    const room = async (): Promise<void> => {
      while (pending >= limit) await tail;
    };

    let stopped = false;
    let receiving = false;
    // Known by identity, not by type: a layer message of the same shape from anyone else is just a message.
    const stop: ChannelMessage = untracedMessage({ type: 'starwire.consumer.stop' });
    const report = (text: string, error: unknown): void => connection.logError(text, error);
    const layerPump = (async () => {
      for (;;) {
        await room();
        if (stopped) return;
        let message: ChannelMessage;
        receiving = true;
        try {
          message = await channels.receive(consumer.channelName);
        } catch {
          return;
        } finally {
          receiving = false;
        }
        if (stopped || message === stop) return;
        void enqueue(() => dispatch(consumer, message, report));
      }
    })();

    let connected = false;
    try {
      await enqueue(async () => {
        await call('connect', []);
        connected = true;
      });
      // Read on after the peer's close too: what it sent before closing is still queued.
      while (connected && !failed && !ws.connecting) {
        let received: WebSocketMessage;
        try {
          received = await ws.receiveMessage();
        } catch (error) {
          if (error instanceof WebSocketDisconnect) break;
          throw error;
        }
        void enqueue(() => handle(received));
        await room();
      }
    } finally {
      stopped = true;
      // Wake the layer pump only if it waits on the channel; otherwise it sees `stopped` itself.
      if (receiving) await channels.send(consumer.channelName, stop).catch(() => {});
      await layerPump;
      // A connect() that threw never set the consumer up: it has nothing to disconnect.
      if (connected) await enqueue(() => call('disconnect', [ws.closeCode ?? status.WS_1006_ABNORMAL_CLOSURE]), true);
      else await tail;
      for (const group of groups) await channels.groupDiscard(group, consumer.channelName).catch(() => {});
    }
    // The pipeline sees the failure once the socket has closed with its answer (the handler ran here).
    await closing;
    if (failed) throw failure;
  };
  return inject([WebSocket, CurrentConnection], run);
}

/**
 * Hands a layer message to the handler the app wrote for its type. One with no such handler
 * is reported and dropped, and the connection stays open: layer messages come from other
 * consumers and processes, and one of them must not close every member of a group.
 */
async function dispatch(
  consumer: WebSocketConsumer,
  message: ChannelMessage,
  logError: (message: string, error: unknown) => void,
): Promise<void> {
  const handler = layerHandler(consumer, message.type);
  if ('refused' in handler) {
    logError(
      `${consumer.constructor.name} dropped a channel layer message`,
      new Error(`${handler.refused}: a channel layer message of type ${JSON.stringify(message.type)} was dropped`),
    );
    return;
  }
  const delivery = deliveryOf(message);
  if (delivery === undefined) await handler.method.call(consumer, message);
  else await delivery.handle(() => handler.method.call(consumer, message));
}
