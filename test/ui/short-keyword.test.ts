// A keyword too short for the index is searched a slice of the log per request (AUDITLOG_KEYWORD_SCAN_LIMIT):
// the page keeps asking while nothing is found yet, then shows what the cursors lead to, or "no match".
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUi, launch, openPage, type UiPage, visibleEventIds } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

const SCAN_LIMIT = 100;

describeUi('Audit Log page: a short keyword searched slice by slice (real Chromium)', () => {
  let server: UiServer;
  let browser: Browser;
  let ui: UiPage;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startUiServer({ events: 1200, env: { AUDITLOG_KEYWORD_SCAN_LIMIT: String(SCAN_LIMIT) } }),
      launch(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Every match of `q`, newest first, by following the API's cursors; and how many requests that took. */
  async function allMatches(q: string): Promise<{ ids: string[]; requests: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let requests = 0;
    do {
      const params = new URLSearchParams({ q, limit: '100', ...(cursor ? { cursor } : {}) });
      const page = await server.api(`/v1/events?${params}`);
      ids.push(...page.events.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
      requests++;
    } while (cursor);
    return { ids, requests };
  }

  it('keeps searching past empty slices and shows every match, in order', async () => {
    // A two-letter string few events contain (the demo data is seeded, so this is stable).
    let word = '';
    let want: string[] = [];
    for (const candidate of ['zq', 'qx', 'jq', 'xz', 'vq', 'kx', 'zx', 'wq', '9z', 'q8', 'zy', 'yq']) {
      const found = await allMatches(candidate);
      if (found.ids.length >= 1 && found.ids.length <= 20 && found.requests > 3) {
        word = candidate;
        want = found.ids;
        break;
      }
    }
    expect(word, 'a rare two-letter string in the demo data').not.toBe('');
    ui = await openPage(browser, server.url, { token: server.token });
    page = ui.page;
    await page.goto(`/audit?q=${word}`);
    await expect.poll(() => visibleEventIds(page), { timeout: 20_000 }).toEqual(want);
    await page.getByText(/shown — end of results/).waitFor();
    expect(ui.problems).toEqual([]);
    await ui.context.close();
  });

  it('says that nothing matches once the whole log has been searched', async () => {
    const none = await allMatches('q\u00e7');
    expect(none.ids).toEqual([]);
    expect(none.requests).toBeGreaterThan(3);
    ui = await openPage(browser, server.url, { token: server.token });
    page = ui.page;
    let asked = 0;
    page.on('request', (r) => {
      if (r.url().includes('/v1/events?') && !r.url().includes('afterSeq=')) asked++;
    });
    await page.goto(`/audit?q=${encodeURIComponent('q\u00e7')}`);
    await page.getByText('No events match these filters.').waitFor({ timeout: 20_000 });
    // It said so only after asking for every slice, as the API's cursors lead.
    expect(asked).toBeGreaterThanOrEqual(none.requests);
    expect(ui.problems).toEqual([]);
    await ui.context.close();
  });
});
