import { WebSocket } from '../components/web-socket';
import type { ChannelLayer, ChannelMessage } from './channel-layer';
import type { Connection } from './connection';
import { closeFrameFor } from './error-close';
import { handlerName, JsonWebsocketConsumer, type WebsocketConsumer } from './consumer';
import { ConfigurationError, WebSocketDisconnect } from './exceptions';
import type { BoundMethod } from './hook';
import { declaredTokens, inject } from './inject';
import { invoke } from './invoke';
import { parseJsonMessage } from './json-message';
import { MessageFrame } from './message-frame';
import type { PlanSite, Resolver } from './resolver';
import type { Handler } from './routes';
import { Token, type Provider } from './token';

const LIFECYCLE = ['connect', 'disconnect', 'receive', 'receiveJson'] as const;
type Lifecycle = (typeof LIFECYCLE)[number];

/** Wakes a consumer's layer loop when the connection ends. */
const STOP = 'starwire.consumer.stop';

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
 * messages in order.
 */
export function consumerHandler(
  consumerClass: new () => WebsocketConsumer,
  site: PlanSite,
  resolver: Resolver,
  layer: () => ChannelLayer,
): Handler {
  const plans = new Map<Lifecycle, BoundMethod['plan']>();
  const proto = consumerClass.prototype as Record<Lifecycle, (...args: never[]) => unknown>;
  for (const method of LIFECYCLE) {
    const fn = proto[method];
    if (typeof fn !== 'function') continue;
    const tokens = declaredTokens(fn, proto, method);
    if (!tokens) continue;
    const perMessage = method === 'receive' || method === 'receiveJson';
    plans.set(method, resolver.plan(tokens, `${consumerClass.name}.${method}`, { ...site, perMessage }));
  }
  const json = consumerClass.prototype instanceof JsonWebsocketConsumer;

  const run = async (ws: WebSocket, connection: Connection): Promise<void> => {
    const consumer = new consumerClass();
    const channels = layer();
    const call = (method: Lifecycle, fallback: unknown[], frame?: MessageFrame): unknown => {
      const fn = (consumer as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
      const plan = plans.get(method);
      return plan ? invoke({ fn, plan, self: consumer }, connection, frame) : fn.apply(consumer, fallback);
    };
    consumer.scope = connection.scope;
    consumer.channelLayer = channels;
    (consumer as unknown as { websocket: WebSocket }).websocket = ws;
    consumer.channelName = await channels.newChannel('consumer');
    const groups = [...consumer.groups];
    for (const group of groups) await channels.groupAdd(group, consumer.channelName);

    // One queue per connection: every task waits for the one before it.
    let tail: Promise<unknown> = Promise.resolve();
    let failure: unknown;
    const enqueue = (task: () => unknown): Promise<unknown> => {
      tail = tail.then(task).catch((error: unknown) => {
        failure ??= error;
        // Close with the code the error maps to; the main loop then sees the socket closed.
        const frame = closeFrameFor(error, connection.settings.debug);
        if (ws.connected) void ws.close(frame.code, frame.reason).catch(() => {});
      });
      return tail;
    };

    let stopped = false;
    const layerLoop = (async () => {
      while (!stopped) {
        let message: ChannelMessage;
        try {
          message = await channels.receive(consumer.channelName);
        } catch {
          return;
        }
        if (stopped || message.type === STOP) return;
        void enqueue(() => dispatch(consumer, message));
      }
    })();

    try {
      await enqueue(() => call('connect', []));
      if (failure) throw failure;
      if (!ws.connected) return;
      for (;;) {
        let received;
        try {
          received = await ws.receiveMessage();
        } catch (error) {
          if (error instanceof WebSocketDisconnect) break;
          throw error;
        }
        await enqueue(() => {
          if (!json) {
            const frame = new MessageFrame(received.data, received.data);
            return received.type === 'text' ? call('receive', [received.data, undefined], frame) : call('receive', [undefined, received.data], frame);
          }
          const text = typeof received.data === 'string' ? received.data : received.data.toString('utf8');
          const content = parseJsonMessage(text);
          return call('receiveJson', [content], new MessageFrame(content, text));
        });
        if (failure) throw failure;
      }
    } finally {
      stopped = true;
      await channels.send(consumer.channelName, { type: STOP }).catch(() => {});
      await layerLoop;
      await enqueue(() => call('disconnect', [ws.closeCode ?? 1006]));
      for (const group of groups) await channels.groupDiscard(group, consumer.channelName).catch(() => {});
    }
    if (failure) throw failure;
  };
  return inject([WebSocket, CurrentConnection], run);
}

async function dispatch(consumer: WebsocketConsumer, message: ChannelMessage): Promise<void> {
  const name = handlerName(message.type);
  const method = (consumer as unknown as Record<string, unknown>)[name];
  if (typeof method !== 'function') {
    throw new ConfigurationError(`${consumer.constructor.name} has no method ${name}() for channel layer messages of type "${message.type}"`);
  }
  await (method as (event: ChannelMessage) => unknown).call(consumer, message);
}
