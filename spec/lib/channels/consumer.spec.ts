import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Message } from '../../../components/message';
import { QueryParam } from '../../../components/query-param';
import { User } from '../../../components/user';
import * as starwire from '../../../index';
import { App } from '../../../lib/app';
import type { ChannelMessage } from '../../../lib/channels/channel-layer';
import { JsonWebSocketConsumer, WebSocketConsumer } from '../../../lib/channels/consumer';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import { HTTPException, WebSocketDisconnect } from '../../../lib/errors/exceptions';
import { component } from '../../../lib/inject/component';
import { inject } from '../../../lib/inject/inject';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import {
  type Deferred,
  deferred,
  forEachTransport,
  liveTransport,
  type Peer,
  type Transport,
  testTransport,
  WAIT,
  within,
} from '../../support/ws-client';

/** One thing a consumer (or the app) did, as the tests read it back. */
interface Entry {
  readonly event: string;
  readonly [key: string]: unknown;
}

/** What consumers did, in order; tests wait for entries instead of sleeping. */
class Journal {
  readonly entries: Entry[] = [];
  private readonly waiters = new Set<() => void>();

  add(entry: Entry): void {
    this.entries.push(entry);
    for (const wake of [...this.waiters]) wake();
  }

  of(event: string, id?: string): Entry[] {
    return this.entries.filter((entry) => entry.event === event && (id === undefined || entry.id === id));
  }

  /** Resolves with the first entry `find` accepts, waiting (bounded) for it to be added. */
  async until(find: (entry: Entry) => boolean, what: string): Promise<Entry> {
    const found = (): Entry | undefined => this.entries.find(find);
    const wait = new Promise<Entry>((resolve) => {
      const check = (): void => {
        const entry = found();
        if (!entry) return;
        this.waiters.delete(check);
        resolve(entry);
      };
      this.waiters.add(check);
      check();
    });
    return within(wait, WAIT, what);
  }
}

let journal = new Journal();

/** The `id` query parameter tells a test's connections apart in the journal. */
function idOf(consumer: WebSocketConsumer): string {
  const id = consumer.scope.query.id;
  return Array.isArray(id) ? id[0] : (id ?? '');
}

/** Layer calls are observable: the runner leaves its groups after `disconnect()`, and tests must know when. */
class WatchedLayer extends InMemoryChannelLayer {
  override async groupDiscard(group: string, channel: string): Promise<void> {
    await super.groupDiscard(group, channel);
    journal.add({ event: 'groupDiscard', group, channel });
  }
}

// --- consumers under test ---

class Plain extends WebSocketConsumer {}

class Refusing extends WebSocketConsumer {
  override connect(): void {
    journal.add({ event: 'connect', id: idOf(this) });
  }

  override disconnect(code: number): void {
    journal.add({ event: 'disconnect', id: idOf(this), code });
  }
}

class ClosingOnConnect extends WebSocketConsumer {
  override async connect(): Promise<void> {
    await this.close(4001, 'not today');
  }
}

class Lifecycle extends WebSocketConsumer {
  override async connect(): Promise<void> {
    journal.add({ event: 'connect', id: idOf(this) });
    await this.accept();
  }

  override async receive(text?: string, bytes?: Buffer): Promise<void> {
    journal.add({ event: 'receive', id: idOf(this), text, bytes: bytes && [...bytes] });
    if (text === 'close please') return this.close(4002, 'as asked');
    await this.send(text !== undefined ? `text:${text}` : Buffer.concat([Buffer.from('bytes:'), bytes!]));
  }

  override disconnect(code: number): void {
    journal.add({ event: 'disconnect', id: idOf(this), code });
  }
}

/** Sends before accepting (a mistake: it throws at once) and after its peer left (nothing, and no rejection). */
class SendsEarlyAndLate extends JsonWebSocketConsumer {
  override async connect(): Promise<void> {
    const early: string[] = [];
    for (const send of [() => this.send('early'), () => this.sendJson({ early: true })]) {
      try {
        send().catch(() => early.push('a rejection instead'));
      } catch (error) {
        early.push(error instanceof Error ? error.message : String(error));
      }
    }
    await this.accept();
    await this.sendJson({ early });
  }

  override disconnect(): Promise<void> {
    // Not awaited, as a send from a timer or a layer message would not be: neither may reject.
    void this.send('late');
    void this.sendJson({ late: true });
    return Promise.all([this.send('late'), this.sendJson({ late: true })]).then((results) => {
      journal.add({ event: 'late sends', id: idOf(this), results });
    });
  }
}

class Subprotocol extends WebSocketConsumer {
  override connect(): Promise<void> {
    return this.accept('v2.chat');
  }
}

class ScopeReporter extends JsonWebSocketConsumer {
  override async connect(): Promise<void> {
    await this.accept();
    await this.sendJson({ path: this.scope.path, pathParams: this.scope.pathParams, query: this.scope.query });
  }
}

interface TextEvent extends ChannelMessage {
  readonly text: string;
}

class Layered extends JsonWebSocketConsumer {
  override groups = ['news', 'sports'];

  override async connect(): Promise<void> {
    await this.accept();
    await this.sendJson({ channelName: this.channelName, sameLayer: this.channelLayer === this.scope.app.channelLayer });
  }

  override async receiveJson(content: unknown): Promise<void> {
    await this.sendJson({ handled: 'receiveJson', content });
  }

  async chatMessage(event: TextEvent): Promise<void> {
    await this.sendJson({ handled: 'chatMessage', text: event.text });
  }

  async userJoin(event: TextEvent): Promise<void> {
    await this.sendJson({ handled: 'userJoin', text: event.text });
  }

  /** Not a handler, however it is named: a leading underscore keeps it from layer messages. */
  _hidden(): void {
    journal.add({ event: 'hidden' });
  }

  override disconnect(code: number): void {
    journal.add({ event: 'disconnect', id: idOf(this), channel: this.channelName, code });
  }
}

/** Resolved anew for every message, to show receiveJson gets `'message'`-scoped components. */
class Stamp {
  constructor(readonly serial: number) {}
}
let stamps = 0;

class Greeter extends JsonWebSocketConsumer {
  @inject([User])
  override async connect(user: User): Promise<void> {
    await this.accept();
    await this.sendJson({ hello: user.name });
  }

  @inject([
    Message({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false } as const),
    Stamp,
    User,
  ])
  override async receiveJson(message: { n: number }, stamp: Stamp, user: User): Promise<void> {
    await this.sendJson({ double: message.n * 2, stamp: stamp.serial, user: user.name });
  }

  override disconnect(): void {
    journal.add({ event: 'disconnect', id: idOf(this) });
  }
}

/** Lets a test hold one handler open while it arranges what arrives meanwhile. */
let gate: Deferred<void> = deferred<void>();

/** A layer message of type `step.event`, handled by `stepEvent()` like a socket message. */
interface StepEvent extends ChannelMessage {
  readonly type: 'step.event';
  readonly label: string;
  readonly ms: number;
}

/**
 * Handles socket messages `label:ms` and layer messages `{ type: 'step.event', label, ms }` alike:
 * records the start, takes `ms` to finish, records the end, and replies with the label. The
 * label `gate` waits for the test to open the gate instead.
 */
class Ordered extends WebSocketConsumer {
  override async connect(): Promise<void> {
    journal.add({ event: 'channel', id: idOf(this), channel: this.channelName });
    await this.accept();
  }

  override async receive(text?: string): Promise<void> {
    const [label, ms] = (text ?? '').split(':');
    await this.step(label, Number(ms));
  }

  async step(label: string, ms: number): Promise<void> {
    journal.add({ event: 'start', id: idOf(this), label });
    if (label === 'gate') await within(gate.promise, WAIT, 'the gate');
    else if (ms > 0) await delay(ms);
    journal.add({ event: 'end', id: idOf(this), label });
    await this.send(label);
  }

  async stepEvent(event: StepEvent): Promise<void> {
    await this.step(event.label, event.ms);
  }

  override disconnect(code: number): void {
    journal.add({ event: 'disconnect', id: idOf(this), code });
  }
}

function makeApp(options: { receiveQueue?: number; capacity?: number } = {}): App {
  const currentUser = component(User, [QueryParam('user')], (name) => {
    if (!name) throw new HTTPException(401, 'Who are you?');
    return new User(name);
  });
  const stamp = component(Stamp, [], () => new Stamp(++stamps), { scope: 'message' });
  return new App({
    channelLayer: new WatchedLayer({ capacity: options.capacity }),
    components: [currentUser, stamp],
    settings: {
      logError: (message, error) => journal.add({ event: 'logged', message, error }),
      websocket: { heartbeatInterval: 0, ...(options.receiveQueue === undefined ? {} : { receiveQueue: options.receiveQueue }) },
    },
    routes: [
      new WebSocketRoute('/plain', Plain),
      new WebSocketRoute('/refusing', Refusing),
      new WebSocketRoute('/closing', ClosingOnConnect),
      new WebSocketRoute('/lifecycle', Lifecycle),
      new WebSocketRoute('/subprotocol', Subprotocol),
      new WebSocketRoute('/early-late', SendsEarlyAndLate),
      new WebSocketRoute('/scope/{name}/{n:int}', ScopeReporter),
      new WebSocketRoute('/layered', Layered),
      new WebSocketRoute('/greet', Greeter),
      new WebSocketRoute('/ordered', Ordered),
    ],
  });
}

/** Reads until the connection ends and asserts the server closed it with `code`; returns the reason. */
async function expectClose(peer: Peer, code: number): Promise<string> {
  let error: unknown;
  try {
    for (;;) await peer.receive();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof WebSocketDisconnect, `expected a close ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `close reason: ${error.reason}`);
  return error.reason;
}

/**
 * Runs `scenario` on an app of its own over the same kind of transport as `like`, then closes
 * the app, which waits for every consumer to finish: afterwards nothing more can be recorded.
 */
async function withOwnApp(
  like: Transport,
  scenario: (transport: Transport, app: App) => Promise<void>,
  options?: Parameters<typeof makeApp>[0],
): Promise<void> {
  const app = makeApp(options);
  try {
    await scenario(like.name === 'TestClient' ? testTransport(app) : liveTransport(await app.listen(0)), app);
  } finally {
    await within(app.close(), WAIT, 'app.close(): a consumer kept running after its client left');
  }
}

/** Waits (bounded) until the server has counted `count` incoming messages: the only sign a frame has arrived. */
async function arrived(app: App, count: number): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (app.stats().messagesIn < count) {
    if (Date.now() > deadline) throw new Error(`the server saw ${app.stats().messagesIn} messages, expected ${count}`);
    await delay(1);
  }
}

let nextId = 0;
/** A fresh connection id, so journal entries of earlier tests never match. */
function freshId(): string {
  return `c${++nextId}`;
}

describe('WebSocketConsumer and JsonWebSocketConsumer', () => {
  it("keeps Channels' spelling: WebsocketConsumer and JsonWebsocketConsumer are the same classes", async () => {
    assert.equal(starwire.WebsocketConsumer, WebSocketConsumer);
    assert.equal(starwire.JsonWebsocketConsumer, JsonWebSocketConsumer);
    // A consumer written with the Channels name is served as one.
    class Echo extends starwire.WebsocketConsumer {
      override async receive(text?: string): Promise<void> {
        await this.send(text ?? '');
      }
    }
    const client = new TestClient(new App({ routes: [new WebSocketRoute('/echo', Echo)] }));
    const session = await client.websocket('/echo');
    session.sendText('hi');
    assert.equal(await session.receiveText(), 'hi');
    await session.close();
  });

  beforeEach(() => {
    journal = new Journal();
    gate = deferred<void>();
  });

  forEachTransport(makeApp, (transport, app) => {
    describe('connect', () => {
      it('accepts by default', async () => {
        const peer = await transport().open('/plain');
        peer.send('ignored: the default receive does nothing');
        assert.equal((await peer.close(1000)).code, 1000);
      });

      it('refuses the handshake with HTTP 403 when connect() does not accept; disconnect(1006) follows, as in Channels', async () => {
        const id = freshId();
        const refusal = await transport().refusal(`/refusing?id=${id}`);
        assert.equal(refusal.status, 403, refusal.body);
        // The refusal is written after the consumer has finished: its journal is complete.
        assert.deepEqual(
          journal.entries.filter((e) => e.id === id).map((e) => [e.event, e.code]),
          [
            ['connect', undefined],
            ['disconnect', 1006],
          ],
        );
      });

      it('lets connect() close with its own code, which the client sees', async () => {
        const ending = await transport().ending('/closing');
        assert.equal(ending.code, 4001);
        assert.equal(ending.reason, 'not today');
        assert.deepEqual(ending.messages, []);
      });

      it('accept(subprotocol) chooses one of the offered subprotocols', async () => {
        const peer = await transport().open('/subprotocol', { subprotocols: ['v1.chat', 'v2.chat'] });
        assert.equal(peer.protocol, 'v2.chat');
        await peer.close();
      });
    });

    describe('receive, send, close and disconnect', () => {
      it('gets text frames as receive(text) and binary frames as receive(undefined, bytes), and send() keeps the frame type', async () => {
        const id = freshId();
        const peer = await transport().open(`/lifecycle?id=${id}`);
        const bytes = Buffer.from([0x00, 0xff, 0x80]);
        peer.send('héllo');
        peer.send(bytes);
        assert.equal(await peer.receive(), 'text:héllo');
        assert.deepEqual(await peer.receive(), Buffer.concat([Buffer.from('bytes:'), bytes]));
        const received = journal.of('receive', id).map(({ text, bytes: got }) => ({ text, bytes: got }));
        assert.deepEqual(received, [
          { text: 'héllo', bytes: undefined },
          { text: undefined, bytes: [0x00, 0xff, 0x80] },
        ]);
        await peer.close();
      });

      it('send() and sendJson() throw at once before accept(), and resolve without rejecting once the peer has left', async () => {
        const id = freshId();
        const peer = await transport().open(`/early-late?id=${id}`);
        assert.deepEqual(await peer.receiveJson(), { early: Array(2).fill('WebSocket /early-late: accept() before sending') });
        await peer.close();
        const late = await journal.until((entry) => entry.event === 'late sends' && entry.id === id, 'the late sends');
        assert.deepEqual(late.results, [undefined, undefined]);
        assert.deepEqual(journal.of('logged'), []);
      });

      it('calls disconnect(code) exactly once, with the code the client closed with', async () => {
        const id = freshId();
        await withOwnApp(transport(), async (own) => {
          const peer = await own.open(`/lifecycle?id=${id}`);
          peer.send('one');
          assert.equal(await peer.receive(), 'text:one');
          assert.equal((await peer.close(4000, 'bye')).code, 4000);
          await journal.until((entry) => entry.event === 'disconnect' && entry.id === id, 'disconnect()');
        });
        assert.deepEqual(
          journal.of('disconnect', id).map((entry) => entry.code),
          [4000],
        );
        assert.deepEqual(
          journal.entries.filter((entry) => entry.id === id).map((entry) => entry.event),
          ['connect', 'receive', 'disconnect'],
        );
      });

      it('close(code, reason) from a handler closes the connection, and disconnect() gets that code', async () => {
        const id = freshId();
        const peer = await transport().open(`/lifecycle?id=${id}`);
        peer.send('close please');
        assert.equal(await expectClose(peer, 4002), 'as asked');
        const entry = await journal.until((e) => e.event === 'disconnect' && e.id === id, 'disconnect()');
        assert.equal(entry.code, 4002);
      });

      it('sees the connection in this.scope: path parameters (converted) and the query', async () => {
        const peer = await transport().open('/scope/alice/7?tag=a&tag=b&x=1');
        assert.deepEqual(await peer.receiveJson(), {
          path: '/scope/alice/7',
          pathParams: { name: 'alice', n: 7 },
          query: { tag: ['a', 'b'], x: '1' },
        });
        await peer.close();
      });
    });

    describe('the channel layer', () => {
      it("gives each consumer the app's layer and a channel of its own that dispatches layer messages by type", async () => {
        const first = await transport().open('/layered?id=first');
        const second = await transport().open('/layered?id=second');
        const a = (await first.receiveJson()) as { channelName: string; sameLayer: boolean };
        const b = (await second.receiveJson()) as { channelName: string; sameLayer: boolean };
        assert.equal(a.sameLayer, true);
        assert.match(a.channelName, /^consumer\.[^!]+![^!]+$/);
        assert.notEqual(a.channelName, b.channelName);

        const layer = app().channelLayer;
        await layer.send(a.channelName, { type: 'chat.message', text: 'to first' });
        await layer.send(a.channelName, { type: 'user.join', text: 'ada' });
        await layer.send(b.channelName, { type: 'chat.message', text: 'to second' });
        first.sendJson({ from: 'socket' });
        assert.deepEqual(await first.receiveJson(), { handled: 'chatMessage', text: 'to first' });
        assert.deepEqual(await first.receiveJson(), { handled: 'userJoin', text: 'ada' });
        assert.deepEqual(await first.receiveJson(), { handled: 'receiveJson', content: { from: 'socket' } });
        assert.deepEqual(await second.receiveJson(), { handled: 'chatMessage', text: 'to second' });
        await Promise.all([first.close(), second.close()]);
      });

      it('joins `groups` before connect() and leaves them after disconnect()', async () => {
        const peer = await transport().open('/layered?id=grouped');
        const { channelName } = (await peer.receiveJson()) as { channelName: string };
        const layer = app().channelLayer;
        assert.deepEqual(await layer.groupSend('news', { type: 'chat.message', text: 'headline' }), {
          delivered: 1,
          dropped: 0,
          remote: 'none',
        });
        assert.deepEqual(await layer.groupSend('sports', { type: 'user.join', text: 'score' }), {
          delivered: 1,
          dropped: 0,
          remote: 'none',
        });
        assert.deepEqual(await peer.receiveJson(), { handled: 'chatMessage', text: 'headline' });
        assert.deepEqual(await peer.receiveJson(), { handled: 'userJoin', text: 'score' });

        await peer.close(1000);
        for (const group of ['news', 'sports']) {
          await journal.until((e) => e.event === 'groupDiscard' && e.group === group && e.channel === channelName, `leaving ${group}`);
        }
        const disconnected = journal.of('disconnect', 'grouped');
        assert.equal(disconnected.length, 1, 'disconnect() runs before the groups are left');
        assert.deepEqual(await layer.groupSend('news', { type: 'chat.message', text: 'too late' }), {
          delivered: 0,
          dropped: 0,
          remote: 'none',
        });
        assert.deepEqual(await layer.groupSend('sports', { type: 'chat.message', text: 'too late' }), {
          delivered: 0,
          dropped: 0,
          remote: 'none',
        });
      });

      it('dispatches layer messages only to handlers the app wrote: others are logged and dropped, and the connection stays open', async () => {
        const peer = await transport().open('/layered?id=unhandled');
        const { channelName } = (await peer.receiveJson()) as { channelName: string };
        // Framework and lifecycle methods, Object.prototype members, underscores, websocket.* types, and no method at all.
        const refused = [
          'no.such.thing',
          'close',
          'accept',
          'connect',
          'disconnect',
          'send',
          'send.json',
          'receive',
          'receive.json',
          'group.send',
          'constructor',
          'to-string',
          'has-own-property',
          '__proto__',
          '_hidden',
          'websocket.receive',
          'websocket.disconnect',
          'starwire.consumer.stop', // the runner's own wake-up is known by identity, so a forged one is just a message
        ];
        for (const type of refused) await app().channelLayer.send(channelName, { type });
        await app().channelLayer.send(channelName, { type: 'chat.message', text: 'still here' });
        assert.deepEqual(await peer.receiveJson(), { handled: 'chatMessage', text: 'still here' }, 'nothing before it was dispatched');
        const logged = journal.of('logged');
        assert.equal(logged.length, refused.length);
        const first = logged[0].error;
        assert.ok(first instanceof Error);
        assert.match(`${String(logged[0].message)} ${first.message}`, /Layered.*noSuchThing\(\).*"no\.such\.thing"/s);
        assert.ok(logged.every((entry) => entry.error instanceof Error && /reserved for Starwire|has no method/.test(entry.error.message)));
        assert.deepEqual(journal.of('hidden'), []);
        peer.sendJson({ still: 'open' });
        assert.deepEqual(await peer.receiveJson(), { handled: 'receiveJson', content: { still: 'open' } });
        await peer.close();
      });

      it('a group message no member handles closes no member', async () => {
        const peers = [await transport().open('/layered?id=g1'), await transport().open('/layered?id=g2')];
        for (const peer of peers) await peer.receiveJson();
        assert.equal((await app().channelLayer.groupSend('news', { type: 'unknown.kind' })).delivered, 2);
        await app().channelLayer.groupSend('news', { type: 'chat.message', text: 'next' });
        for (const peer of peers) assert.deepEqual(await peer.receiveJson(), { handled: 'chatMessage', text: 'next' });
        assert.equal(journal.of('logged').length, 2, 'each member reported the message it dropped');
        await Promise.all(peers.map((peer) => peer.close()));
      });
    });

    describe('JSON and injected parameters', () => {
      it('closes a JsonWebSocketConsumer with 1007 on malformed JSON', async () => {
        const peer = await transport().open('/layered?id=json');
        await peer.receiveJson();
        peer.send('{"unfinished": ');
        assert.match(await expectClose(peer, 1007), /^Invalid JSON message/);
        assert.deepEqual(journal.of('logged'), [], 'bad input is not a server error');
      });

      it('injects a component into connect(): a user from the query, 401 without one', async () => {
        const peer = await transport().open('/greet?user=ada');
        assert.deepEqual(await peer.receiveJson(), { hello: 'ada' });
        await peer.close();
        const id = freshId();
        const refusal = await transport().refusal(`/greet?id=${id}`);
        assert.equal(refusal.status, 401);
        assert.deepEqual(JSON.parse(refusal.body), { detail: 'Who are you?' });
        assert.deepEqual(journal.of('disconnect', id), [], 'connect() never ran, so there is nothing to disconnect');
      });

      it('injects the validated Message and message-scoped components into receiveJson(); a schema failure closes 1007', async () => {
        const peer = await transport().open('/greet?user=grace');
        await peer.receiveJson();
        peer.sendJson({ n: 2 });
        peer.sendJson({ n: 5 });
        const one = (await peer.receiveJson()) as { double: number; stamp: number; user: string };
        const two = (await peer.receiveJson()) as { double: number; stamp: number; user: string };
        assert.deepEqual([one.double, two.double], [4, 10]);
        assert.deepEqual([one.user, two.user], ['grace', 'grace']);
        assert.equal(two.stamp, one.stamp + 1, 'a message-scoped component is made anew for each message');
        peer.sendJson({ n: 'three' });
        assert.match(await expectClose(peer, 1007), /^Invalid message/);
      });
    });

    describe('ordering', () => {
      it("handles socket and layer messages one at a time, each source in order, whatever the handlers' delays", async () => {
        const id = freshId();
        const peer = await transport().open(`/ordered?id=${id}`);
        const channel = await journalChannel(id);
        const delays = [25, 0, 10, 3, 18, 0, 7, 1];
        const layer = app().channelLayer;
        const sent: Promise<void>[] = [];
        delays.forEach((ms, index) => {
          peer.send(`s${index}:${ms}`);
          const step: StepEvent = { type: 'step.event', label: `l${index}`, ms: delays[delays.length - 1 - index] };
          sent.push(layer.send(channel, step));
        });
        await Promise.all(sent);
        const replies: string[] = [];
        for (let i = 0; i < delays.length * 2; i++) replies.push(await peer.receiveText());

        const steps = journal.entries.filter((e) => e.id === id && (e.event === 'start' || e.event === 'end'));
        // Strictly one at a time: every start is followed by its own end.
        for (let i = 0; i < steps.length; i += 2) {
          assert.deepEqual([steps[i].event, steps[i + 1].event, steps[i + 1].label], ['start', 'end', steps[i].label], `overlap at ${i}`);
        }
        const handled = steps.filter((e) => e.event === 'end').map((e) => String(e.label));
        assert.deepEqual(
          handled.filter((label) => label.startsWith('s')),
          delays.map((_ms, i) => `s${i}`),
        );
        assert.deepEqual(
          handled.filter((label) => label.startsWith('l')),
          delays.map((_ms, i) => `l${i}`),
        );
        assert.deepEqual(replies, handled, 'replies go out in the order the messages were handled');
        await peer.close();
      });

      it('handles messages in the order they arrived, across the socket and the layer', async () => {
        const id = freshId();
        const peer = await transport().open(`/ordered?id=${id}`);
        const channel = await journalChannel(id);
        const layer = app().channelLayer;
        const step = (label: string): StepEvent => ({ type: 'step.event', label, ms: 0 });

        peer.send('gate:0');
        await journal.until((e) => e.event === 'start' && e.id === id && e.label === 'gate', 'the gated handler to start');
        // While the gate holds the consumer, messages arrive alternately from the socket and the layer.
        let count = app().stats().messagesIn;
        peer.send('s1:0');
        await arrived(app(), ++count);
        await layer.send(channel, step('l1'));
        peer.send('s2:0');
        await arrived(app(), ++count);
        await layer.send(channel, step('l2'));
        await layer.send(channel, step('l3'));
        peer.send('s3:0');
        await arrived(app(), ++count);
        gate.resolve();

        const replies: string[] = [];
        for (let i = 0; i < 7; i++) replies.push(await peer.receiveText());
        assert.deepEqual(replies, ['gate', 's1', 'l1', 's2', 'l2', 'l3', 's3']);
        await peer.close();
      });

      it('stops taking layer messages while it is behind, so its channel fills and groupSend counts the drops', async () => {
        const id = freshId();
        await withOwnApp(
          transport(),
          async (own, ownApp) => {
            const peer = await own.open(`/ordered?id=${id}`);
            const channel = await journalChannel(id);
            await ownApp.channelLayer.groupAdd('crowd', channel);
            peer.send('gate:0');
            await journal.until((e) => e.event === 'start' && e.id === id && e.label === 'gate', 'the gated handler to start');
            let delivered = 0;
            let dropped = 0;
            for (let i = 0; i < 20; i++) {
              const result = await ownApp.channelLayer.groupSend('crowd', { type: 'step.event', label: `l${i}`, ms: 0 });
              delivered += result.delivered;
              dropped += result.dropped;
            }
            // The queue holds the gated task and 3 more; the channel holds 5: the rest is dropped.
            assert.deepEqual({ delivered, dropped }, { delivered: 8, dropped: 12 });
            gate.resolve();
            const replies: string[] = [];
            for (let i = 0; i < 9; i++) replies.push(await peer.receiveText());
            assert.deepEqual(replies, ['gate', ...Array.from({ length: 8 }, (_v, i) => `l${i}`)]);
            await peer.close();
          },
          { receiveQueue: 4, capacity: 5 },
        );
      });

      it('runs disconnect() after every message that arrived before the close', async () => {
        const id = freshId();
        await withOwnApp(transport(), async (own) => {
          const peer = await own.open(`/ordered?id=${id}`);
          peer.send('slow:30');
          peer.send('quick:0');
          await journal.until((e) => e.event === 'start' && e.id === id && e.label === 'slow', 'the first handler to start');
          await peer.close(4005);
          await journal.until((e) => e.event === 'disconnect' && e.id === id, 'disconnect()');
        });
        const events = journal.entries
          .filter((e) => e.id === id && e.event !== 'channel')
          .map((e) => (e.event === 'disconnect' ? `disconnect ${e.code}` : `${e.event} ${e.label}`));
        assert.deepEqual(events, ['start slow', 'end slow', 'start quick', 'end quick', 'disconnect 4005']);
      });
    });
  });
});

/** The channel of the Ordered consumer serving connection `id`. */
async function journalChannel(id: string): Promise<string> {
  const entry = await journal.until((e) => e.event === 'channel' && e.id === id, 'the channel name');
  return String(entry.channel);
}

describe('consumers with onInvalidMessage: reply', () => {
  class Strict extends JsonWebSocketConsumer {
    override async receiveJson(content: unknown): Promise<void> {
      await this.sendJson({ got: content });
    }
  }

  it('answers a malformed message with an error reply and stays connected', async () => {
    const app = new App({
      routes: [new WebSocketRoute('/strict', Strict, { onInvalidMessage: 'reply' })],
      settings: { logError: () => {} },
    });
    try {
      const ws = await new TestClient(app).websocket('/strict');
      ws.sendText('{oops');
      const reply = (await ws.receiveJson()) as { type: string; detail: string };
      assert.equal(reply.type, 'error');
      assert.match(reply.detail, /Invalid JSON message/);
      ws.sendJson({ fine: true });
      assert.deepEqual(await ws.receiveJson(), { got: { fine: true } });
      await ws.close();
    } finally {
      await app.close();
    }
  });
});
