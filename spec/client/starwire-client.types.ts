/**
 * Compile-time checks of `StarwireClient` typed by a route. Part of the build: a regression
 * leaves an `@ts-expect-error` unused or fails an `Equal` check. Nothing here runs.
 */
import type { ServerMessage, StarwireClient } from '../../client/index.mjs';
import { Message } from '../../components/message';
import { JsonWebSocketConsumer } from '../../lib/channels/consumer';
import { inject } from '../../lib/inject/inject';
import { WebSocketRoute } from '../../lib/routing/routes';
import type { ChatRoute } from '../../samples/chat/app';
import type { echoJsonRoute } from '../../samples/echo/app';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

declare const echo: StarwireClient<typeof echoJsonRoute>;

export async function echoSample(): Promise<void> {
  echo.send({ text: 'hi' });
  // @ts-expect-error text is a string
  echo.send({ text: 1 });
  // @ts-expect-error the schema allows no other properties
  echo.send({ text: 'hi', loud: true });
  // @ts-expect-error text is required
  echo.send({});
  // Listeners receive the route's `sends`.
  echo.on('message', (reply) => expectType<Equal<typeof reply, { echo: string }>>());
  // @ts-expect-error the schema has no room for the requestId that request() adds (the server would close with 1007)
  await echo.request({ text: 'hi' });
}

declare const chat: StarwireClient<ChatRoute>;

export function chatSample(): void {
  chat.send({ type: 'join', room: 'lobby' });
  // Chat commands carry a requestId: request() is fine.
  void chat.request({ type: 'join', room: 'lobby' });
  // @ts-expect-error no such command
  chat.send({ type: 'jump', room: 'lobby' });
  // @ts-expect-error every command has a type
  chat.send({ room: 'lobby' });
  // @ts-expect-error a command is an object
  chat.send('join lobby');
  // The chat declares what it sends: listeners get those messages, told apart by `type`.
  chat.on('message', (message) => {
    expectType<Equal<Equal<typeof message, ServerMessage>, false>>();
    // @ts-expect-error the chat sends no such message
    if (message.type === 'nonsense') return;
  });
}

// A consumer's receiveJson parameter types what a client sends.
class Counter extends JsonWebSocketConsumer {
  override async receiveJson(content: { add: number } | { reset: true }): Promise<void> {
    await this.sendJson({ type: 'count', content });
  }
}
const counterRoute = new WebSocketRoute('/count', Counter, {
  sends: { count: { type: 'object', properties: { type: { const: 'count' }, value: { type: 'integer' } }, required: ['type', 'value'] } },
});
declare const counter: StarwireClient<typeof counterRoute>;

export function consumerRoute(): void {
  counter.send({ add: 2 });
  counter.send({ reset: true });
  // @ts-expect-error add is a number
  counter.send({ add: '2' });
  counter.on('message', (message) => expectType<Equal<typeof message, { [x: string]: unknown; type: 'count'; value: number }>>());
}

// Message() without a schema takes any JSON, as an untyped client does.
const owner = new WebSocketRoute(
  '/raw',
  inject([Message()], () => undefined),
);
declare const raw: StarwireClient<typeof owner>;
declare const untyped: StarwireClient;

export function untypedUse(): void {
  raw.send('text');
  untyped.send(42);
  untyped.on('message', (message) => expectType<Equal<typeof message, ServerMessage>>());
}
