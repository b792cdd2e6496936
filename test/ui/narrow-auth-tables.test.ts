/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUi, launch, openPage } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

const WIDTH = 375;
/** Narrower than this, a column reads a few letters a line (35-45 px before the tables scrolled). */
const MIN_COLUMN = 90;

describeUi('The Authentication Log tables on a 375 px wide phone', () => {
  let server: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 300 }), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('scroll sideways inside their container, columns readable, the page itself no wider', async () => {
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
