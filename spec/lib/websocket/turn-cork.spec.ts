import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { corkForThisTurn, flushIfFull, flushNow } from '../../../lib/websocket/turn-cork';

/** A connected TCP pair over 127.0.0.1, and how many writes (syscall batches) the server side made. */
async function tcpPair(): Promise<{ server: Server; near: Socket; far: Socket; writes: () => number; received: () => Buffer }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const far = connect((server.address() as { port: number }).port, '127.0.0.1');
  const [near] = (await accepted) as [Socket];
  let writes = 0;
  const plain = near._write.bind(near);
  const vector = near._writev?.bind(near);
  near._write = (chunk, encoding, callback) => {
    writes++;
    plain(chunk, encoding, callback);
  };
  near._writev = (chunks, callback) => {
    writes++;
    vector?.(chunks, callback);
  };
  const chunks: Buffer[] = [];
  far.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { server, near, far, writes: () => writes, received: () => Buffer.concat(chunks) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), 'timed out');
}

describe('turn-cork: sends of one event-loop turn leave in one write per socket', () => {
  let pair: Awaited<ReturnType<typeof tcpPair>>;
  beforeEach(async () => {
    pair = await tcpPair();
  });
  afterEach(() => {
    pair.near.destroy();
    pair.far.destroy();
    pair.server.close();
  });

  it('coalesces the small writes of one turn into one, written at the end of the turn', async () => {
    for (let i = 0; i < 10; i++) {
      corkForThisTurn(pair.near, 10);
      pair.near.write(Buffer.from(`m${i};`));
    }
    assert.equal(pair.writes(), 0);
    await nextTurn();
    assert.equal(pair.writes(), 1);
    await until(() => pair.received().length === 30);
    assert.equal(pair.received().toString(), Array.from({ length: 10 }, (_, i) => `m${i};`).join(''));
  });

  it('does not cork for a large message, which is written at once', () => {
    assert.equal(corkForThisTurn(pair.near, 16 * 1024), undefined);
    pair.near.write(Buffer.alloc(16 * 1024));
    assert.equal(pair.writes(), 1);
  });

  it('flushes early once 64 KiB are held, so a burst never looks like a slow reader', () => {
    const socket = corkForThisTurn(pair.near, 100);
    pair.near.write(Buffer.alloc(60 * 1024));
    flushIfFull(socket);
    assert.equal(pair.writes(), 0);
    pair.near.write(Buffer.alloc(8 * 1024));
    flushIfFull(socket);
    assert.equal(pair.writes(), 1);
    assert.equal(pair.near.writableCorked, 0);
  });

  it('leaves a socket someone else corked alone', async () => {
    pair.near.cork();
    assert.equal(corkForThisTurn(pair.near, 10), undefined);
    await nextTurn();
    assert.equal(pair.near.writableCorked, 1);
    pair.near.uncork();
  });

  it('flushNow writes what is held before a destroy would discard it', async () => {
    corkForThisTurn(pair.near, 10);
    pair.near.write(Buffer.from('last words'));
    flushNow(pair.near);
    pair.near.destroy();
    await until(() => pair.received().toString() === 'last words');
  });
});

describe('turn-cork through a WebSocket over a real socket', () => {
  let server: import('node:http').Server | undefined;
  afterEach(() => server?.close());

  it('delivers every reply of one turn in order, and a send just before terminate() still arrives', async () => {
    const handler = inject([WebSocket], async (ws) => {
      await ws.accept();
      for (let i = 0; i < 20; i++) void ws.sendText(`n${i}`);
      ws.terminate();
    });
    const app = new App({ routes: [new WebSocketRoute('/burst', handler)], settings: { websocket: { heartbeatInterval: 0 } } });
    server = await app.listen(0, '127.0.0.1');
    const client = new WsClient(`ws://127.0.0.1:${App.portOf(server)}/burst`);
    const got: string[] = [];
    client.on('message', (data: Buffer) => got.push(data.toString()));
    client.on('error', () => {});
    const [code] = (await once(client, 'close')) as [number];
    assert.deepEqual(
      got,
      Array.from({ length: 20 }, (_, i) => `n${i}`),
    );
    assert.equal(code, 1006);
  });
});
