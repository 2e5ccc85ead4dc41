import assert from 'node:assert/strict';
import { App } from '../../lib/app';
import { createApp } from '../../samples/chat/app';
import { TcpProxy } from '../support/tcp-proxy';
import { loadClient, next, NodeWebSocket, record, sleep, startWireApp, type Client, type ClientModule, type WireLog } from './client-harness';
import type { ReconnectOptions } from '../../client/index.mjs';

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

  before(async () => { client = await loadClient(); });
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
    assert.deepEqual(lines.filter((message) => message.type === 'message').map((message) => message.text), ['first ever']);
  });

  it('holds live messages back while a room catches up, then emits them after the missed ones; channels too', async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    const resumed = record(sw, 'resumed');
    sw.send({ type: 'push', messages: [line('1-0'), { type: 'message', channel: 'c', id: '7-0' }] });
    await next(sw, 'message', (message) => message.channel === 'c');
    // After the reconnect the server sends a live line (and a copy of one in history) before the history reply.
    log.history = [line('1-0'), line('2-0'), line('3-0')];
    log.liveDuringHistory = [line('4-0'), line('3-0')];
    log.historyDelay = 50;
    sw.send({ type: 'close', code: 1012 });
    await next(sw, 'resumed', (event) => event.room === 'r');
    assert.deepEqual(lines.map((message) => message.id), ['1-0', '7-0', '2-0', '3-0', '4-0']);
    assert.deepEqual(resumed.find((event) => event.room === 'r'), { room: 'r', complete: true, missed: 2 });
    if (!resumed.some((event) => event.channel === 'c')) await next(sw, 'resumed', (event) => event.channel === 'c');
    assert.deepEqual(resumed.find((event) => event.channel === 'c'), { channel: 'c', complete: true, missed: 0 });
    assert.deepEqual(
      log.historyRequests.map(({ requestId: _id, ...request }) => request),
      [{ type: 'history', room: 'r', after: '1-0' }, { type: 'history', channel: 'c', after: '7-0' }],
    );
  });

  it('emits a line that arrives out of id order, drops only exact repeats, and resumes after the highest id', async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    // Two server processes: 6 was published before 5, whose history append came first.
    sw.send({ type: 'push', messages: [line('6-0'), line('5-0'), line('6-0'), line('5-0'), { type: 'done' }] });
    await next(sw, 'message', (message) => message.type === 'done');
    assert.deepEqual(lines.map((message) => message.id), ['6-0', '5-0', undefined]);
    log.history = [line('5-0'), line('6-0'), line('7-0')];
    sw.send({ type: 'close', code: 1012 });
    assert.deepEqual(await next(sw, 'resumed'), { room: 'r', complete: true, missed: 1 });
    assert.deepEqual(log.historyRequests.map((request) => request.after), ['6-0']);
    assert.deepEqual(lines.map((message) => message.id), ['6-0', '5-0', undefined, '7-0']);
  });

  it('remembers the last 512 ids of a room: a repeat older than that is emitted again', async () => {
    const { sw } = await onWire(false);
    const lines = record(sw, 'message');
    const ids = Array.from({ length: 513 }, (_, i) => `${i + 1}-0`);
    sw.send({ type: 'push', messages: [...ids, '1-0', '513-0'].map((id) => line(id)).concat([{ type: 'done', room: 'r', id: 'x' }]) });
    await next(sw, 'message', (message) => message.type === 'done');
    // 1-0 fell out of the window when 513-0 came; 513-0 is still in it.
    assert.deepEqual(lines.slice(513).map((message) => message.id), ['1-0', 'x']);
  });

  it('forgets a room: no resume asks for it, and one under way emits nothing more', async () => {
    const { sw, log } = await onWire();
    const lines = record(sw, 'message');
    const resumed = record(sw, 'resumed');
    sw.send({ type: 'push', messages: [line('1-0', 'left'), line('1-0', 'kept'), line('1-0', 'slow')] });
    await next(sw, 'message', (message) => message.room === 'slow');
    sw.forget({ room: 'left' });
    log.history = [line('2-0', 'left'), line('2-0', 'kept'), line('2-0', 'slow')];
    log.historyDelay = 100;
    sw.send({ type: 'close', code: 1012 });
    await next(sw, 'open');
    // Left while its resume is out: its reply comes and is ignored.
    sw.forget({ room: 'slow' });
    await next(sw, 'resumed');
    await sleep(150);
    assert.deepEqual(log.historyRequests.map((request) => request.room), ['kept', 'slow']);
    assert.deepEqual(resumed, [{ room: 'kept', complete: true, missed: 1 }]);
    assert.deepEqual(lines.map((message) => `${String(message.room)} ${String(message.id)}`), ['left 1-0', 'kept 1-0', 'slow 1-0', 'kept 2-0']);
    assert.throws(() => sw.forget({} as { room: string }), /StarwireClient.forget/);
  });

  it('does not resume when resume is off', async () => {
    await start();
    const ann = client.connect(`ws://127.0.0.1:${proxy.port}/ws?name=Ann`, { WebSocket: NodeWebSocket, heartbeat: false, resume: false, reconnect: { initialDelay: 20 } });
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
    assert.deepEqual(lines.filter((message) => message.type === 'message').map((message) => message.text), ['seen']);
  });
});
