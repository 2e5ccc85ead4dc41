import assert from 'node:assert/strict';
import { App } from '../../lib/app';
import { createApp } from '../../samples/chat/app';
import { TcpProxy } from '../support/tcp-proxy';
import { loadClient, next, NodeWebSocket, record, sleep, startWireApp, type Client, type ClientModule } from './client-harness';

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

  before(async () => { client = await loadClient(); });
  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
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
    const wire = await startWireApp();
    try {
      const sw = client.connect(`${wire.url}/rpc`, { WebSocket: NodeWebSocket, heartbeat: false, reconnect: { initialDelay: 10 } });
      clients.push(sw);
      const lines = record(sw, 'message');
      const resumed = record(sw, 'resumed');
      const line = (id: string): { type: string; room: string; id: string } => ({ type: 'message', room: 'r', id });
      sw.send({ type: 'push', messages: [line('1-0'), { type: 'message', channel: 'c', id: '7-0' }] });
      await next(sw, 'message', (message) => message.channel === 'c');
      // After the reconnect the server sends a live line (and a copy of one in history) before the history reply.
      wire.log.history = [line('1-0'), line('2-0'), line('3-0')];
      wire.log.liveDuringHistory = [line('4-0'), line('3-0')];
      wire.log.historyDelay = 50;
      sw.send({ type: 'close', code: 1012 });
      await next(sw, 'resumed', (event) => event.room === 'r');
      assert.deepEqual(lines.map((message) => message.id), ['1-0', '7-0', '2-0', '3-0', '4-0']);
      assert.deepEqual(resumed.find((event) => event.room === 'r'), { room: 'r', complete: true, missed: 2 });
      if (!resumed.some((event) => event.channel === 'c')) await next(sw, 'resumed', (event) => event.channel === 'c');
      assert.deepEqual(resumed.find((event) => event.channel === 'c'), { channel: 'c', complete: true, missed: 0 });
      assert.deepEqual(
        wire.log.historyRequests.map(({ requestId: _id, ...request }) => request),
        [{ type: 'history', room: 'r', after: '1-0' }, { type: 'history', channel: 'c', after: '7-0' }],
      );
    } finally {
      await wire.app.close();
    }
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
