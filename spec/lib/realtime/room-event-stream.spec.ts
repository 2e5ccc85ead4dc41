import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { LastEventId } from '../../../components/last-event-id';
import { PathParam } from '../../../components/path-param';
import { App } from '../../../lib/app';
import type { ChannelLayer } from '../../../lib/channels/channel-layer';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import { RedisChannelLayer } from '../../../lib/channels/redis-channel-layer';
import type { EventStream } from '../../../lib/http/event-stream';
import { HTMLResponse } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { groupName } from '../../../lib/realtime/ids';
import { RealtimeManager } from '../../../lib/realtime/manager';
import { MemoryRealtimeStore } from '../../../lib/realtime/memory-store';
import { RedisRealtimeStore } from '../../../lib/realtime/redis-store';
import { type HistoryReplay, parseHistoryId, type RealtimeStore } from '../../../lib/realtime/store';
import { Route } from '../../../lib/routing/routes';
import { launchChromium, openWatchedPage, until } from '../../support/chromium';
import { eventually } from '../../support/realtime-app';
import { deleteKeys } from '../../support/redis-admin';
import { numsub, REDIS_URL } from '../../support/redis-layers';
import { openSse } from '../../support/sse-reader';

const roomEvents = inject([PathParam('room'), LastEventId, RealtimeManager], (room, lastEventId, realtime) =>
  realtime.roomEventStream(room, { lastEventId, keepAlive: 0 }),
);
const channelEvents = inject([PathParam('channel'), LastEventId, RealtimeManager], (channel, lastEventId, realtime) =>
  realtime.channelEventStream(channel, { lastEventId, event: 'update' }),
);

for (const backend of ['memory', 'redis'] as const) {
  describe(`realtime.roomEventStream (${backend} store)`, () => {
    // Each test its own Redis keys: a room's history must not carry over.
    const prefixes: string[] = [];
    let app: App;
    let base: string;
    let layer: ChannelLayer;
    const errors: unknown[] = [];

    beforeEach(async () => {
      let store: RealtimeStore;
      const prefix = `sw-test-sse-${randomBytes(4).toString('hex')}`;
      prefixes.push(prefix);
      if (backend === 'redis') {
        store = new RedisRealtimeStore({ url: REDIS_URL, prefix });
        layer = new RedisChannelLayer({ url: REDIS_URL, prefix });
      } else {
        store = new MemoryRealtimeStore();
        layer = new InMemoryChannelLayer();
      }
      app = new App({
        routes: [new Route('/rooms/{room}/events', 'GET', roomEvents), new Route('/channels/{channel}/events', 'GET', channelEvents)],
        channelLayer: layer,
        realtime: { store },
        settings: { logError: (_message, error) => errors.push(error) },
      });
      base = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
      await app.realtime.createRoom({ id: 'lobby' });
      errors.length = 0;
    });
    afterEach(() => app.close());
    after(async () => {
      if (backend !== 'redis') return;
      const admin = new Redis(REDIS_URL);
      for (const prefix of prefixes) await deleteKeys(admin, prefix);
      admin.disconnect();
    });

    it('streams live broadcasts with their history ids as event ids', async () => {
      const sse = await openSse(`${base}/rooms/lobby/events`);
      assert.equal(sse.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      // The `: live` comment says the stream follows the room: broadcasts from then on reach it.
      assert.deepEqual(await sse.next(), { kind: 'comment', text: 'live' });
      await app.realtime.broadcastToRoom('lobby', { text: 'probe' }, { history: false });
      const probe = await sse.nextEvent();
      assert.equal(probe.id, undefined, 'a message not kept has no id');
      const sent = await app.realtime.broadcastToRoom('lobby', { text: 'hello' });
      const event = await sse.nextEvent();
      assert.equal(event.id, sent.id);
      assert.deepEqual(JSON.parse(event.data), { text: 'hello', id: sent.id });
      sse.close();
    });

    it('resumes after Last-Event-ID: what the room kept first, then resumed, then live, none twice', async () => {
      const kept: string[] = [];
      for (const text of ['one', 'two', 'three']) kept.push((await app.realtime.broadcastToRoom('lobby', { text })).id as string);
      const sse = await openSse(`${base}/rooms/lobby/events`, { 'last-event-id': kept[0] });
      const two = await sse.nextEvent();
      const three = await sse.nextEvent();
      assert.deepEqual([two.id, three.id], kept.slice(1));
      assert.deepEqual(JSON.parse(three.data), { text: 'three', id: kept[2] });
      const resumed = await sse.nextEvent();
      assert.equal(resumed.event, 'resumed');
      assert.deepEqual(JSON.parse(resumed.data), { complete: true, last: kept[2] });
      const four = await app.realtime.broadcastToRoom('lobby', { text: 'four' });
      assert.equal((await sse.nextEvent()).id, four.id);
      sse.close();
    });

    it('misses nothing and repeats nothing when broadcasts race the reconnect', async () => {
      const first = await app.realtime.broadcastToRoom('lobby', { n: 0 });
      const sending = (async () => {
        for (let n = 1; n <= 30; n++) await app.realtime.broadcastToRoom('lobby', { n });
      })();
      const sse = await openSse(`${base}/rooms/lobby/events?lastEventId=${encodeURIComponent(first.id as string)}`);
      await sending;
      const offsets: number[] = [];
      while (offsets.length < 30) {
        const event = await sse.nextEvent();
        if (event.event === 'resumed') continue;
        offsets.push(parseHistoryId(event.id as string).offset);
        assert.equal(JSON.parse(event.data).n, offsets.length);
      }
      assert.deepEqual(
        offsets,
        Array.from({ length: 30 }, (_, i) => parseHistoryId(first.id as string).offset + i + 1),
      );
      sse.close();
    });

    it('says complete: false when the id names an epoch the room no longer has', async () => {
      await app.realtime.broadcastToRoom('lobby', { text: 'kept' });
      const sse = await openSse(`${base}/rooms/lobby/events`, { 'last-event-id': 'zzzzzz:3' });
      assert.equal(JSON.parse((await sse.nextEvent()).data).text, 'kept');
      const resumed = await sse.nextEvent();
      assert.equal(resumed.event, 'resumed');
      assert.equal(JSON.parse(resumed.data).complete, false);
      sse.close();
    });

    it('answers 404 for a missing room and 400 for a malformed Last-Event-ID, before any stream', async () => {
      const missing = await fetch(`${base}/rooms/nowhere/events`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { detail: 'Room nowhere does not exist' });
      const bad = await fetch(`${base}/rooms/lobby/events`, { headers: { 'last-event-id': 'not an id' } });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).detail, /Last-Event-ID/);
      assert.deepEqual(errors, []);
    });

    it('streams a persistent channel under its event name', async () => {
      await app.realtime.createChannel({ id: 'prices', isPersistent: true });
      const before = await app.realtime.broadcastToChannel('prices', { acme: 1 });
      const sse = await openSse(`${base}/channels/prices/events`, { 'last-event-id': `${before.id?.split(':')[0]}:0` });
      const replayed = await sse.nextEvent();
      assert.deepEqual([replayed.event, replayed.id], ['update', before.id]);
      assert.equal((await sse.nextEvent()).event, 'resumed');
      const live = await app.realtime.broadcastToChannel('prices', { acme: 2 });
      const event = await sse.nextEvent();
      assert.deepEqual([event.event, event.id, JSON.parse(event.data).acme], ['update', live.id, 2]);
      sse.close();
    });

    if (backend === 'redis') {
      it('follows the room on Redis while a stream is open, and stops when the client leaves', async () => {
        const admin = new Redis(REDIS_URL);
        try {
          const channel = (layer as RedisChannelLayer).groupChannel(groupName('room', 'lobby'));
          assert.equal(await numsub(admin, channel), 0);
          const sse = await openSse(`${base}/rooms/lobby/events`, { 'last-event-id': '0:0' });
          assert.equal((await sse.nextEvent()).event, 'resumed');
          assert.equal(await numsub(admin, channel), 1);
          sse.close();
          await eventually(async () => (await numsub(admin, channel)) === 0, 3000, 'the room subscription to end');
          assert.deepEqual(errors, []);
        } finally {
          admin.disconnect();
        }
      });
    }
  });
}

/** A store whose history reads wait for the test: broadcasts then land in both history and the live queue. */
class HeldHistoryStore extends MemoryRealtimeStore {
  reads = 0;
  release: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  override async readHistory(key: string, afterId: string | undefined, limit: number): Promise<HistoryReplay> {
    this.reads++;
    await this.gate;
    return super.readHistory(key, afterId, limit);
  }
}

describe('realtime.roomEventStream: broadcasts during the history read', () => {
  it('sends each message once, in order, whether history or the live feed had it first', async () => {
    const store = new HeldHistoryStore();
    const app = new App({ routes: [new Route('/rooms/{room}/events', 'GET', roomEvents)], realtime: { store } });
    try {
      const base = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
      await app.realtime.createRoom({ id: 'lobby' });
      const first = await app.realtime.broadcastToRoom('lobby', { n: 0 });
      const sse = await openSse(`${base}/rooms/lobby/events`, { 'last-event-id': first.id as string });
      await eventually(() => store.reads === 1, 2000, 'the history read');
      const sent: string[] = [];
      for (let n = 1; n <= 3; n++) sent.push((await app.realtime.broadcastToRoom('lobby', { n })).id as string);
      store.release();
      const ids: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) ids.push((await sse.nextEvent()).id);
      assert.deepEqual(ids, sent);
      assert.equal((await sse.nextEvent()).event, 'resumed');
      const later = await app.realtime.broadcastToRoom('lobby', { n: 4 });
      assert.equal((await sse.nextEvent()).id, later.id, 'the live copies of 1–3 were dropped');
      sse.close();
    } finally {
      await app.close();
    }
  });
});

const PAGE = `<!doctype html><meta charset="utf-8"><title>sse</title><link rel="icon" href="data:,"><body><pre id="log"></pre><script>
  window.got = [];
  window.resumed = [];
  const source = new EventSource('/rooms/lobby/events');
  source.onmessage = (event) => {
    window.got.push({ id: event.lastEventId, n: JSON.parse(event.data).n });
    document.getElementById('log').textContent = JSON.stringify(window.got);
  };
  source.addEventListener('resumed', (event) => window.resumed.push(JSON.parse(event.data)));
</script></body>`;

interface PageState {
  got: { id: string; n: number }[];
  resumed: { complete: boolean }[];
}

describe('realtime.roomEventStream in Chromium', () => {
  let browser: Browser | undefined;
  let app: App;
  const open = new Set<EventStream>();

  before(async () => {
    browser = await launchChromium();
    app = new App({
      routes: [
        new Route('/', 'GET', () => new HTMLResponse(PAGE)),
        new Route(
          '/rooms/{room}/events',
          'GET',
          inject([PathParam('room'), LastEventId, RealtimeManager], async (room, lastEventId, realtime) => {
            const stream = await realtime.roomEventStream(room, { lastEventId, retry: 200 });
            open.add(stream);
            stream.signal.addEventListener('abort', () => open.delete(stream));
            return stream;
          }),
        ),
      ],
    });
    await app.realtime.createRoom({ id: 'lobby' });
  });
  after(async () => {
    await browser?.close();
    await app.close();
  });

  it('an EventSource that lost its connection reconnects with Last-Event-ID and gets what it missed, once', async () => {
    const port = App.portOf(await app.listen(0, '127.0.0.1'));
    const { page, errors, context } = await openWatchedPage(browser as Browser, `http://127.0.0.1:${port}/`);
    try {
      await eventually(() => open.size === 1, 5000, 'the page to open its stream');
      const ids: string[] = [];
      for (const n of [1, 2]) ids.push((await app.realtime.broadcastToRoom('lobby', { n })).id as string);
      await until(page, 'two messages', () => (window as unknown as PageState).got.length === 2, undefined);
      // The server drops the stream; what is broadcast before the browser is back is only in history.
      for (const stream of open) stream.close();
      for (const n of [3, 4]) ids.push((await app.realtime.broadcastToRoom('lobby', { n })).id as string);
      await until(page, 'the resume', () => (window as unknown as PageState).resumed.length === 1, undefined);
      ids.push((await app.realtime.broadcastToRoom('lobby', { n: 5 })).id as string);
      await until(page, 'five messages', () => (window as unknown as PageState).got.length >= 5, undefined);
      const state = await page.evaluate(() => ({
        got: (window as unknown as PageState).got,
        resumed: (window as unknown as PageState).resumed,
      }));
      assert.deepEqual(
        state.got,
        ids.map((id, i) => ({ id, n: i + 1 })),
      );
      assert.deepEqual(
        state.resumed.map((r) => r.complete),
        [true],
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
