import assert from 'node:assert/strict';
import type { ReconnectOptions } from '../../client/index.mjs';
import { App } from '../../lib/app';
import { createApp } from '../../samples/chat/app';
import { TcpProxy } from '../support/tcp-proxy';
import {
  type Client,
  type ClientModule,
  loadClient,
  NodeWebSocket,
  next,
  record,
  sleep,
  startWireApp,
  type WireLog,
} from './client-harness';

/**
 * Resume against the chat sample: a client cut off (through a proxy, so it gets no close frame)
 * while another says things gets them after it reconnects, once each and in order.
 */
describe('client/resume', () => {
  let client: ClientModule;
  let app: App;
  let proxy: TcpProxy;
  /** Whether this test started the chat and its proxy (the wire-app test does not). */
  let started = false;
  let port: number;
  const clients: Client[] = [];

  function connect(name: string, through: 'proxy' | 'direct'): Client {
    const target = through === 'proxy' ? proxy.port : port;
    const made = client.connect(`ws://127.0.0.1:${target}/ws?name=${name}`, {
      WebSocket: NodeWebSocket,
      heartbeat: false,
      reconnect: { initialDelay: 20, maxDelay: 50 },
    });
    clients.push(made);
    return made;
  }

  async function start(historyLimit?: number): Promise<void> {
    app = createApp({ realtime: historyLimit === undefined ? {} : { historyLimit } });
    port = App.portOf(await app.listen(0, '127.0.0.1'));
    proxy = await TcpProxy.start(port);
    started = true;
  }

  /** Ann (through the proxy) and Bob (direct) in the lobby; Ann has seen Bob's first line. */
  async function twoInTheLobby(): Promise<{ ann: Client; bob: Client; texts: () => string[] }> {
    const ann = connect('Ann', 'proxy');
    const bob = connect('Bob', 'direct');
    const lines = record(ann, 'message');
    assert.equal((await ann.request({ type: 'join', room: 'lobby' })).type, 'history');
    assert.equal((await bob.request({ type: 'join', room: 'lobby' })).type, 'history');
    await bob.request({ type: 'say', room: 'lobby', text: 'before' });
    await next(ann, 'message', (message) => message.text === 'before');
    const texts = (): string[] => lines.filter((message) => message.type === 'message').map((message) => String(message.text));
    return { ann, bob, texts };
  }

  /** Cuts Ann off and keeps her off while Bob says `texts`; she then comes back by herself. */
  async function missWhileAway(ann: Client, bob: Client, texts: readonly string[]): Promise<void> {
    const closed = next(ann, 'close');
    proxy.sever();
    assert.deepEqual(await closed, { code: 1006, reason: '', willReconnect: true });
    for (const text of texts) assert.equal((await bob.request({ type: 'say', room: 'lobby', text })).type, 'said');
    proxy.restore();
  }

  /** Wire apps started by the test, closed after it. */
  const wires: App[] = [];

  /** A client on a fresh wire app (see client-harness), closed after the test, and the app's log. */
  async function onWire(reconnect: ReconnectOptions | false = { initialDelay: 10 }): Promise<{ sw: Client; log: WireLog }> {
    const wire = await startWireApp();
    wires.push(wire.app);
    const sw = client.connect(`${wire.url}/rpc`, { WebSocket: NodeWebSocket, heartbeat: false, reconnect });
    clients.push(sw);
    return { sw, log: wire.log };
  }

  /** A line of room `room`'s history, as the wire app pushes it. */
  const line = (id: string, room = 'r'): { type: string; room: string; id: string } => ({ type: 'message', room, id });

  before(async () => {
    client = await loadClient();
  });
  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    for (const wire of wires.splice(0)) await wire.close();
    if (!started) return;
    started = false;
    await proxy.close();
    await app.close();
  });

  it('emits the messages missed while away once each, in order, then resumed with complete: true', async () => {
    await start();
    const { ann, bob, texts } = await twoInTheLobby();
    await missWhileAway(ann, bob, ['one', 'two', 'three']);
    const resumed = next(ann, 'resumed');
    assert.deepEqual(await next(ann, 'open'), { reconnected: true });
    assert.deepEqual(await resumed, { room: 'lobby', complete: true, missed: 3 });
    assert.deepEqual(texts(), ['before', 'one', 'two', 'three']);

    // Live again, and nothing twice: a line said now arrives once, after the others.
    await bob.request({ type: 'say', room: 'lobby', text: 'after' });
    await next(ann, 'message', (message) => message.text === 'after');
    await sleep(50);
    assert.deepEqual(texts(), ['before', 'one', 'two', 'three', 'after']);
  });

  it('reports complete: false when the history no longer reaches back to the last id seen', async () => {
    await start(2);
    const { ann, bob, texts } = await twoInTheLobby();
    await missWhileAway(ann, bob, ['one', 'two', 'three']);
    assert.deepEqual(await next(ann, 'resumed'), { room: 'lobby', complete: false, missed: 2 });
    assert.deepEqual(texts(), ['before', 'two', 'three']);
  });

  it('resumes a room whose history was empty when joined from its beginning', async () => {
    await start();
    const ann = connect('Ann', 'proxy');
    const bob = connect('Bob', 'direct');
    const lines = record(ann, 'message');
    await ann.request({ type: 'join', room: 'quiet' });
    await bob.request({ type: 'join', room: 'quiet' });
    proxy.sever();
    await next(ann, 'reconnecting');
    await bob.request({ type: 'say', room: 'quiet', text: 'first ever' });
    proxy.restore();
    assert.deepEqual(await next(ann, 'resumed'), { room: 'quiet', complete: true, missed: 1 });
    assert.deepEqual(
      lines.filter((message) => message.type === 'message').map((message) => message.text),
      ['first ever'],
    );
  });

  it('holds live messages back while a room catches up, then emits them after the missed ones; channels too', async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    const resumed = record(sw, 'resumed');
    sw.send({ type: 'push', messages: [line('e:1'), { type: 'message', channel: 'c', id: 'e:7' }] });
    await next(sw, 'message', (message) => message.channel === 'c');
    // After the reconnect the server sends a live line (and a copy of one in history) before the history reply.
    log.history = [line('e:1'), line('e:2'), line('e:3')];
    log.liveDuringHistory = [line('e:4'), line('e:3')];
    log.historyDelay = 50;
    sw.send({ type: 'close', code: 1012 });
    await next(sw, 'resumed', (event) => event.room === 'r');
    assert.deepEqual(
      lines.map((message) => message.id),
      ['e:1', 'e:7', 'e:2', 'e:3', 'e:4'],
    );
    assert.deepEqual(
      resumed.find((event) => event.room === 'r'),
      { room: 'r', complete: true, missed: 2 },
    );
    if (!resumed.some((event) => event.channel === 'c')) await next(sw, 'resumed', (event) => event.channel === 'c');
    assert.deepEqual(
      resumed.find((event) => event.channel === 'c'),
      { channel: 'c', complete: true, missed: 0 },
    );
    assert.deepEqual(
      log.historyRequests.map(({ requestId: _id, ...request }) => request),
      [
        { type: 'history', room: 'r', after: 'e:1' },
        { type: 'history', channel: 'c', after: 'e:7' },
      ],
    );
  });

  it("notices a gap in a live room's offsets, and emits the missed lines from history before the rest, in order", async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    log.history = [1, 2, 3, 4, 5, 6].map((n) => line(`e:${n}`));
    // 3 and 4 never came (a slow socket's messages dropped, say): 5 shows it.
    sw.send({ type: 'push', messages: [line('e:1'), line('e:2'), line('e:5'), line('e:6'), line('e:4')] });
    // 5 and 6 were in the history too: they come from there (missed), and their live copies are dropped.
    assert.deepEqual(await next(sw, 'resumed'), { room: 'r', complete: true, missed: 4 });
    assert.deepEqual(
      log.historyRequests.map((request) => request.after),
      ['e:2'],
    );
    await sleep(50);
    assert.deepEqual(
      lines.map((message) => message.id),
      ['e:1', 'e:2', 'e:3', 'e:4', 'e:5', 'e:6'],
    );
  });

  it('takes a line of another epoch (the server lost its history) as a gap: catches up, and says complete: false', async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    sw.send({ type: 'push', messages: [line('e:1'), line('e:2')] });
    await next(sw, 'message', (message) => message.id === 'e:2');
    log.history = [line('f:1'), line('f:2')];
    sw.send({ type: 'push', messages: [line('f:2'), line('f:3')] });
    assert.deepEqual(await next(sw, 'resumed'), { room: 'r', complete: false, missed: 2 });
    assert.deepEqual(
      lines.map((message) => message.id),
      ['e:1', 'e:2', 'f:1', 'f:2', 'f:3'],
    );
    assert.deepEqual(
      log.historyRequests.map((request) => request.after),
      ['e:2'],
    );
  });

  it('forgets a room: no resume asks for it, and one under way emits nothing more', async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    const resumed = record(sw, 'resumed');
    sw.send({ type: 'push', messages: [line('e:1', 'left'), line('e:1', 'kept'), line('e:1', 'slow')] });
    await next(sw, 'message', (message) => message.room === 'slow');
    sw.forget({ room: 'left' });
    log.history = [line('e:2', 'left'), line('e:2', 'kept'), line('e:2', 'slow')];
    log.historyDelay = 100;
    sw.send({ type: 'close', code: 1012 });
    await next(sw, 'open');
    // Left while its resume is out: its reply comes and is ignored.
    sw.forget({ room: 'slow' });
    await next(sw, 'resumed');
    await sleep(150);
    assert.deepEqual(
      log.historyRequests.map((request) => request.room),
      ['kept', 'slow'],
    );
    assert.deepEqual(resumed, [{ room: 'kept', complete: true, missed: 1 }]);
    assert.deepEqual(
      lines.map((message) => `${String(message.room)} ${String(message.id)}`),
      ['left e:1', 'kept e:1', 'slow e:1', 'kept e:2'],
    );
    assert.throws(() => sw.forget({} as { room: string }), /StarwireClient.forget/);
  });

  it('does not resume when resume is off', async () => {
    await start();
    const ann = client.connect(`ws://127.0.0.1:${proxy.port}/ws?name=Ann`, {
      WebSocket: NodeWebSocket,
      heartbeat: false,
      resume: false,
      reconnect: { initialDelay: 20 },
    });
    clients.push(ann);
    const bob = connect('Bob', 'direct');
    const resumed = record(ann, 'resumed');
    const lines = record(ann, 'message');
    await ann.request({ type: 'join', room: 'lobby' });
    await bob.request({ type: 'join', room: 'lobby' });
    await bob.request({ type: 'say', room: 'lobby', text: 'seen' });
    await next(ann, 'message', (message) => message.text === 'seen');
    await missWhileAway(ann, bob, ['missed']);
    await next(ann, 'open');
    await sleep(100);
    assert.deepEqual(resumed, []);
    assert.deepEqual(
      lines.filter((message) => message.type === 'message').map((message) => message.text),
      ['seen'],
    );
  });
});
