import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../lib/app';
import { TestClient } from '../../lib/testing/test-client';
import { createApp } from '../../samples/chat/app';
import { CLIENT_BUNDLE_PATH, clientModuleRoute } from '../../samples/chat/client-module';
import { bundleClient } from '../../scripts/bundle-client';
import { getJson } from '../support/cli-process';
import { parseExposition, sampleValue, scrape } from '../support/prometheus-text';
import { forEachTransport, type Peer, type Transport, testTransport } from '../support/ws-client';

/** A message from the chat server; each test reads the fields its `type` carries. */
interface ServerMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

interface PresenceUser {
  readonly id: string;
  readonly name: string;
  readonly status: string;
}

interface ChatLine extends ServerMessage {
  readonly id: string;
  readonly room: string;
  readonly text: string;
  readonly from: { readonly id: string; readonly name: string };
}

/** How long a test waits for a message it expects. */
const WAIT = 1500;

/**
 * One chat user's connection. The server interleaves broadcasts (presence, room lists) with
 * replies, so `next` finds the first message of a kind and keeps the others for later calls.
 */
class Chatter {
  private readonly backlog: ServerMessage[] = [];
  /** Every message read so far, in arrival order. */
  readonly seen: ServerMessage[] = [];

  /** The first message of every connection. */
  welcome: ServerMessage = { type: 'none' };

  private constructor(readonly peer: Peer) {}

  /** Connects as `name` and reads the welcome. */
  static async connect(transport: Transport, name: string): Promise<Chatter> {
    const chatter = new Chatter(await transport.open(`/ws?name=${encodeURIComponent(name)}`));
    chatter.welcome = await chatter.next('welcome');
    return chatter;
  }

  send(message: unknown): void {
    this.peer.sendJson(message);
  }

  /** The first message of `type` (and matching `test`), from the backlog or the wire. */
  async next<T extends ServerMessage = ServerMessage>(type: string, test: (message: T) => boolean = () => true): Promise<T> {
    const matches = (message: ServerMessage): message is T => message.type === type && test(message as T);
    const index = this.backlog.findIndex(matches);
    if (index !== -1) return this.backlog.splice(index, 1)[0] as T;
    const deadline = Date.now() + WAIT;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${type} message within ${WAIT} ms; got ${JSON.stringify(this.backlog)}`);
      const message = (await this.peer.receiveJson(left)) as ServerMessage;
      this.seen.push(message);
      if (matches(message)) return message;
      this.backlog.push(message);
    }
  }

  /** Joins a room: the `joined` notice, then the room's history. */
  async join(room: string): Promise<ServerMessage> {
    this.send({ type: 'join', room });
    await this.next('joined', (message) => message.room === room);
    return this.next('history', (message) => message.room === room);
  }

  /** Says something and waits for the room to echo it back, with its id. */
  async say(room: string, text: string): Promise<ChatLine> {
    this.send({ type: 'say', room, text });
    return this.next<ChatLine>('message', (message) => message.room === room && message.text === text);
  }

  close(): Promise<unknown> {
    return this.peer.close(1000);
  }
}

function names(message: ServerMessage): string[] {
  return (message.users as PresenceUser[]).map((user) => user.name).sort();
}

function statusOf(message: ServerMessage, id: string): string | undefined {
  return (message.users as PresenceUser[]).find((user) => user.id === id)?.status;
}

describe('samples/chat', () => {
  // `npm run build` bundles the client; a build by `tsc` alone does not.
  before(() => bundleClient());

  it('serves the browser page at GET /', async () => {
    const app = createApp();
    try {
      const response = await new TestClient(app).get('/');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      assert.match(html, /<title>Starwire chat<\/title>/);
      assert.match(html, /function connectChat\(/);
    } finally {
      await app.close();
    }
  });

  it('answers the probes over HTTP: GET /healthz 200, GET /readyz 200 once started and 503 while closing', async () => {
    const app = createApp();
    const server = await app.listen(0);
    const port = App.portOf(server);
    try {
      const alive = await getJson(port, '/healthz');
      assert.deepEqual([alive.status, alive.body], [200, { status: 'ok' }]);
      assert.equal((await getJson(port, '/readyz')).status, 200);
      const closing = app.close({ drainDelay: 300 });
      assert.deepEqual((await getJson(port, '/readyz')).body, { status: 'unavailable', reasons: ['draining'] });
      await closing;
    } finally {
      await app.close();
    }
  });

  it('exposes GET /metrics (prom-client is installed here): the realtime figures and the /ws connections', async () => {
    const app = createApp();
    const server = await app.listen(0);
    try {
      const port = App.portOf(server);
      await getJson(port, '/healthz');
      const answer = await scrape(port);
      assert.equal(answer.status, 200);
      const samples = parseExposition(answer.body);
      assert.equal(sampleValue(samples, 'starwire_http_requests_total', { method: 'GET', route: '/healthz', status: '200' }), 1);
      assert.equal(sampleValue(samples, 'starwire_realtime', { figure: 'rooms' }), (await app.realtime.stats()).rooms);
    } finally {
      await app.close();
    }
  });

  it('serves the browser client as one bundled module, with no import left to fetch', async () => {
    const app = createApp();
    try {
      const client = new TestClient(app);
      const response = await client.get(CLIENT_BUNDLE_PATH);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.ok(response.headers.get('etag'), 'an ETag, so a reload revalidates instead of downloading');
      const source = await response.text();
      assert.match(source, /export \{[^}]*\bconnect\b/);
      assert.doesNotMatch(source, /^import /m);
      // The page imports exactly that module.
      const page = await (await client.get('/')).text();
      assert.ok(page.includes(`from '${CLIENT_BUNDLE_PATH}'`));
    } finally {
      await app.close();
    }
  });

  it('answers GET /client/... with 503 and what to do when the client was not built', async () => {
    const root = mkdtempSync(join(tmpdir(), 'starwire-chat-'));
    writeFileSync(join(root, 'package.json'), '{}');
    const app = new App({ routes: [clientModuleRoute(root)] });
    try {
      const response = await new TestClient(app).get(CLIENT_BUNDLE_PATH);
      assert.equal(response.status, 503);
      assert.match(await response.text(), /npm run build/);
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('answers ping with pong, and every command that carries a requestId with one reply carrying replyTo', async () => {
    const app = createApp();
    try {
      const uma = await Chatter.connect(testTransport(app), 'Uma');
      uma.send({ type: 'ping' });
      assert.deepEqual(await uma.next('pong'), { type: 'pong' });
      uma.send({ type: 'ping', requestId: 1 });
      assert.deepEqual(await uma.next('pong'), { type: 'pong', replyTo: 1 });

      uma.send({ type: 'join', room: 'lobby', requestId: 2 });
      await uma.next('joined');
      const joined = await uma.next('history');
      assert.equal(joined.replyTo, 2);
      assert.equal(joined.room, 'lobby');

      uma.send({ type: 'say', room: 'lobby', text: 'acknowledged', requestId: 3 });
      const said = await uma.next('said');
      const line = await uma.next<ChatLine>('message', (message) => message.text === 'acknowledged');
      assert.deepEqual(said, { type: 'said', room: 'lobby', id: line.id, replyTo: 3 });
      assert.equal(line.replyTo, undefined, 'the broadcast is not the reply');

      uma.send({ type: 'typing', room: 'lobby', typing: true, requestId: 4 });
      assert.deepEqual(await uma.next('ok'), { type: 'ok', replyTo: 4 });
      uma.send({ type: 'status', status: 'busy', requestId: 5 });
      assert.deepEqual(await uma.next('ok'), { type: 'ok', replyTo: 5 });
      uma.send({ type: 'history', room: 'lobby', requestId: 6 });
      const history = await uma.next('history');
      assert.equal(history.replyTo, 6);
      assert.deepEqual(
        (history.messages as ChatLine[]).map((message) => message.id),
        [line.id],
      );
      assert.equal(history.complete, true);
      uma.send({ type: 'leave', room: 'lobby', requestId: 7 });
      assert.deepEqual(await uma.next('left'), { type: 'left', room: 'lobby', replyTo: 7 });

      // Error replies too: the chat's rules, and messages that fail the schema.
      uma.send({ type: 'say', room: 'lobby', text: 'not a member now', requestId: 8 });
      assert.deepEqual(await uma.next('error'), { type: 'error', detail: 'Join lobby before saying something there', replyTo: 8 });
      uma.send({ type: 'say', room: 'lobby', requestId: 9 });
      const invalid = await uma.next('error');
      assert.equal(invalid.replyTo, 9);
      assert.match(String(invalid.detail), /must have required property 'text'/);
      // No usable requestId, nothing to echo.
      for (const requestId of [0, -1, 1.5, 'ten']) {
        uma.send({ type: 'ping', requestId });
        const refused = await uma.next('error');
        assert.equal(refused.replyTo, undefined, String(requestId));
        assert.match(String(refused.detail), /requestId/);
      }
      // Without a requestId, nothing changes: a say is answered by its broadcast only.
      uma.send({ type: 'join', room: 'lobby' });
      await uma.next('history', (message) => message.replyTo === undefined);
      uma.send({ type: 'say', room: 'lobby', text: 'plain' });
      await uma.next<ChatLine>('message', (message) => message.text === 'plain');
      uma.send({ type: 'ping', requestId: 10 });
      await uma.next('pong');
      assert.equal(uma.seen.filter((message) => message.type === 'said' || message.type === 'ok').length, 3);
      await uma.close();
    } finally {
      await app.close();
    }
  });

  it('says a replay is incomplete when the room no longer keeps all that followed the id', async () => {
    const app = createApp({ realtime: { historyLimit: 2 } });
    try {
      const max = await Chatter.connect(testTransport(app), 'Max');
      await max.join('lobby');
      const first = await max.say('lobby', '1');
      for (const text of ['2', '3', '4']) await max.say('lobby', text);
      max.send({ type: 'history', room: 'lobby', after: first.id });
      const replay = await max.next('history');
      assert.deepEqual(
        (replay.messages as ChatLine[]).map((message) => message.text),
        ['3', '4'],
      );
      assert.equal(replay.complete, false);
      await max.close();
    } finally {
      await app.close();
    }
  });

  it("gives a private room's history to its members only, and a public room's to anyone", async () => {
    const app = createApp();
    try {
      await app.realtime.createRoom({ id: 'vault', isPrivate: true });
      await app.realtime.invite('vault', 'Ivy');
      const [ivy, max] = [await Chatter.connect(testTransport(app), 'Ivy'), await Chatter.connect(testTransport(app), 'Max')];
      await ivy.join('vault');
      await ivy.say('vault', 'the code is 1234');
      max.send({ type: 'history', room: 'vault' });
      assert.deepEqual(await max.next('error'), { type: 'error', detail: 'No room vault' });
      ivy.send({ type: 'history', room: 'vault' });
      assert.deepEqual(
        ((await ivy.next('history')).messages as ChatLine[]).map((line) => line.text),
        ['the code is 1234'],
      );
      await ivy.join('lobby');
      await ivy.say('lobby', 'hello');
      max.send({ type: 'history', room: 'lobby' });
      assert.deepEqual(
        ((await max.next('history')).messages as ChatLine[]).map((line) => line.text),
        ['hello'],
        'without joining',
      );
      await Promise.all([ivy.close(), max.close()]);
    } finally {
      await app.close();
    }
  });

  // A short reconnect grace, so a user who closes is reported gone within the test.
  forEachTransport(
    () => createApp({ realtime: { reconnectGrace: 50 } }),
    (transport) => {
      it('welcomes a user with the default rooms and who is online', async () => {
        const ada = await Chatter.connect(transport(), 'Ada');
        try {
          assert.deepEqual(ada.welcome.user, { id: 'Ada', name: 'Ada', status: 'online', metadata: {} });
          assert.deepEqual((ada.welcome.rooms as { id: string }[]).map((room) => room.id).sort(), ['lobby', 'random']);
          assert.ok(names(ada.welcome).includes('Ada'));
          assert.deepEqual(ada.welcome.memberOf, []);
        } finally {
          await ada.close();
        }
      });

      it('broadcasts what one user says to everyone in the room, with an id', async () => {
        const ann = await Chatter.connect(transport(), 'Ann');
        const bob = await Chatter.connect(transport(), 'Bob');
        try {
          await ann.join('lobby');
          await bob.join('lobby');
          const sent = await ann.say('lobby', 'hello, Bob');
          const got = await bob.next<ChatLine>('message', (message) => message.text === 'hello, Bob');
          assert.match(sent.id, /^[0-9a-z]+:\d+$/);
          assert.deepEqual(got, sent);
          assert.deepEqual(got.from, { id: 'Ann', name: 'Ann' });
          assert.equal(typeof got.at, 'string');
        } finally {
          await Promise.all([ann.close(), bob.close()]);
        }
      });

      it('sends a typing notice to the others in the room only, and keeps it out of history', async () => {
        const cat = await Chatter.connect(transport(), 'Cat');
        const dan = await Chatter.connect(transport(), 'Dan');
        try {
          await cat.join('typing-room');
          await dan.join('typing-room');
          cat.send({ type: 'typing', room: 'typing-room', typing: true });
          const notice = await dan.next('typing');
          assert.deepEqual(notice, { type: 'typing', room: 'typing-room', user: { id: 'Cat', name: 'Cat' }, typing: true });
          // Dan answers only after the notice reached him: had Cat been sent one, it would be queued before this line.
          await dan.say('typing-room', 'I see you typing');
          await cat.next('message', (message) => message.text === 'I see you typing');
          assert.deepEqual(
            cat.seen.filter((message) => message.type === 'typing'),
            [],
          );
          cat.send({ type: 'history', room: 'typing-room' });
          const history = await cat.next('history', (message) => message.room === 'typing-room');
          assert.deepEqual(
            (history.messages as ServerMessage[]).map((message) => message.type),
            ['message'],
          );
        } finally {
          await Promise.all([cat.close(), dan.close()]);
        }
      });

      it('pushes presence to everyone: both users listed, then a status change, then one leaving', async () => {
        const eve = await Chatter.connect(transport(), 'Eve');
        const fay = await Chatter.connect(transport(), 'Fay');
        try {
          const joined = await eve.next('presence', (message) => message.event === 'joined' && (message.user as PresenceUser).id === 'Fay');
          assert.ok(names(joined).includes('Fay'));
          assert.ok(names(joined).includes('Eve'));

          fay.send({ type: 'status', status: 'away' });
          for (const chatter of [eve, fay]) {
            const changed = await chatter.next('presence', (message) => message.event === 'status' && statusOf(message, 'Fay') === 'away');
            assert.equal(statusOf(changed, 'Eve'), 'online');
          }

          await fay.close();
          const left = await eve.next('presence', (message) => message.event === 'left' && (message.user as PresenceUser).id === 'Fay');
          assert.equal((left.user as PresenceUser).id, 'Fay');
          assert.ok(!names(left).includes('Fay'));
          assert.ok(names(left).includes('Eve'));
        } finally {
          await eve.close();
        }
      });

      it('replays the history after a given id, with complete: true', async () => {
        const gil = await Chatter.connect(transport(), 'Gil');
        try {
          await gil.join('history-room');
          const first = await gil.say('history-room', 'one');
          await gil.say('history-room', 'two');
          await gil.say('history-room', 'three');

          gil.send({ type: 'history', room: 'history-room', after: first.id });
          const replay = await gil.next('history', (message) => message.room === 'history-room');
          assert.equal(replay.complete, true);
          assert.equal(replay.after, first.id);
          assert.deepEqual(
            (replay.messages as ChatLine[]).map((message) => message.text),
            ['two', 'three'],
          );

          // A newcomer gets the room's recent messages on joining.
          const hal = await Chatter.connect(transport(), 'Hal');
          try {
            const recent = await hal.join('history-room');
            assert.deepEqual(
              (recent.messages as ChatLine[]).map((message) => message.text),
              ['one', 'two', 'three'],
            );
            assert.deepEqual((recent.messages as ChatLine[])[0], first);
          } finally {
            await hal.close();
          }
        } finally {
          await gil.close();
        }
      });

      it('lets a user who comes back replay what it missed, after the id it saw last', async () => {
        const kim = await Chatter.connect(transport(), 'Kim');
        const lee = await Chatter.connect(transport(), 'Lee');
        try {
          await kim.join('resume-room');
          await lee.join('resume-room');
          const last = await kim.say('resume-room', 'before');
          await kim.close();
          // Past the grace: Kim is out of the room by the time Lee hears Kim left.
          await lee.next('presence', (message) => message.event === 'left' && (message.user as PresenceUser).id === 'Kim');
          await lee.say('resume-room', 'while you were away');
          await lee.say('resume-room', 'and again');

          const back = await Chatter.connect(transport(), 'Kim');
          try {
            assert.deepEqual(back.welcome.memberOf, []);
            back.send({ type: 'history', room: 'resume-room', after: last.id });
            const replay = await back.next('history', (message) => message.room === 'resume-room');
            assert.deepEqual(
              (replay.messages as ChatLine[]).map((message) => message.text),
              ['while you were away', 'and again'],
            );
            assert.equal(replay.complete, true);
          } finally {
            await back.close();
          }
        } finally {
          await lee.close();
        }
      });

      it('answers invalid messages with an error and keeps the connection', async () => {
        const ivy = await Chatter.connect(transport(), 'Ivy');
        try {
          await ivy.join('lobby');
          const cases: [message: unknown, detail: RegExp][] = [
            [{ type: 'shout', room: 'lobby' }, /\/type must be equal to one of the allowed values/],
            [{ type: 'say', room: 'lobby' }, /must have required property 'text'/],
            [{ type: 'say', room: 'lobby', text: 'x'.repeat(501) }, /\/text must NOT have more than 500 characters/],
            [{ type: 'say', room: 'Lobby!', text: 'hi' }, /\/room must match pattern/],
            [{ type: 'status', status: 'asleep' }, /\/status must be equal to one of the allowed values/],
            [{ type: 'history', room: 'lobby', after: 'yesterday' }, /\/after must match pattern/],
          ];
          for (const [message, detail] of cases) {
            ivy.send(message);
            const error = await ivy.next('error');
            assert.match(String(error.detail), detail, JSON.stringify(message));
            assert.ok(Array.isArray(error.errors));
          }
          ivy.peer.send('{"type": "say",');
          assert.match(String((await ivy.next('error')).detail), /^Invalid JSON message/);

          // Errors of the chat's own rules, not the schema's.
          ivy.send({ type: 'say', room: 'random', text: 'not a member' });
          assert.deepEqual(await ivy.next('error'), { type: 'error', detail: 'Join random before saying something there' });

          const still = await ivy.say('lobby', 'still here');
          assert.equal(still.text, 'still here');
        } finally {
          await ivy.close();
        }
      });

      it('stops sending a room to a user who left it', async () => {
        const jo = await Chatter.connect(transport(), 'Jo');
        try {
          await jo.join('leave-room');
          jo.send({ type: 'leave', room: 'leave-room' });
          assert.deepEqual(await jo.next('left'), { type: 'left', room: 'leave-room' });
          jo.send({ type: 'say', room: 'leave-room', text: 'anyone?' });
          assert.match(String((await jo.next('error')).detail), /^Join leave-room/);
        } finally {
          await jo.close();
        }
      });

      it('tells every member of a room the new member list when someone joins or leaves it', async () => {
        const [kim, lee] = [await Chatter.connect(transport(), 'Kim'), await Chatter.connect(transport(), 'Lee')];
        try {
          await kim.join('members-room');
          await lee.join('members-room');
          const both = await kim.next(
            'members',
            (message) => message.room === 'members-room' && (message.members as string[]).length === 2,
          );
          assert.deepEqual([...(both.members as string[])].sort(), ['Kim', 'Lee']);
          lee.send({ type: 'leave', room: 'members-room' });
          const one = await kim.next('members', (message) => message.room === 'members-room' && (message.members as string[]).length === 1);
          assert.deepEqual(one.members, ['Kim']);
        } finally {
          await Promise.all([kim.close(), lee.close()]);
        }
      });

      it('refuses a handshake without a usable name with 400', async () => {
        assert.equal((await transport().refusal('/ws')).status, 400);
        assert.equal((await transport().refusal('/ws?name=%20padded')).status, 400);
      });
    },
  );
});
