/**
 * What the client specs share: the ES module loaded the way a CommonJS program loads it (a real
 * dynamic `import()`), a waiter for client events, and a small Starwire app built to exercise
 * the wire conventions the chat does not (slow replies, silence, closes on request).
 */
import type { Server } from 'node:http';
import { WebSocket as WsWebSocket } from 'ws';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { WebSocketRoute } from '../../lib/routing/routes';
import { within } from '../support/ws-client';

export type ClientModule = typeof import('../../client/index.mjs');
export type Client = import('../../client/index.mjs').StarwireClient;
export type Events = import('../../client/index.mjs').ClientEvents;

/** The compiled client, dist/client/index.mjs, through `import()` (TypeScript keeps it one in CommonJS output). */
export function loadClient(): Promise<ClientModule> {
  return import('../../client/index.mjs');
}

/** `ws`'s constructor, as Node programs pass it. */
export const NodeWebSocket = WsWebSocket;

/** Default bound on every wait in the client specs, in ms. */
export const WAIT = 3000;

/** The next `event` whose payload passes `test`, within `timeout` ms. */
export function next<E extends keyof Events>(
  client: Client,
  event: E,
  test: (payload: Events[E]) => boolean = () => true,
  timeout = WAIT,
): Promise<Events[E]> {
  let off: () => void = () => undefined;
  const seen = new Promise<Events[E]>((resolve) => {
    off = client.on(event, (payload) => {
      if (!test(payload)) return;
      off();
      resolve(payload);
    });
  });
  return within(seen, timeout, `the client's '${String(event)}' event`).finally(off);
}

/** Every payload of `event` from now on, in order. */
export function record<E extends keyof Events>(client: Client, event: E): Events[E][] {
  const seen: Events[E][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What the wire app saw, for specs to assert on. */
export interface WireLog {
  connections: number;
  pings: number;
  subprotocols: (readonly string[])[];
  /** The `history` requests received, as sent. */
  historyRequests: Record<string, unknown>[];
  /** What a `history` request is answered with: these messages after its `after` (all, and incomplete, for another epoch), and the newest id as `last`. */
  history: { readonly id: string; readonly [field: string]: unknown }[];
  /** Sent at once when a `history` request arrives, before its reply, which waits `historyDelay` ms. */
  liveDuringHistory: unknown[];
  historyDelay: number;
}

/**
 * `/rpc` accepts (with the first offered subprotocol) and answers, per message:
 * `ping` → `pong`; `echo` {value, delay?} → `echo` {value, replyTo} after `delay` ms, so replies
 * can overtake each other; `push` {messages} → each message as is; `history` → what the log
 * says (live messages first, the reply later); `garbage` → a line that is not JSON; `close` {code} → closes with it; anything else → no answer.
 * `/mute` accepts and reads, and never says a word. `/overloaded` accepts and at once closes with 1013.
 */
export function wireApp(log: WireLog): App {
  const rpc = inject([WebSocket], async (ws: WebSocket) => {
    log.connections++;
    log.subprotocols.push(ws.subprotocols);
    await ws.accept(ws.subprotocols[0]);
    for await (const data of ws) {
      const message = JSON.parse(String(data)) as {
        type: string;
        requestId?: number;
        value?: unknown;
        delay?: number;
        code?: number;
        messages?: unknown[];
        after?: string;
        room?: string;
        channel?: string;
      };
      const replyTo = message.requestId;
      switch (message.type) {
        case 'ping':
          log.pings++;
          await ws.sendJson(replyTo === undefined ? { type: 'pong' } : { type: 'pong', replyTo });
          break;
        case 'echo':
          setTimeout(() => void ws.sendJson({ type: 'echo', value: message.value, replyTo }).catch(() => undefined), message.delay ?? 0);
          break;
        case 'push':
          for (const item of message.messages ?? []) await ws.sendJson(item);
          break;
        case 'history': {
          log.historyRequests.push(message);
          for (const live of log.liveDuringHistory) await ws.sendJson(live);
          // Ids are `<epoch>:<offset>`: a reader of another epoch gets all of this one, and complete: false.
          const [epoch, offset] = String(message.after).split(':');
          const kept = log.history.filter((entry) => entry.room === message.room && message.room !== undefined);
          const sameEpoch = kept.length === 0 || kept[0].id.split(':')[0] === epoch;
          const messages = kept.filter((entry) => !sameEpoch || Number(entry.id.split(':')[1]) > Number(offset));
          const last = kept.at(-1)?.id;
          const reply = {
            type: 'history',
            room: message.room,
            channel: message.channel,
            after: message.after,
            messages,
            complete: sameEpoch,
            last,
            replyTo,
          };
          setTimeout(() => void ws.sendJson(reply).catch(() => undefined), log.historyDelay);
          break;
        }
        case 'garbage':
          await ws.sendText('this is not JSON');
          break;
        case 'close':
          await ws.close(message.code ?? 1000);
          return;
      }
    }
  });
  const mute = inject([WebSocket], async (ws: WebSocket) => {
    log.connections++;
    await ws.accept();
    for await (const data of ws) if (String(data).includes('"ping"')) log.pings++;
  });
  const overloaded = inject([WebSocket], async (ws: WebSocket) => {
    log.connections++;
    await ws.accept();
    await ws.close(1013, 'try again later');
  });
  return new App({
    routes: [new WebSocketRoute('/rpc', rpc), new WebSocketRoute('/mute', mute), new WebSocketRoute('/overloaded', overloaded)],
  });
}

/** A wire app listening on 127.0.0.1 (port 0 unless given), with its log and `ws://` base URL. */
export async function startWireApp(port = 0): Promise<{ app: App; server: Server; log: WireLog; url: string; port: number }> {
  const log: WireLog = {
    connections: 0,
    pings: 0,
    subprotocols: [],
    historyRequests: [],
    history: [],
    liveDuringHistory: [],
    historyDelay: 0,
  };
  const app = wireApp(log);
  const server = await app.listen(port, '127.0.0.1');
  const bound = App.portOf(server);
  return { app, server, log, url: `ws://127.0.0.1:${bound}`, port: bound };
}
