import assert from 'node:assert/strict';
import type { App } from '../../lib/app';
import { type Client, type ClientModule, loadClient, NodeWebSocket, next, record, sleep, startWireApp } from './client-harness';

describe('client/starwire-client', () => {
  let client: ClientModule;
  let app: App;
  let url: string;
  let log: Awaited<ReturnType<typeof startWireApp>>['log'];
  const clients: Client[] = [];

  /** A client on the wire app; closed after each test. Heartbeats off unless asked for. */
  function connect(path: string, options: Parameters<ClientModule['connect']>[1] = {}): Client {
    const made = client.connect(`${url}${path}`, { WebSocket: NodeWebSocket, heartbeat: false, ...options });
    clients.push(made);
    return made;
  }

  before(async () => {
    client = await loadClient();
  });
  beforeEach(async () => ({ app, url, log } = await startWireApp()));
  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    await app.close();
  });

  it('loads as starwire/client through the package exports', async () => {
    // A variable keeps TypeScript from resolving the specifier against dist/ at compile time.
    const specifier = 'starwire/client';
    const exported = (await import(specifier)) as Partial<ClientModule>;
    assert.equal(exported.connect, client.connect);
  });

  it('opens with the subprotocols offered and reports the one the server picked', async () => {
    const sw = connect('/rpc', { protocols: ['chat.v1', 'chat.v0'] });
    assert.equal(sw.state, 'connecting');
    assert.deepEqual(await next(sw, 'open'), { reconnected: false });
    assert.equal(sw.state, 'open');
    assert.equal(sw.protocol, 'chat.v1');
    assert.deepEqual(log.subprotocols, [['chat.v1', 'chat.v0']]);
  });

  it('sends JSON, queued until open, and emits the JSON the server sends', async () => {
    const sw = connect('/rpc');
    const messages = record(sw, 'message');
    // Sent while still connecting: held, then written on open.
    sw.send({ type: 'push', messages: [{ type: 'note', n: 1 }, [1, 2], 'text'] });
    await next(sw, 'message', (message) => (message as unknown) === 'text');
    assert.deepEqual(messages, [{ type: 'note', n: 1 }, [1, 2], 'text']);
  });

  it('matches replies to requests by requestId, even when they come back out of order', async () => {
    const sw = connect('/rpc');
    const messages = record(sw, 'message');
    const order: string[] = [];
    const slow = sw.request({ type: 'echo', value: 'slow', delay: 150 }).then((reply) => {
      order.push('slow');
      return reply;
    });
    const fast = sw.request({ type: 'echo', value: 'fast', delay: 10 }).then((reply) => {
      order.push('fast');
      return reply;
    });
    const [slowReply, fastReply] = await Promise.all([slow, fast]);
    assert.deepEqual(order, ['fast', 'slow']);
    assert.equal(slowReply.value, 'slow');
    assert.equal(fastReply.value, 'fast');
    assert.ok(Number.isInteger(slowReply.replyTo) && Number.isInteger(fastReply.replyTo) && slowReply.replyTo !== fastReply.replyTo);
    assert.deepEqual(messages, [], 'replies are not emitted as messages');
  });

  it('rejects a request with no reply in time with RequestTimeoutError naming its type', async () => {
    const sw = connect('/rpc');
    const started = Date.now();
    const error: unknown = await sw.request({ type: 'silence' }, { timeout: 100 }).catch((failure: unknown) => failure);
    assert.ok(error instanceof client.RequestTimeoutError);
    assert.equal(error.name, 'RequestTimeoutError');
    assert.match(error.message, /'silence'.*100 ms/);
    assert.ok(Date.now() - started >= 95);
    // The client still works.
    assert.equal((await sw.request({ type: 'echo', value: 1 })).value, 1);
  });

  it('rejects a request in flight when the connection drops (not re-sent), and reconnects', async () => {
    const sw = connect('/rpc', { reconnect: { initialDelay: 10, maxDelay: 50 } });
    await next(sw, 'open');
    const pending = sw.request({ type: 'silence' });
    sw.send({ type: 'close', code: 1012 });
    const error: unknown = await pending.catch((failure: unknown) => failure);
    assert.ok(error instanceof client.ConnectionClosedError, String(error));
    assert.equal(error.lost, true);
    assert.match(error.message, /'silence'.*1012.*not re-sent/);
    assert.deepEqual(await next(sw, 'open'), { reconnected: true });
    assert.equal(log.connections, 2);
  });

  it('sends a request made while reconnecting once the connection is back, and resolves it', async () => {
    const sw = connect('/rpc', { reconnect: { initialDelay: 50, jitter: 0 } });
    await next(sw, 'open');
    sw.send({ type: 'close', code: 1012 });
    await next(sw, 'reconnecting');
    assert.equal(sw.state, 'reconnecting');
    const reply = await sw.request({ type: 'echo', value: 'queued' });
    assert.equal(reply.value, 'queued');
    assert.equal(log.connections, 2);
  });

  it('reconnects with bounded, growing delays after the server goes away, and comes back on the same port', async () => {
    const sw = connect('/rpc', { reconnect: { initialDelay: 20, maxDelay: 100, factor: 2, jitter: 0.5, stableAfter: 100 } });
    await next(sw, 'open');
    const scheduled = record(sw, 'reconnecting');
    const closed = next(sw, 'close');
    const port = Number(new URL(url).port);
    await app.close();
    assert.deepEqual(await closed, { code: 1001, reason: 'Server shutting down', willReconnect: true });
    assert.equal(sw.state, 'reconnecting');
    // Down long enough for three attempts even at their longest (30 + 60 + 120 ms).
    await sleep(400);
    ({ app, log } = await startWireApp(port));
    assert.deepEqual(await next(sw, 'open'), { reconnected: true });
    assert.ok(scheduled.length >= 3, `${scheduled.length} attempts while the server was down`);
    scheduled.forEach(({ attempt, delay }, i) => {
      assert.equal(attempt, i + 1);
      const base = Math.min(100, 20 * 2 ** i);
      assert.ok(delay >= base * 0.5 && delay <= base * 1.5, `attempt ${attempt}: ${delay} ms`);
    });
    assert.equal((await sw.request({ type: 'echo', value: 'back' })).value, 'back');
    // A connection that stayed open stableAfter ms starts the count again.
    await sleep(150);
    const again = next(sw, 'reconnecting');
    sw.send({ type: 'close', code: 1012 });
    assert.equal((await again).attempt, 1);
  });

  it('counts a connection closed before stableAfter as a failed attempt, so maxAttempts stops a server that accepts and closes at once', async () => {
    const sw = connect('/overloaded', { reconnect: { initialDelay: 10, maxDelay: 40, jitter: 0, maxAttempts: 3 } });
    const scheduled = record(sw, 'reconnecting');
    const opens = record(sw, 'open');
    const final = await next(sw, 'close', (event) => !event.willReconnect);
    assert.deepEqual(final, { code: 1013, reason: 'try again later', willReconnect: false });
    assert.equal(sw.state, 'closed');
    assert.deepEqual(scheduled, [
      { attempt: 1, delay: 10 },
      { attempt: 2, delay: 20 },
      { attempt: 3, delay: 40 },
    ]);
    assert.equal(opens.length, 4);
    assert.equal(log.connections, 4);
  });

  it('reports a url function that throws while reconnecting as an error, and tries again', async () => {
    let calls = 0;
    const made = client.connect(
      () => {
        calls++;
        if (calls === 2) throw new Error('no token');
        return `${url}/rpc`;
      },
      { WebSocket: NodeWebSocket, heartbeat: false, reconnect: { initialDelay: 10, jitter: 0 } },
    );
    clients.push(made);
    await next(made, 'open');
    const errors = record(made, 'error');
    const closes = record(made, 'close');
    made.send({ type: 'close', code: 1012 });
    assert.deepEqual(await next(made, 'open'), { reconnected: true });
    assert.equal(calls, 3);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /could not create a WebSocket: no token/);
    assert.deepEqual(closes, [
      { code: 1012, reason: '', willReconnect: true },
      { code: 1006, reason: 'could not create a WebSocket', willReconnect: true },
    ]);
  });

  it('refuses a close code browsers refuse, or a reason over 123 UTF-8 bytes, with a TypeError, changing nothing', async () => {
    const sw = connect('/rpc');
    await next(sw, 'open');
    const closes = record(sw, 'close');
    assert.throws(
      () => sw.close(1000, 'é'.repeat(62)),
      (error: unknown) => error instanceof TypeError && /124 UTF-8 bytes/.test(error.message),
    );
    assert.throws(() => sw.close(1001), TypeError);
    assert.throws(() => sw.close(3000.5), TypeError);
    assert.equal(sw.state, 'open');
    assert.deepEqual(closes, []);
    assert.equal((await sw.request({ type: 'echo', value: 'still open' })).value, 'still open');
    sw.close(4999, 'é'.repeat(61));
    assert.equal(sw.state, 'closed');
  });

  it('does not reconnect after close(), nor after a fatal close code', async () => {
    const sw = connect('/rpc', { reconnect: { initialDelay: 10 } });
    await next(sw, 'open');
    const pending = sw.request({ type: 'silence' });
    const reconnecting = record(sw, 'reconnecting');
    const closes = record(sw, 'close');
    sw.close(1000, 'bye');
    assert.equal(sw.state, 'closed');
    assert.deepEqual(closes, [{ code: 1000, reason: 'bye', willReconnect: false }]);
    const error: unknown = await pending.catch((failure: unknown) => failure);
    assert.ok(error instanceof client.ConnectionClosedError);
    assert.throws(() => sw.send({ type: 'ping' }), /closed/);
    await assert.rejects(sw.request({ type: 'echo' }), client.ConnectionClosedError);
    sw.close();
    assert.equal(closes.length, 1, 'close() twice is one close');

    const refused = connect('/rpc', { reconnect: { initialDelay: 10 } });
    await next(refused, 'open');
    refused.send({ type: 'close', code: 1008 });
    assert.deepEqual(await next(refused, 'close'), { code: 1008, reason: '', willReconnect: false });
    assert.equal(refused.state, 'closed');

    const custom = connect('/rpc', { reconnect: { initialDelay: 10 }, fatalCodes: [4401] });
    await next(custom, 'open');
    custom.send({ type: 'close', code: 4401 });
    assert.equal((await next(custom, 'close')).willReconnect, false);

    await sleep(100);
    assert.deepEqual(reconnecting, []);
    assert.equal(log.connections, 3);
  });

  it('pings after silence; the pongs keep it open and are not emitted', async () => {
    const sw = connect('/rpc', { heartbeat: { interval: 40, timeout: 200 } });
    const messages = record(sw, 'message');
    const closes = record(sw, 'close');
    await next(sw, 'open');
    await sleep(300);
    assert.ok(log.pings >= 3, `${log.pings} pings`);
    assert.deepEqual(messages, []);
    assert.deepEqual(closes, []);
    assert.equal(sw.state, 'open');
  });

  it('closes a silent connection with 4000 after a missed pong, and reconnects', async () => {
    const sw = connect('/mute', { heartbeat: { interval: 50, timeout: 80 }, reconnect: { initialDelay: 10 } });
    await next(sw, 'open');
    const started = Date.now();
    assert.deepEqual(await next(sw, 'close'), { code: 4000, reason: 'heartbeat timeout', willReconnect: true });
    const took = Date.now() - started;
    assert.ok(took >= 120 && took < 1000, `${took} ms`);
    assert.deepEqual(await next(sw, 'open'), { reconnected: true });
    assert.ok(log.pings >= 1);
    assert.equal(log.connections, 2);
  });

  it('drops repeats per room (an offset at or below the last one emitted), streams apart', async () => {
    const sw = connect('/rpc');
    const messages = record(sw, 'message');
    const line = (room: string, id: string): object => ({ type: 'message', room, id });
    sw.send({
      type: 'push',
      messages: [
        line('a', 'e:5'),
        line('a', 'e:5'),
        line('a', 'e:6'),
        line('a', 'e:4'),
        line('b', 'e:1'),
        { type: 'message', channel: 'a', id: 'e:2' },
        { type: 'done' },
      ],
    });
    await next(sw, 'message', (message) => message.type === 'done');
    assert.deepEqual(messages, [
      line('a', 'e:5'),
      line('a', 'e:6'),
      line('b', 'e:1'),
      { type: 'message', channel: 'a', id: 'e:2' },
      { type: 'done' },
    ]);
  });

  it('survives listeners that throw and bad JSON from the server, reporting both as errors', async () => {
    const sw = connect('/rpc');
    const errors = record(sw, 'error');
    const seen: unknown[] = [];
    sw.on('message', () => {
      throw new Error('listener bug');
    });
    sw.on('message', (message) => seen.push(message));
    sw.send({ type: 'garbage' });
    sw.send({ type: 'push', messages: [{ type: 'after' }] });
    await next(sw, 'message', (message) => message.type === 'after');
    assert.deepEqual(seen, [{ type: 'after' }]);
    assert.equal(errors.length, 2);
    assert.match(errors[0].message, /not JSON/);
    assert.match(errors[1].message, /'message' listener threw: listener bug/);
    assert.equal(sw.state, 'open');

    // An 'error' listener that throws goes to console.error, not into a loop.
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      sw.on('error', () => {
        throw new Error('error listener bug');
      });
      sw.send({ type: 'garbage' });
      await next(sw, 'error');
      await sleep(10);
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 1);
    assert.equal(sw.state, 'open');
  });

  it('queues at most maxQueue messages while not connected, and removes unsubscribed listeners', async () => {
    const sw = connect('/rpc', { maxQueue: 2 });
    sw.send({ type: 'push', messages: [{ type: 'one' }] });
    sw.send({ type: 'push', messages: [{ type: 'two' }] });
    assert.throws(() => sw.send({ type: 'push', messages: [{ type: 'three' }] }), /maxQueue/);
    const seen: unknown[] = [];
    const off = sw.on('message', (message) => seen.push(message));
    await next(sw, 'message', (message) => message.type === 'two');
    off();
    sw.send({ type: 'push', messages: [{ type: 'four' }] });
    await next(sw, 'message', (message) => message.type === 'four');
    assert.deepEqual(seen, [{ type: 'one' }, { type: 'two' }]);
  });
});
