import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from '../../lib/app';
import { WebSocketDisconnect } from '../../lib/errors/exceptions';
import { TestClient } from '../../lib/testing/test-client';
import { chatApplication, createApp, output, protocolTypeApp, websocketUrlpatterns } from '../../samples/channels/consumers';
import { forEachTransport, liveTransport, type Peer, type Transport, testTransport, WAIT, within } from '../support/ws-client';

/** What the examples printed, awaitable line by line. */
class Printed {
  readonly lines: string[] = [];
  private wake: (() => void) | undefined = undefined;

  add(line: string): void {
    this.lines.push(line);
    this.wake?.();
  }

  /** Waits (bounded) until `line` has been printed. */
  async until(line: string): Promise<void> {
    const seen = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.lines.includes(line)) resolve();
      };
      this.wake = check;
      check();
    });
    await within(seen, WAIT, `the line ${JSON.stringify(line)} (printed: ${JSON.stringify(this.lines)})`);
  }
}

let printed = new Printed();
const print = output.print;

/** Asserts the server closed with `code` (after any messages still queued). */
async function expectClose(peer: Peer, code: number): Promise<void> {
  let error: unknown;
  try {
    for (;;) await peer.receive();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof WebSocketDisconnect, `expected a close ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `close reason: ${error.reason}`);
}

/** Asserts that `peer` has nothing more to read: the next thing it gets is the reply to a probe. */
async function nothingPendingFor(peer: Peer, probe: () => void, reply: unknown): Promise<void> {
  probe();
  assert.deepEqual(await peer.receiveJson(), reply);
}

/** `transport`'s kind of connection to another app, closed after `scenario`. */
async function onApp(like: Transport, app: App, scenario: (transport: Transport, app: App) => Promise<void>): Promise<void> {
  try {
    await scenario(like.name === 'TestClient' ? testTransport(app) : liveTransport(await app.listen(0)), app);
  } finally {
    await within(app.close(), WAIT, 'app.close()');
  }
}

describe('samples/channels (the Django Channels seed, translated)', () => {
  beforeEach(() => {
    printed = new Printed();
    output.print = (line) => printed.add(line);
  });
  afterEach(() => {
    output.print = print;
  });

  forEachTransport(createApp, (transport) => {
    describe('basic consumer (EchoConsumer)', () => {
      it('echoes text as "Echo: ..." and bytes as bytes, printing connect, receive and disconnect', async () => {
        const peer = await transport().open('/ws/echo/');
        peer.send('hello');
        peer.send(Buffer.from([1, 2, 3]));
        assert.equal(await peer.receive(), 'Echo: hello');
        assert.deepEqual(await peer.receive(), Buffer.from([1, 2, 3]));
        assert.equal((await peer.close(4000)).code, 4000);
        await printed.until('Client disconnected with code 4000');
        assert.deepEqual(printed.lines, ['Client connected', 'Received: hello', 'Received: 3 bytes', 'Client disconnected with code 4000']);
      });
    });

    describe('async consumer (AsyncEchoConsumer)', () => {
      it('echoes each message in order and prints the close code', async () => {
        const peer = await transport().open('/ws/echo/async/');
        for (const text of ['one', 'two', 'three']) peer.send(text);
        for (const text of ['one', 'two', 'three']) assert.equal(await peer.receive(), `Echo: ${text}`);
        await peer.close(1000);
        await printed.until('Client disconnected with code 1000');
      });
    });

    describe('JSON consumer (JsonChatConsumer)', () => {
      it('welcomes the client, answers chat.message, and ignores other types', async () => {
        const peer = await transport().open('/ws/json/');
        assert.deepEqual(await peer.receiveJson(), { type: 'welcome', message: 'Connected to chat!' });
        peer.sendJson({ type: 'typing', user: 'ada' });
        await nothingPendingFor(peer, () => peer.sendJson({ type: 'chat.message', user: 'ada', text: 'hi' }), {
          type: 'chat.message',
          user: 'ada',
          text: 'hi',
        });
        await peer.close(1000);
        await printed.until('Client disconnected: 1000');
      });

      it('closes with 1007 on content that is not an object', async () => {
        const peer = await transport().open('/ws/json/');
        await peer.receiveJson();
        peer.sendJson(['chat.message']);
        await expectClose(peer, 1007);
      });
    });

    describe('channel layer broadcasting (ChatRoomConsumer)', () => {
      it('welcomes each client to "general" and sends every message to both', async () => {
        const alice = await transport().open('/ws/room/');
        const bob = await transport().open('/ws/room/');
        for (const peer of [alice, bob]) assert.deepEqual(await peer.receiveJson(), { type: 'system', message: 'Welcome to general!' });
        alice.sendJson({ message: 'hello, room' });
        for (const peer of [alice, bob]) assert.deepEqual(await peer.receiveJson(), { type: 'message', message: 'hello, room' });
        bob.sendJson({});
        for (const peer of [alice, bob]) assert.deepEqual(await peer.receiveJson(), { type: 'message', message: '' });
        await bob.close();
        // Bob's consumer left the group: Alice's next message reaches Alice alone, and nothing breaks.
        alice.sendJson({ message: 'anyone?' });
        assert.deepEqual(await alice.receiveJson(), { type: 'message', message: 'anyone?' });
        await alice.close();
      });
    });

    describe('URL routing (ChatConsumer, NotificationConsumer)', () => {
      it('routes /ws/chat/ and /ws/notifications/ to their own consumers', async () => {
        const chat = await transport().open('/ws/chat/');
        const notifications = await transport().open('/ws/notifications/');
        chat.send('hi');
        notifications.send('hi');
        assert.equal(await chat.receive(), 'Chat: hi');
        assert.equal(await notifications.receive(), 'Notification: hi');
        await Promise.all([chat.close(), notifications.close()]);
      });

      it('refuses a path no route matches with 404', async () => {
        assert.equal((await transport().refusal('/ws/other/')).status, 404);
      });

      it('serves the same routes as an app of their own', async () => {
        await onApp(transport(), new App({ routes: websocketUrlpatterns }), async (own) => {
          const chat = await own.open('/ws/chat/');
          chat.send('x');
          assert.equal(await chat.receive(), 'Chat: x');
          await chat.close();
        });
      });
    });

    describe('database sync to async (UserConsumer)', () => {
      it('awaits the lookup and sends the user', async () => {
        const peer = await transport().open('/ws/user/');
        assert.deepEqual(await peer.receiveJson(), {
          type: 'user_info',
          user: { id: 123, username: 'john_doe', email: 'john@example.com' },
        });
        await peer.close();
      });
    });

    describe('complete chat application (ChatAppConsumer)', () => {
      it('tells the others who joins and leaves, and sends chat messages to everyone in the room only', async () => {
        await onApp(transport(), chatApplication(), async (own) => {
          const alice = await own.open('/ws/chat/lobby/?username=alice');
          const bob = await own.open('/ws/chat/lobby/?username=bob');
          const carol = await own.open('/ws/chat/kitchen/?username=carol');
          assert.deepEqual(await alice.receiveJson(), { type: 'user_joined', username: 'bob' });

          bob.sendJson({ type: 'chat_message', message: 'hi all' });
          // Bob's first message is his own chat message: he is not told that he joined.
          for (const peer of [alice, bob])
            assert.deepEqual(await peer.receiveJson(), { type: 'message', username: 'bob', message: 'hi all' });
          alice.sendJson({ type: 'chat_message', username: 'al', message: 'hey' });
          for (const peer of [alice, bob]) assert.deepEqual(await peer.receiveJson(), { type: 'message', username: 'al', message: 'hey' });
          // Other types are ignored, and the other room heard nothing of the lobby.
          alice.sendJson({ type: 'typing' });
          await nothingPendingFor(carol, () => carol.sendJson({ type: 'chat_message', message: 'anyone?' }), {
            type: 'message',
            username: 'carol',
            message: 'anyone?',
          });

          await bob.close();
          assert.deepEqual(await alice.receiveJson(), { type: 'user_left', username: 'bob' });
          await nothingPendingFor(alice, () => alice.sendJson({ type: 'chat_message', message: 'bye' }), {
            type: 'message',
            username: 'alice',
            message: 'bye',
          });
          await Promise.all([alice.close(), carol.close()]);
        });
      });

      it('calls a user with no name Anonymous', async () => {
        await onApp(transport(), chatApplication(), async (own) => {
          const first = await own.open('/ws/chat/r1/');
          const second = await own.open('/ws/chat/r1/');
          assert.deepEqual(await first.receiveJson(), { type: 'user_joined', username: 'Anonymous' });
          await Promise.all([first.close(), second.close()]);
        });
      });

      it('refuses a room name the channel layer cannot use with HTTP 400, before the handshake completes', async () => {
        await onApp(transport(), chatApplication(), async (own) => {
          const refusal = await own.refusal('/ws/chat/no%20spaces/');
          assert.equal(refusal.status, 400);
          assert.match(refusal.body, /room/);
        });
      });
    });
  });

  describe('protocol type routing (protocolTypeApp)', () => {
    it('serves HTTP and WebSocket routes side by side, through the TestClient', async () => {
      const app = protocolTypeApp();
      try {
        const client = new TestClient(app);
        const response = await client.get('/');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { hello: 'http' });
        assert.equal((await client.get('/ws/')).status, 426, 'a WebSocket path asks plain HTTP to upgrade');
        const peer = await testTransport(app).open('/ws/');
        assert.equal((await peer.close(1000)).code, 1000);
      } finally {
        await app.close();
      }
    });

    it('serves HTTP and WebSocket routes side by side, over real sockets', async () => {
      const app = protocolTypeApp();
      try {
        const server = await app.listen(0);
        const response = await fetch(`http://127.0.0.1:${App.portOf(server)}/`);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { hello: 'http' });
        const peer = await liveTransport(server).open('/ws/');
        assert.equal((await peer.close(1000)).code, 1000);
      } finally {
        await app.close();
      }
    });
  });

  describe('docs/consumers.md', () => {
    const root = join(__dirname, '..', '..', '..');
    const doc = readFileSync(join(root, 'docs', 'consumers.md'), 'utf8');
    const source = readFileSync(join(root, 'samples', 'channels', 'consumers.ts'), 'utf8');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

    it('shows only code that is in samples/channels/consumers.ts, which compiles and is tested here', () => {
      assert.ok(blocks.length >= 8, `found ${blocks.length} TypeScript blocks`);
      for (const block of blocks) assert.ok(source.includes(block), `not in the sample, verbatim:\n${block}`);
    });

    it('shows every consumer of the sample', () => {
      const classes = [...source.matchAll(/^export class (\w+)/gm)].map((match) => match[1]);
      assert.ok(classes.length >= 9);
      for (const name of classes)
        assert.ok(
          blocks.some((block) => block.includes(`class ${name} `)),
          `${name} is not shown`,
        );
    });
  });
});
