/**
 * The WebSocket servers bench/ws-handshake.ts compares, each on its own `node:http` server at
 * 127.0.0.1, path `/hello`, each echoing every text message back as it came:
 *
 * - `starwire`: one `WebSocketRoute` whose handler injects `WebSocket`, accepts, and `for await`s
 *   messages, sending each back. Starwire's default settings (heartbeat on, handshake timeout).
 * - `ws`: a plain `WebSocketServer` (1 MiB max payload, no compression, as Starwire's defaults)
 *   with a `message` listener that sends the data back, and an `error` listener.
 *
 * Run one: `node dist/bench/support/handshake-servers.js <starwire|ws> [--port 0]`. Forked, it
 * speaks child-server.ts's IPC protocol, plus `'memory'` (answered with `{ memory }`, measured
 * after full GCs when run with `--expose-gc`) and `'count'` (answered with `{ count }`, the
 * connections the server has accepted so far); run by hand, it prints its URL.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { App, inject, WebSocket, WebSocketRoute } from '../../index';
import { serveChildProtocol } from './child-server';
import { memory } from './ws-servers';

export const HANDSHAKE_SYSTEMS = ['starwire', 'ws'] as const;
export type HandshakeSystem = (typeof HANDSHAKE_SYSTEMS)[number];
export const HANDSHAKE_PATH = '/hello';

let accepted = 0;

function starwire(port: number): Promise<Server> {
  const hello = inject([WebSocket], async (ws) => {
    await ws.accept();
    accepted++;
    for await (const message of ws) await ws.send(message);
  });
  return new App({ routes: [new WebSocketRoute(HANDSHAKE_PATH, hello)] }).listen(port, '127.0.0.1');
}

function ws(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
  });
  const wss = new WebSocketServer({ server, path: HANDSHAKE_PATH, maxPayload: 1024 * 1024, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    accepted++;
    socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => {});
  });
  wss.on('error', () => {});
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function run(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '0' } } });
  const system = positionals[0] ?? '';
  if (!(HANDSHAKE_SYSTEMS as readonly string[]).includes(system)) {
    throw new Error(`usage: handshake-servers.js <${HANDSHAKE_SYSTEMS.join('|')}> [--port 0]`);
  }
  const port0 = Number(values.port);
  const server = system === 'ws' ? await ws(port0) : await starwire(port0);
  const port = (server.address() as AddressInfo).port;
  if (!process.send) {
    console.log(`${system} listening on ws://127.0.0.1:${port}${HANDSHAKE_PATH}`);
    return;
  }
  process.on('message', (message) => {
    if (message === 'memory') void memory().then((sample) => process.send?.({ memory: sample }));
    if (message === 'count') process.send?.({ count: accepted });
  });
  serveChildProtocol(port);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
