/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUi, launch, openPage, screenshot } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

const WIDTH = 375;
/** Narrower than this, a column reads a few letters a line (35-45 px before the tables scrolled). */
const MIN_COLUMN = 90;

describeUi('A 375 px wide phone, with an admin token (every header link shown)', () => {
  let server: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 300 }), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('wraps instead of widening the page, on every page it links to and every Authentication Log tab', async () => {
    const { page, context, problems } = await openPage(browser, server.url, {
      token: server.token,
      width: WIDTH,
      height: 800,
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    const pages = ['/audit', '/auth/events', '/auth/sessions', '/auth/failures', '/auth/alerts'];
    await page.goto('/audit');
    // The admin links are the ones that made it too wide: wait for them (GET /v1/me says admin).
    await nav.getByRole('link', { name: 'Data lifecycle' }).waitFor();
    for (const href of await nav
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      if (!pages.includes(href!)) pages.push(href!);
    }
    expect(pages).toEqual(expect.arrayContaining(['/destinations', '/admin/lifecycle']));
    for (const path of pages) {
      await page.goto(path);
      await page.locator('main h1').first().waitFor();
      await page.locator('.app-header .tenant').waitFor({ state: 'attached' });
      const m = await page.evaluate(() => {
        const right = (el: Element) => el.getBoundingClientRect().right;
        return {
          scrollWidth: document.documentElement.scrollWidth,
          header: document.querySelector('.app-header')!.scrollWidth,
          // Nothing of the header cut off at the right edge (a long tenant name ends in an ellipsis).
          rightmost: Math.max(
            ...Array.from(
              document.querySelectorAll('.app-header > *, .app-header nav > *, .session-summary > *'),
              right,
            ),
          ),
          // The tenant's name is still there to read, not squeezed to nothing.
          tenant: document.querySelector('.app-header .tenant-name')!.getBoundingClientRect().width,
        };
      });
      expect(m, path).toEqual({
        scrollWidth: expect.toSatisfy((w: number) => w <= WIDTH),
        header: expect.toSatisfy((w: number) => w <= WIDTH),
        rightmost: expect.toSatisfy((r: number) => r <= WIDTH),
        tenant: expect.toSatisfy((w: number) => w >= 40),
      });
    }
    await page.goto('/audit');
    await page.locator('.tbody [data-event-id]').first().waitFor();
    await screenshot(page, 'header-narrow');
    // The detail still covers the list only, below the (now taller) header, which stays usable.
    await page.locator('.tbody [data-event-id]').first().locator('.cell-time').click();
    const panel = (await page.locator('.detail-panel').boundingBox())!;
    const header = (await page.locator('.app-header').boundingBox())!;
    expect(panel.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
    expect(panel.width).toBeGreaterThan(WIDTH - 5);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the Authentication Log tables scroll sideways inside their frame, columns readable, the page no wider', async () => {
    const { page, context, problems } = await openPage(browser, server.url, {
      token: server.token,
      width: WIDTH,
      height: 800,
    });
    for (const [path, table] of [
      ['/auth/events', 'table.auth-events'],
      ['/auth/sessions', 'table.sessions'],
    ] as const) {
      await page.goto(path);
      await page.locator(`${table} tbody tr`).first().waitFor();
      const m = await page.locator(table).evaluate((t) => {
        const box = t.closest('.table-scroll')!;
        const before = box.scrollLeft;
        box.scrollLeft = box.scrollWidth;
        const last = t.querySelector('thead th:last-child')!.getBoundingClientRect();
        const seen = { scrolled: box.scrollLeft - before, lastRight: last.right };
        box.scrollLeft = before;
        return {
          page: document.documentElement.scrollWidth,
          container: box.getBoundingClientRect().right,
          overflows: box.scrollWidth > box.clientWidth,
          narrowest: Math.min(
            ...Array.from(t.querySelectorAll('thead th'), (th) => th.getBoundingClientRect().width),
          ),
          ...seen,
        };
      });
      expect(m, path).toEqual({
        page: expect.toSatisfy((w: number) => w <= WIDTH),
        container: expect.toSatisfy((r: number) => r <= WIDTH),
        overflows: true,
        narrowest: expect.toSatisfy((w: number) => w >= MIN_COLUMN),
        // The last column is reached by scrolling the table, inside the window.
        scrolled: expect.toSatisfy((d: number) => d > 0),
        lastRight: expect.toSatisfy((r: number) => r <= WIDTH),
      });
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
