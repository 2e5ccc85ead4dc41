/**
 * The WebSocket servers `bench/ws-echo.ts` and `bench/ws-idle.ts` compare, each on its own
 * `node:http` server at 127.0.0.1, path `/echo`:
 *
 * - `starwire`: a handler that injects `WebSocket` and an `Echo` component (built once per
 *   connection), behind one app hook whose `onRequest` injects `Scope` and stamps
 *   `scope.state`. It accepts, then `for await`s messages, answering each with
 *   `JSON.stringify(JSON.parse(text))`. Settings are Starwire's defaults (heartbeat on)
 *   unless `--heartbeat 0` is passed.
 * - `starwire-messages`: the same echo as a message handler (it injects `Message()` and `Echo`
 *   and returns the reply), behind the same hook: the connection is accepted for it, and it runs
 *   once per message with no loop of its own.
 * - `starwire-metrics`: the same app with Prometheus metrics on (`metrics: true`), to price them.
 * - `ws`: a plain `WebSocketServer` doing the same per connection (a state object, an `Echo`)
 *   and the same JSON parse + stringify per message.
 *
 * With `--handler idle` (for ws-idle) the handlers do the least a typical idle handler does:
 * Starwire's injects only `WebSocket`, accepts and `for await`s messages, ignoring them
 * (`starwire-messages`: a message handler that injects `Message()` and returns nothing); `ws`'s
 * adds a `message` and an `error` listener. No hook, no component.
 *
 * Run one: `node dist/bench/support/ws-servers.js <starwire|starwire-metrics|ws> [--port 0] [--heartbeat ms] [--handler echo|idle]`.
 * Forked, it speaks child-server.ts's IPC protocol (plus `'memory'`, answered with
 * `{ memory }` measured after full GCs when run with `--expose-gc`); run by hand, it prints
 * its URL.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import type { SettingsInput } from '../../index';
import { App, component, inject, Message, Scope, WebSocket, WebSocketRoute } from '../../index';
import { serveChildProtocol } from './child-server';

/** The systems ws-idle compares. */
export const WS_SYSTEMS = ['starwire', 'starwire-messages', 'ws'] as const;
/** The systems ws-echo compares: `starwire-metrics` is the Starwire app with Prometheus metrics on (`metrics: true`), to price them. */
export const ECHO_SYSTEMS = ['starwire', 'starwire-messages', 'starwire-metrics', 'ws'] as const;
export type WsSystem = (typeof ECHO_SYSTEMS)[number];
export const WS_PATH = '/echo';

export function isWsSystem(name: string): name is WsSystem {
  return (ECHO_SYSTEMS as readonly string[]).includes(name);
}

/** What `'memory'` answers: `process.memoryUsage()` after full garbage collections. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** False when the process was started without `--expose-gc` (numbers include garbage). */
  collected: boolean;
}

/** The per-connection service both systems build, so each pays for one object per connection. */
export class Echo {
  reply(value: unknown): unknown {
    return value;
  }
}

/** The one hook: records when the connection was opened in the per-connection state bag. */
class StampConnection {
  @inject([Scope])
  onRequest(scope: Scope): void {
    scope.state.openedAt = Date.now();
  }
}

function textOf(message: string | Buffer): string {
  return typeof message === 'string' ? message : message.toString('utf8');
}

export type WsHandler = 'echo' | 'idle';

async function starwire(
  port: number,
  heartbeat: number | undefined,
  kind: WsHandler,
  metrics: boolean,
  messages: boolean,
): Promise<Server> {
  const settings = heartbeat === undefined ? {} : { websocket: { heartbeatInterval: heartbeat } };
  if (kind === 'idle' && messages) {
    const ignore = inject([Message()], () => undefined);
    return new App({ routes: [new WebSocketRoute(WS_PATH, ignore)], settings, metrics }).listen(port, '127.0.0.1');
  }
  if (messages) return messageEchoApp(settings).listen(port, '127.0.0.1');
  if (kind === 'idle') {
    const idle = inject([WebSocket], async (ws) => {
      await ws.accept();
      for await (const message of ws) void message;
    });
    return new App({ routes: [new WebSocketRoute(WS_PATH, idle)], settings, metrics }).listen(port, '127.0.0.1');
  }
  return echoApp(settings, metrics).listen(port, '127.0.0.1');
}

/** The Starwire echo server's app; `bench/workers.ts` serves it with `starwire serve`. */
export function starwireEchoApp(): App {
  return echoApp({}, false);
}

function echoApp(settings: SettingsInput, metrics: boolean): App {
  const echo = component(Echo, [], () => new Echo(), { scope: 'request' });
  const handler = inject([WebSocket, Echo], async (ws, echo) => {
    await ws.accept();
    for await (const message of ws) await ws.sendJson(echo.reply(JSON.parse(textOf(message))));
  });
  return new App({
    routes: [new WebSocketRoute(WS_PATH, handler)],
    components: [echo],
    hooks: [StampConnection],
    settings,
    metrics,
  });
}

/** The echo as a message handler: the same component and hook, the reply returned. */
function messageEchoApp(settings: SettingsInput): App {
  const echo = component(Echo, [], () => new Echo(), { scope: 'request' });
  const handler = inject([Message(), Echo], (message, echo) => echo.reply(message));
  return new App({ routes: [new WebSocketRoute(WS_PATH, handler)], components: [echo], hooks: [StampConnection], settings });
}

function ws(port: number, kind: WsHandler): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
  });
  // Starwire's defaults for the options that matter here: 1 MiB max payload, no compression.
  const wss = new WebSocketServer({ server, path: WS_PATH, maxPayload: 1024 * 1024, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    if (kind === 'idle') {
      socket.on('message', () => {});
      socket.on('error', () => {});
      return;
    }
    const state = { openedAt: Date.now() };
    const echo = new Echo();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      socket.send(JSON.stringify(echo.reply(JSON.parse(data.toString('utf8')))));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      state.openedAt = 0;
    });
  });
  wss.on('error', () => {});
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** `process.memoryUsage()` after full GCs (when run with `--expose-gc`), for the `'memory'` IPC message. */
export async function memory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Several passes with turns of the event loop between, so weak callbacks and finalizers run.
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { ...process.memoryUsage(), collected: gc !== undefined };
}

async function run(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '0' }, heartbeat: { type: 'string' }, handler: { type: 'string', default: 'echo' } },
  });
  const kind = values.handler;
  if (kind !== 'echo' && kind !== 'idle') throw new Error(`--handler must be echo or idle, got ${kind}`);
  const system = positionals[0] ?? '';
  if (!isWsSystem(system)) throw new Error(`usage: ws-servers.js <${ECHO_SYSTEMS.join('|')}> [--port 0] [--heartbeat ms]`);
  const heartbeat = values.heartbeat === undefined ? undefined : Number(values.heartbeat);
  const port0 = Number(values.port);
  const server =
    system === 'ws'
      ? await ws(port0, kind)
      : await starwire(port0, heartbeat, kind, system === 'starwire-metrics', system === 'starwire-messages');
  const port = (server.address() as AddressInfo).port;
  if (process.send) {
    process.on('message', (message) => {
      if (message !== 'memory') return;
      void memory().then((sample) => process.send?.({ memory: sample }));
    });
    serveChildProtocol(port);
  } else {
    console.log(`${system} listening on ws://127.0.0.1:${port}${WS_PATH}`);
  }
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
