import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { App } from '../../lib/app';
import { compareIds } from '../../lib/realtime/store';
import { createApp } from '../../samples/chat/app';
import { bundleClient } from '../../scripts/bundle-client';
import { launchChromium, openWatchedPage, until, type WatchedPage } from '../support/chromium';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * The chat sample's page (samples/chat/public/index.html, on the bundled browser client)
 * in headless Chromium: two users, ann straight to the server and bob through a TCP proxy that
 * the spec severs, refusing reconnects for a while, the way a lost network does. Not with
 * `context.setOffline(true)`: in Chromium that fails new connections but holds an open
 * WebSocket's frames in both directions and delivers them once back online, so neither end sees
 * a close and nothing is missed.
 */

/** The room's bounded history: the second cut outlasts it, the first does not. */
const HISTORY_LIMIT = 10;
/** Fast heartbeats and reconnects, read by the page from its query string. */
const PAGE_QUERY = '?heartbeat=1000&heartbeatTimeout=1000&reconnectDelay=100&reconnectMax=400';
const ROOM = 'e2e';

/** What a page shows in its message list, in order. */
interface Line {
  readonly id: string;
  readonly text: string;
}

function shownLines(page: Page): Promise<Line[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="chat-line"]')].map((item) => ({
      id: item.dataset.id ?? '',
      text: item.querySelector('.text')?.textContent ?? '',
    })),
  );
}

function shownTexts(page: Page): Promise<string[]> {
  return shownLines(page).then((lines) => lines.map((line) => line.text));
}

/** Waits until the page's message list is exactly `texts`. */
function untilTexts(page: Page, who: string, texts: readonly string[]): Promise<void> {
  return until(
    page,
    `${who} to show ${JSON.stringify(texts)}`,
    (expected) => {
      const shown = [...document.querySelectorAll('[data-testid="chat-line"] .text')].map((node) => node.textContent);
      return JSON.stringify(shown) === JSON.stringify(expected);
    },
    texts,
  );
}

function untilConnection(page: Page, who: string, phase: string): Promise<void> {
  return until(
    page,
    `${who}'s connection indicator to say ${phase}`,
    (expected) => {
      return document.querySelector<HTMLElement>('[data-testid="connection"]')?.dataset.state === expected;
    },
    phase,
  );
}

/** Waits until `name` is (or, with `status` null, is not) in the page's online list. */
function untilOnline(page: Page, who: string, name: string, status: string | null): Promise<void> {
  const what = status === null ? `${who} to see ${name} gone` : `${who} to see ${name} ${status}`;
  return until(
    page,
    what,
    ([user, expected]) => {
      const item = document.querySelector<HTMLElement>(`[data-testid="online-user"][data-name="${user}"]`);
      return expected === null ? item === null : item?.dataset.status === expected;
    },
    [name, status] as const,
  );
}

/** Ids are `<epoch>:<offset>`: each strictly after the one before, so none twice and none out of order. */
function assertIncreasing(lines: readonly Line[]): void {
  for (let i = 1; i < lines.length; i++) {
    assert.ok(
      compareIds(lines[i - 1]!.id, lines[i]!.id) < 0,
      `line ${i} (${lines[i]!.id}) does not follow ${lines[i - 1]!.id}: ${JSON.stringify(lines)}`,
    );
  }
}

async function signIn(watched: WatchedPage, name: string): Promise<void> {
  const { page } = watched;
  await page.getByTestId('name').fill(name);
  await page.getByTestId('login').click();
  await untilConnection(page, name, 'online');
  await page.getByTestId('new-room').fill(ROOM);
  await page.getByTestId('join-room').click();
  await until(
    page,
    `${name} in #${ROOM}`,
    (room) => {
      const member = document.querySelector(`[data-testid="member"]`);
      return document.querySelector('[data-testid="room-title"]')?.textContent === `#${room}` && member !== null;
    },
    ROOM,
  );
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('text').fill(text);
  await page.getByTestId('text').press('Enter');
}

describe('chat page in Chromium (e2e)', function () {
  this.timeout(20_000);

  let app: App | undefined;
  let proxy: TcpProxy | undefined;
  let browser: Browser | undefined;
  let ann: WatchedPage;
  let bob: WatchedPage;
  /** Everything ann said, in order: what each page should end up showing. */
  const said: string[] = [];

  before(async () => {
    // The page imports the bundled client, which `npm run build` makes and `tsc` alone does not.
    await bundleClient();
    app = createApp({ realtime: { reconnectGrace: 300, historyLimit: HISTORY_LIMIT } });
    const server = await app.listen(0, '127.0.0.1');
    const port = App.portOf(server);
    proxy = await TcpProxy.start(port);
    browser = await launchChromium();
    ann = await openWatchedPage(browser, `http://127.0.0.1:${port}/${PAGE_QUERY}`);
    bob = await openWatchedPage(browser, `http://127.0.0.1:${proxy.port}/${PAGE_QUERY}`);
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
  });

  afterEach(() => {
    // Chromium logs each reconnect the proxy turned away on bob's page; anything else is a page bug.
    const failedReconnect = /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\?name=bob' failed/;
    const bobErrors = bob?.errors.filter((text) => !failedReconnect.test(text)) ?? [];
    const turnedAway = (bob?.errors.length ?? 0) - bobErrors.length;
    assert.deepEqual({ ann: ann?.errors ?? [], bob: bobErrors }, { ann: [], bob: [] }, 'console errors');
    assert.ok(turnedAway <= (proxy?.refused ?? 0), `bob logged ${turnedAway} failed connections, the proxy refused ${proxy?.refused}`);
  });

  it('signs both users in and into one room', async () => {
    await signIn(ann, 'ann');
    await signIn(bob, 'bob');
    // The server lists a room's members to whoever joins it.
    await until(
      bob.page,
      'bob to list ann as a member',
      () => document.querySelector('[data-testid="member"][data-name="ann"]') !== null,
      null,
    );
  });

  it('shows who is online to the other user', async () => {
    await untilOnline(ann.page, 'ann', 'bob', 'online');
    await untilOnline(bob.page, 'bob', 'ann', 'online');
  });

  it('chats both ways, with a typing notice while ann types', async () => {
    await ann.page.getByTestId('text').fill('hello b');
    await until(
      bob.page,
      'bob to see ann typing',
      () => document.querySelector('[data-testid="typing"]')?.textContent === 'ann is typing…',
      null,
    );
    await ann.page.getByTestId('text').fill('hello bob');
    await ann.page.getByTestId('text').press('Enter');
    said.push('hello bob');
    await untilTexts(bob.page, 'bob', said);
    assert.equal(await bob.page.getByTestId('typing').textContent(), '', 'the message ends the typing notice');
    await say(bob.page, 'hi ann');
    said.push('hi ann');
    await untilTexts(ann.page, 'ann', said);
    await untilTexts(bob.page, 'bob', said);
  });

  it('shows a status change to the other user', async () => {
    await bob.page.getByTestId('status').selectOption('away');
    await untilOnline(ann.page, 'ann', 'bob', 'away');
  });

  it('shows what was said while the connection was cut, once each and in order', async () => {
    proxy!.sever();
    await untilConnection(bob.page, 'bob', 'reconnecting');
    assert.match((await bob.page.getByTestId('connection').textContent()) ?? '', /^reconnecting( in \d+s|…)$/);
    // The server sees the cut too: past the reconnect grace bob is gone, and out of the room.
    await untilOnline(ann.page, 'ann', 'bob', null);
    for (const text of ['while away 1', 'while away 2', 'while away 3']) {
      await say(ann.page, text);
      said.push(text);
    }
    await untilTexts(ann.page, 'ann', said);
    proxy!.restore();
    await untilConnection(bob.page, 'bob', 'online');
    await untilTexts(bob.page, 'bob', said);
    // The rejoin's history and the client's replay both carry the missed lines: give a late
    // duplicate time to show.
    await sleep(300);
    assert.deepEqual(await shownTexts(bob.page), said);
    assertIncreasing(await shownLines(bob.page));
    assert.equal(await bob.page.getByTestId('missed-notice').isVisible(), false, 'nothing was lost: no notice');
    // A new connection starts online; the page puts back the status bob chose.
    await untilOnline(ann.page, 'ann', 'bob', 'away');
    // The page rejoined the room the server took bob out of: he is heard there.
    await say(bob.page, 'back');
    said.push('back');
    await untilTexts(ann.page, 'ann', said);
  });

  it('says that messages may be missing when the room history no longer reaches back', async () => {
    await untilTexts(bob.page, 'bob', said);
    proxy!.sever();
    await untilConnection(bob.page, 'bob', 'reconnecting');
    for (let i = 1; i <= HISTORY_LIMIT + 2; i++) {
      await say(ann.page, `long away ${i}`);
      said.push(`long away ${i}`);
    }
    await untilTexts(ann.page, 'ann', said);
    proxy!.restore();
    await untilConnection(bob.page, 'bob', 'online');
    await until(
      bob.page,
      'bob to show the missed-messages notice',
      () => {
        const notice = document.querySelector<HTMLElement>('[data-testid="missed-notice"]');
        return notice !== null && !notice.hidden && /may be missing/.test(notice.textContent ?? '');
      },
      null,
    );
    // What history still had arrives, after what bob saw before, once each and in order.
    const kept = said.slice(-HISTORY_LIMIT);
    await until(
      bob.page,
      'bob to show the last lines history kept',
      (last) => {
        const shown = [...document.querySelectorAll('[data-testid="chat-line"] .text')].map((node) => node.textContent);
        return JSON.stringify(shown.slice(-last.length)) === JSON.stringify(last);
      },
      kept,
    );
    const shown = await shownTexts(bob.page);
    assert.deepEqual(
      shown.filter((text) => !text.startsWith('long away')),
      said.filter((text) => !text.startsWith('long away')),
    );
    assert.deepEqual(
      shown,
      said.filter((text) => shown.includes(text)),
      'in the order said',
    );
    assertIncreasing(await shownLines(bob.page));
  });

  it('shows a user who closed the page as gone', async () => {
    await bob.context.close();
    // Past the reconnect grace (300 ms), presence reports bob left.
    await untilOnline(ann.page, 'ann', 'bob', null);
    await until(
      ann.page,
      'ann to drop bob from the members',
      () => document.querySelector('[data-testid="member"][data-name="bob"]') === null,
      null,
    );
  });
});
