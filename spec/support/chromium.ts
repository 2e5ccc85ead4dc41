import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Debian's chromium, which npm test's pretest installs; CHROMIUM_PATH names another. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, quiet, and nothing that reaches past loopback on its own. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium through playwright-core. Throws, naming what is missing, when the
 * browser or playwright-core is not installed: a browser spec fails then, it does not skip.
 *
 * @example
 * const browser = await launchChromium();
 * try { ... } finally { await browser.close(); }
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `launchChromium: no Chromium at ${CHROMIUM_PATH} (npm test's pretest installs Debian's chromium; CHROMIUM_PATH names another)`,
    );
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    throw new Error(`launchChromium: cannot load playwright-core (a devDependency; npm ci installs it): ${String(error)}`);
  }
  return playwright.chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 10_000 });
}

/** A page in a context of its own (own storage, cookies), with what it logged as errors. */
export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions, in order, as text. */
  readonly errors: string[];
  /** Every URL the page requested, in order (the page itself included). */
  readonly requests: string[];
  /** Requests that got no answer (refused, blocked, aborted), as `url: reason`. */
  readonly failedRequests: string[];
}

/**
 * Opens `url` in a new context and records the page's console errors, uncaught exceptions and
 * requests, so a spec can fail on them.
 *
 * @example
 * const ann = await openWatchedPage(browser, `http://127.0.0.1:${port}/`);
 * assert.deepEqual(ann.errors, []);
 */
export async function openWatchedPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const failedRequests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('requestfailed', (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return { context, page, errors, requests, failedRequests };
}

/**
 * Waits until `predicate` holds in the page, failing with `what` and the page's `describe()`
 * (what it shows) rather than a bare timeout.
 *
 * @example
 * await until(page, 'bob online', () => document.querySelector('[data-name="bob"]') !== null);
 */
export async function until<A>(page: Page, what: string, predicate: (arg: A) => boolean, arg: A, timeout = 5000): Promise<void> {
  try {
    // Playwright's argument typing (Unboxed<A>) cannot be resolved for a generic A; the page
    // receives `arg` as serialized, which for the plain data specs pass is `arg` itself.
    await page.waitForFunction(predicate as (arg: unknown) => boolean, arg as unknown, { timeout, polling: 50 });
  } catch (error) {
    const shown = await page.evaluate(() => document.body.innerText).catch(() => '(page gone)');
    throw new Error(`Timed out after ${timeout} ms waiting for ${what}; the page shows:\n${shown}\n(${String(error).split('\n')[0]})`);
  }
}
