import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { App } from '../../lib/app';
import { createApp } from '../../samples/chat/app';
import { bundleClient } from '../../scripts/bundle-client';
import { launchChromium, until } from '../support/chromium';

/**
 * What a person sees of the chat page (samples/chat/public/index.html) in Chromium, on a desktop
 * window and on a phone: the status they chose under their own name, and the member list, the
 * online list and the status selector on screen where they can be used.
 */

const DESKTOP = { width: 1200, height: 800 } as const;
const PHONE = { width: 390, height: 844 } as const;

async function signIn(page: Page, name: string): Promise<void> {
  await page.getByTestId('name').fill(name);
  await page.getByTestId('login').click();
  await until(
    page,
    `${name} connected, in the lobby with a member list`,
    () =>
      document.querySelector<HTMLElement>('[data-testid="connection"]')?.dataset.state === 'online' &&
      document.querySelector('[data-testid="member"]') !== null,
    null,
  );
}

/**
 * Asserts that `locator` is visible, lies inside the viewport once scrolled to (no part cut off
 * to the side), and is what a tap at its centre reaches, so nothing covers or clips it.
 */
async function assertOnScreen(page: Page, locator: Locator, what: string, viewport: { width: number; height: number }): Promise<void> {
  assert.ok(await locator.isVisible(), `${what} is visible`);
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  assert.ok(box, `${what} has a box`);
  assert.ok(box.x >= 0 && box.y >= 0, `${what} starts inside the viewport: ${JSON.stringify(box)}`);
  assert.ok(
    box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
    `${what} ends inside the viewport: ${JSON.stringify(box)}`,
  );
  const reached = await locator.evaluate(
    (node, [x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return hit !== null && (hit === node || node.contains(hit));
    },
    [box.x + box.width / 2, box.y + box.height / 2] as const,
  );
  assert.ok(reached, `a tap at the centre of ${what} reaches it`);
}

async function assertSidebarUsable(page: Page, viewport: { width: number; height: number }): Promise<void> {
  await assertOnScreen(page, page.getByTestId('member').first(), 'the member list', viewport);
  await assertOnScreen(page, page.getByTestId('online-user').first(), 'the online list', viewport);
  await assertOnScreen(page, page.getByTestId('status'), 'the status selector', viewport);
}

/** Chooses `status` and waits for the header under the user's name to show it. */
async function chooseStatus(page: Page, status: string): Promise<void> {
  await page.getByTestId('status').selectOption(status);
  await until(
    page,
    `the header to show ${status}`,
    (expected) => document.querySelector('[data-testid="my-status"]')?.textContent === expected,
    status,
  );
}

describe('chat page layout in Chromium (e2e)', function () {
  this.timeout(20_000);

  let app: App | undefined;
  let browser: Browser | undefined;
  let base = '';

  before(async () => {
    await bundleClient();
    app = createApp();
    base = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
    const context = await (browser as Browser).newContext({ viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    await page.goto(base);
    return { page, errors };
  }

  it('at 1200 px, shows the chosen status under one’s own name, and the whole sidebar', async () => {
    const { page, errors } = await openPage(DESKTOP);
    await signIn(page, 'wide');
    assert.equal(await page.getByTestId('my-status').textContent(), 'online');
    await chooseStatus(page, 'busy');
    const header = (await page.locator('aside header').innerText()).split('\n').map((line) => line.trim());
    assert.ok(header.includes('busy'), `the header says busy: ${JSON.stringify(header)}`);
    assert.ok(!header.includes('online'), `the header no longer says online: ${JSON.stringify(header)}`);
    // What the others see agrees: the user's own entry in the online list.
    await until(
      page,
      'the online list to show wide busy',
      () => document.querySelector<HTMLElement>('[data-testid="online-user"][data-name="wide"]')?.dataset.status === 'busy',
      null,
    );
    assert.equal(await page.getByTestId('sidebar-toggle').isVisible(), false, 'no toggle where the sidebar fits');
    await assertSidebarUsable(page, DESKTOP);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('at 390 px, opens the sidebar with a toggle: members, who is online and the status selector all usable', async () => {
    const { page, errors } = await openPage(PHONE);
    await signIn(page, 'narrow');
    // The room and its message box have the screen; the header bar stays.
    await assertOnScreen(page, page.getByTestId('text'), 'the message box', PHONE);
    await assertOnScreen(page, page.getByTestId('me'), 'one’s own name', PHONE);
    const toggle = page.getByTestId('sidebar-toggle');
    await assertOnScreen(page, toggle, 'the sidebar toggle', PHONE);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await assertSidebarUsable(page, PHONE);
    await chooseStatus(page, 'busy');
    await assertOnScreen(page, page.getByTestId('my-status'), 'the status under one’s name', PHONE);
    // Picking a room goes back to the chat.
    await page.locator('[data-testid="room"][data-room="random"]').click();
    await until(
      page,
      'the random room on screen',
      () => document.querySelector('[data-testid="room-title"]')?.textContent === '#Random',
      null,
    );
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await assertOnScreen(page, page.getByTestId('text'), 'the message box', PHONE);
    assert.equal(await page.getByTestId('my-status').textContent(), 'busy');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
