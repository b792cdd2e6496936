/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = process.env.AUDITLOG_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRE_ALL = process.env.AUDITLOG_TEST_REQUIRE_ALL === '1';
export const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/**
 * `describe` for browser suites: skipped with a message when Chromium is missing, unless
 * AUDITLOG_TEST_REQUIRE_ALL=1 makes it mandatory (CI), where the suite fails instead. Browsers are never
 * downloaded: Debian's chromium package is the browser (`apt-get install chromium`).
 */
export function describeUi(name: string, body: () => void): void {
  if (hasChromium) {
    describe(name, body);
  } else if (REQUIRE_ALL) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
      });
    });
  } else {
    console.warn(`skipping "${name}": no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    describe.skip(name, body);
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

/**
 * A fresh browser context (its own sessionStorage) at 1280×800, signed in by putting the token where the
 * sign-in page puts it, unless `token` is null. Every console error and uncaught exception is collected.
 */
export async function openPage(
  browser: Browser,
  baseURL: string,
  options: { token?: string | null; width?: number; height?: number } = {},
): Promise<UiPage> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    acceptDownloads: true,
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  const token = options.token ?? null;
  if (token) {
    await context.addInitScript((t) => {
      if (!sessionStorage.getItem('auditlog.token')) {
        sessionStorage.setItem(
          'auditlog.token',
          JSON.stringify({ token: t, embedded: false, expiresAt: null }),
        );
      }
    }, token);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, context, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The ids of the event rows in the DOM (the virtualised table renders those in view), in table order. */
export async function visibleEventIds(page: Page): Promise<string[]> {
  return page.$$eval('.event-table [data-event-id]', (rows) =>
    rows
      .map((r) => ({ id: r.getAttribute('data-event-id')!, index: Number(r.getAttribute('data-index')) }))
      .sort((a, b) => a.index - b.index)
      .map((r) => r.id),
  );
}
