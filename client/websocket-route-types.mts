/**
 * What a typed `StarwireClient` reads off a `WebSocketRoute`'s type: the messages it may send
 * (the route's `Message(schema)` type, or what a consumer's `receiveJson` takes) and those it
 * receives (the route's `sends` schemas). Types only, imported from the server with `import type`.
 */
import type { MessageToken } from '../components/message.js';
import type { InjectedTokens } from '../lib/inject/inject.js';
import type { FromSchema } from '../lib/inject/schema.js';
import type { WebSocketRoute } from '../lib/routing/routes.js';
import type { ServerMessage } from './options.mjs';

/** The message type of a handler's `Message(schema)` token; `unknown` without one. */
type HandlerMessage<H> = [Extract<InjectedTokens<H>[number], MessageToken<unknown>>] extends [MessageToken<infer T>] ? T : unknown;

/** What a consumer's `receiveJson(content)` declares it takes; `unknown` when it does not say. */
type ConsumerMessage<C> = C extends abstract new (
  ...args: never[]
) => { receiveJson(content: infer T, ...rest: never[]): unknown }
  ? [T] extends [never]
    ? unknown
    : T
  : unknown;

/** The union of a route's `sends` schemas' types; `ServerMessage` for a route that declares none. */
type SentByRoute<O> = O extends { readonly sends: infer Sends } ? { [K in keyof Sends]: FromSchema<Sends[K]> }[keyof Sends] : ServerMessage;

/**
 * What a client of `Of` receives: for a `WebSocketRoute` type, the union of its `sends`
 * schemas' types (a route that declares none: any JSON object); for another type, that type.
 *
 * @example
 * type In = ReceivedFrom<typeof chatRoute>;   // { type: 'message'; ... } | { type: 'presence'; ... } | ...
 */
export type ReceivedFrom<Of> = Of extends WebSocketRoute<string, infer _H, infer O> ? SentByRoute<O> : Of;

/**
 * What a client of `Of` may send: for a `WebSocketRoute` type, its handler's `Message(schema)`
 * type or its consumer's `receiveJson` parameter type; for another type, anything (`unknown`).
 *
 * @example
 * type Out = SentTo<typeof echoRoute>;   // { text: string }
 */
export type SentTo<Of> =
  Of extends WebSocketRoute<string, infer H, infer _O>
    ? H extends abstract new (
        ...args: never[]
      ) => object
      ? ConsumerMessage<H>
      : HandlerMessage<H>
    : unknown;

/**
 * What `request()` resolves to by default: for a `WebSocketRoute` type, one of the messages it
 * sends; for another type, any JSON object (as before typing by route).
 */
export type RepliesFrom<Of> = Of extends WebSocketRoute<string, infer _H, infer O> ? SentByRoute<O> : ServerMessage;

/**
 * What `request()` takes: what `send()` takes, when its type has room for the `requestId` that
 * `request()` adds; `never` for a route whose schema would refuse it (the server would close
 * with 1007). An untyped client takes any object.
 */
export type RequestTo<Of> = unknown extends SentTo<Of> ? object : 'requestId' extends keyof SentTo<Of> ? SentTo<Of> & object : never;
