import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { WebSocketServer, WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { skipRepeatedEnds } from '../../../lib/websocket/repeated-end';
import { deferred, WAIT, within } from '../../support/ws-client';

/** A writable that keeps nothing. */
function sink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * Records every argument-less `end()` that reaches Node's own `end()` (of any writable, and of
 * `net.Socket`) on a stream that had already ended: each one builds and drops an error.
 */
function watchRepeatedEnds(): { repeats: Writable[]; restore(): void } {
  const repeats: Writable[] = [];
  const writableEnd = Writable.prototype.end;
  const socketEnd = Socket.prototype.end;
  type End = (this: Writable, ...args: unknown[]) => Writable;
  const watched = (original: End): End =>
    function watchedEnd(this: Writable, ...args: unknown[]): Writable {
      if (args.length === 0 && this.writableEnded) repeats.push(this);
      return original.apply(this, args);
    };
  Writable.prototype.end = watched(writableEnd as End) as Writable['end'];
  Socket.prototype.end = watched(socketEnd as End) as Socket['end'];
  return {
    repeats,
    restore: () => {
      Writable.prototype.end = writableEnd;
      Socket.prototype.end = socketEnd;
    },
  };
}

/** The streams among `streams` that belong to a server-side ws connection, found through ws's own symbol. */
function serverSide(streams: readonly Writable[]): string[] {
  return streams
    .filter((stream) => {
      const key = Object.getOwnPropertySymbols(stream).find((symbol) => symbol.description === 'websocket');
      const owner = key === undefined ? undefined : (stream as unknown as Record<symbol, { _isServer?: boolean }>)[key];
      return owner?._isServer === true;
    })
    .map((stream) => stream.constructor.name);
}

/** Opens, echoes one message and closes from the client, then waits for the server's TCP close. */
async function connectEchoClose(port: number, serverClosed: Promise<unknown>): Promise<void> {
  const client = new WsClient(`ws://127.0.0.1:${port}/echo`);
  await within(once(client, 'open'), WAIT, 'open');
  client.send('hi');
  const [echo] = (await within(once(client, 'message'), WAIT, 'the echo')) as [Buffer];
  assert.equal(String(echo), 'hi');
  client.close(1000);
  await within(once(client, 'close'), WAIT, 'the client close');
  await within(serverClosed, WAIT, 'the server-side close');
  // The server socket's 'end' and 'close' follow the client's FIN within a turn or two.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('repeated ends (lib/websocket/repeated-end.ts)', () => {
  it('a second argument-less end() on an ended stream returns the stream without reaching its own end()', async () => {
    const stream = sink();
    skipRepeatedEnds(stream);
    const watch = watchRepeatedEnds();
    try {
      stream.end();
      await once(stream, 'finish');
      assert.equal(stream.end(), stream);
      assert.equal(stream.end(), stream);
      assert.deepEqual(watch.repeats, []);
    } finally {
      watch.restore();
    }
  });

  it('an end() with a callback or a chunk still goes to the stream, with the same error as before', async () => {
    const stream = sink();
    skipRepeatedEnds(stream);
    stream.end();
    await once(stream, 'finish');
    const error = await new Promise<Error | null | undefined>((resolve) => stream.end(resolve));
    assert.equal((error as NodeJS.ErrnoException | null)?.code, 'ERR_STREAM_ALREADY_FINISHED');
    const written = sink();
    skipRepeatedEnds(written);
    const chunks: string[] = [];
    written._write = (chunk: Buffer, _encoding, done) => {
      chunks.push(String(chunk));
      done();
    };
    written.end('last');
    await once(written, 'finish');
    assert.deepEqual(chunks, ['last']);
  });

  it('leaves alone what has no end()', () => {
    assert.doesNotThrow(() => skipRepeatedEnds(undefined));
    assert.doesNotThrow(() => skipRepeatedEnds({}));
  });

  describe('over a real socket: connect, one message, close from the client', () => {
    let server: Server | undefined;
    afterEach(async () => {
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
      server = undefined;
    });

    it("Starwire's connections reach no end() on an ended socket or receiver", async () => {
      const closed = deferred<void>();
      const echo = inject([WebSocket], async (ws) => {
        await ws.accept();
        for await (const message of ws) await ws.send(message);
        closed.resolve();
      });
      const app = new App({ routes: [new WebSocketRoute('/echo', echo)] });
      server = await app.listen(0, '127.0.0.1');
      const watch = watchRepeatedEnds();
      try {
        await connectEchoClose((server.address() as AddressInfo).port, closed.promise);
      } finally {
        watch.restore();
      }
      assert.deepEqual(serverSide(watch.repeats), []);
    });

    it('a plain ws server does reach them (what the wrapping saves)', async () => {
      server = createServer();
      const wss = new WebSocketServer({ server, path: '/echo', perMessageDeflate: false });
      const closed = deferred<void>();
      wss.on('connection', (socket) => {
        socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
        socket.on('close', () => closed.resolve());
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const watch = watchRepeatedEnds();
      try {
        await connectEchoClose((server.address() as AddressInfo).port, closed.promise);
      } finally {
        watch.restore();
      }
      const repeats = serverSide(watch.repeats);
      assert.ok(repeats.length >= 1, `ws ends an ended receiver or socket at least once per close; saw ${repeats.join(', ') || 'none'}`);
    });
  });
});
