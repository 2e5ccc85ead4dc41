import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as status from '../../../lib/errors/status';
import { MemorySocket } from '../../../lib/testing/memory-socket';
import { WAIT, within } from '../../support/ws-client';

/** Frames cross on a later turn of the event loop; a few turns let everything in flight land. */
async function turns(count = 4): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Received {
  text: string;
  binary: boolean;
}

/** Records the messages an end emits. */
function record(socket: MemorySocket): Received[] {
  const received: Received[] = [];
  socket.on('message', (data: Buffer, binary: boolean) => received.push({ text: data.toString('utf8'), binary }));
  return received;
}

/** The next close event of an end, as [code, reason]. */
async function closeOf(socket: MemorySocket): Promise<[number, string]> {
  const [code, reason] = (await within(once(socket, 'close'), WAIT, 'a close event')) as [number, Buffer];
  return [code, reason.toString('utf8')];
}

describe("MemorySocket (the TestClient's in-memory pair)", () => {
  describe('messages', () => {
    it('cross to the other end on a later turn, keeping the text/binary flag', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const received = record(client);
      server.send('hi', { binary: false });
      server.send(Buffer.from([0xff, 0x00]), { binary: true });
      assert.equal(received.length, 0, 'delivered synchronously');
      const [data, binary] = (await within(once(client, 'message'), WAIT, 'a message')) as [Buffer, boolean];
      assert.deepEqual([data.toString('utf8'), binary], ['hi', false]);
      await turns();
      assert.deepEqual(
        received.map((m) => m.binary),
        [false, true],
      );
    });

    it('arrive in the order they were sent, both ways', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const atClient = record(client);
      const atServer = record(server);
      for (let i = 0; i < 5; i++) {
        server.send(`s${i}`, { binary: false });
        client.send(`c${i}`, { binary: false });
      }
      await turns();
      assert.deepEqual(
        atClient.map((m) => m.text),
        ['s0', 's1', 's2', 's3', 's4'],
      );
      assert.deepEqual(
        atServer.map((m) => m.text),
        ['c0', 'c1', 'c2', 'c3', 'c4'],
      );
    });

    it('copy what they carry, so the sender may reuse its buffer', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const received = record(client);
      const buffer = Buffer.from('abc');
      server.send(buffer, { binary: true });
      buffer.fill(0x7a);
      await turns();
      assert.deepEqual(received, [{ text: 'abc', binary: true }]);
    });
  });

  describe('the close handshake', () => {
    for (const [initiator, label] of [
      [0, 'the server'],
      [1, 'the client'],
    ] as const) {
      it(`started by ${label}: both ends emit close with its code and reason`, async () => {
        const pair = MemorySocket.pair(Infinity);
        const closer = pair[initiator];
        const other = pair[1 - initiator];
        const closes = Promise.all([closeOf(closer), closeOf(other)]);
        closer.close(4000, 'bye');
        assert.equal(closer.open, false, 'the closing end stops being open at once');
        assert.equal(other.open, true, 'the other end learns on a later turn');
        assert.deepEqual(await closes, [
          [4000, 'bye'],
          [4000, 'bye'],
        ]);
        assert.equal(other.open, false);
      });
    }

    it('started by both ends at once: each sees the code its peer sent', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const closes = Promise.all([closeOf(server), closeOf(client)]);
      server.close(4001, 'from server');
      client.close(4002, 'from client');
      assert.deepEqual(await closes, [
        [4002, 'from client'],
        [4001, 'from server'],
      ]);
    });

    it('delivers messages sent before the close frame, and nothing sent after it', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const received = record(client);
      const events: string[] = [];
      client.on('message', () => events.push('message'));
      client.on('close', () => events.push('close'));
      server.send('last words', { binary: false });
      server.close(1000, '');
      server.send('too late', { binary: false });
      await closeOf(client);
      assert.deepEqual(
        received.map((m) => m.text),
        ['last words'],
      );
      assert.deepEqual(events, ['message', 'close']);
      // A closed end ignores sends.
      const atServer = record(server);
      client.send('after close', { binary: false });
      await turns();
      assert.deepEqual(atServer, []);
    });

    it('emits close once, however often close() is called', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      let count = 0;
      server.on('close', () => count++);
      server.close(4000, 'one');
      server.close(4001, 'two');
      await closeOf(client);
      await turns();
      assert.equal(count, 1);
    });
  });

  describe('terminate()', () => {
    it('drops the connection: 1006 with no reason at once on this end, on a later turn on the peer', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const events: string[] = [];
      server.on('close', (code: number, reason: Buffer) => events.push(`server ${code} "${reason.toString()}"`));
      const peerClose = closeOf(client);
      server.terminate();
      assert.deepEqual(events, ['server 1006 ""']);
      assert.deepEqual(await peerClose, [status.WS_1006_ABNORMAL_CLOSURE, '']);
    });

    it('cuts short a close handshake in progress', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const closes = Promise.all([closeOf(server), closeOf(client)]);
      server.close(4000, 'bye');
      server.terminate();
      const [atServer] = await closes;
      assert.deepEqual(atServer, [status.WS_1006_ABNORMAL_CLOSURE, '']);
    });
  });

  describe('ping()', () => {
    it('is answered by a pong on the pinging end', async () => {
      const [server] = MemorySocket.pair(Infinity);
      const pong = once(server, 'pong');
      server.ping();
      await within(pong, WAIT, 'the pong');
    });

    it('sends nothing once closed', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      server.close(1000, '');
      await closeOf(client);
      let pongs = 0;
      server.on('pong', () => pongs++);
      server.ping();
      await turns();
      assert.equal(pongs, 0);
    });
  });

  describe('pause() and resume()', () => {
    it('hold incoming messages while paused and deliver them in order on resume', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const received = record(server);
      server.pause();
      client.send('a', { binary: false });
      client.send('b', { binary: true });
      await turns();
      assert.equal(received.length, 0);
      server.resume();
      assert.deepEqual(received, [
        { text: 'a', binary: false },
        { text: 'b', binary: true },
      ]);
      client.send('c', { binary: false });
      await turns();
      assert.deepEqual(
        received.map((m) => m.text),
        ['a', 'b', 'c'],
      );
    });

    it('keep a close frame behind the messages sent before it', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const events: string[] = [];
      server.on('message', (data: Buffer) => events.push(data.toString()));
      server.on('close', (code: number) => events.push(`close ${code}`));
      server.pause();
      client.send('one', { binary: false });
      client.send('two', { binary: false });
      client.close(4000, 'done');
      await turns();
      assert.deepEqual(events, []);
      server.resume();
      assert.deepEqual(events, ['one', 'two', 'close 4000']);
    });

    it('keep later frames behind those still held when a listener pauses again', async () => {
      const [server, client] = MemorySocket.pair(Infinity);
      const received: string[] = [];
      server.on('message', (data: Buffer) => {
        received.push(data.toString());
        if (received.length === 1) server.pause();
      });
      client.send('1', { binary: false });
      client.send('2', { binary: false });
      client.send('3', { binary: false });
      await turns();
      assert.deepEqual(received, ['1']);
      client.send('4', { binary: false });
      await turns();
      server.resume();
      assert.deepEqual(received, ['1', '2', '3', '4']);
    });
  });

  describe('maxPayload', () => {
    it('lets a message of exactly maxPayload bytes through', async () => {
      const [server, client] = MemorySocket.pair(4);
      const received = record(server);
      client.send('abcd', { binary: false });
      await turns();
      assert.deepEqual(received, [{ text: 'abcd', binary: false }]);
      assert.equal(server.open, true);
    });

    it('closes 1009 on a larger one, which is never emitted', async () => {
      const [server, client] = MemorySocket.pair(4);
      const received = record(server);
      const closes = Promise.all([closeOf(server), closeOf(client)]);
      client.send(Buffer.from('abcde'), { binary: true });
      const expected: [number, string] = [status.WS_1009_MESSAGE_TOO_BIG, 'Message too big'];
      assert.deepEqual(await closes, [expected, expected]);
      assert.deepEqual(received, []);
    });

    it('counts bytes, not characters', async () => {
      const [server, client] = MemorySocket.pair(4);
      const closed = closeOf(client);
      client.send('ééé', { binary: false }); // 3 characters, 6 bytes
      assert.deepEqual(await closed, [status.WS_1009_MESSAGE_TOO_BIG, 'Message too big']);
      assert.equal(server.open, false);
    });

    it('applies to what the server receives only', async () => {
      const [server, client] = MemorySocket.pair(4);
      const received = record(client);
      server.send('far more than four bytes', { binary: false });
      await turns();
      assert.deepEqual(
        received.map((m) => m.text),
        ['far more than four bytes'],
      );
    });
  });
});
