/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axe } from './axe.js';
import { describeUi, launch, openPage } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

describeUi('Accessibility: axe-core finds no WCAG 2.1 A/AA violation on any page', () => {
  let server: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 500 }), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sign-in page, with and without an error', async () => {
    const { page, context } = await openPage(browser, server.url);
    await page.goto('/sign-in');
    await page.getByLabel('API token').waitFor();
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('API token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });

  for (const [name, path, ready] of [
    ['audit log', '/audit', '.tbody [data-event-id]'],
    ['audit log with the detail open', '/audit?eventType=carrier.updated', '.tbody [data-event-id]'],
    ['entity history', '/audit/history/IVR/main-menu', '.timeline-entry'],
    ['sign-in events', '/auth/events', '[data-auth-event-id]'],
    ['sessions', '/auth/sessions', '[data-session-id]'],
    ['failed attempts', '/auth/failures', '.failure-chart'],
    ['alerts', '/auth/alerts', '.alert-card, .state-empty'],
  ] as const) {
    it(name, async () => {
      const { page, context, problems } = await openPage(browser, server.url, { token: server.token });
      await page.goto(path);
      await page.locator(ready).first().waitFor();
      if (name.includes('detail')) {
        await page.locator('.tbody [data-index="0"] .cell-time').click();
        await page.locator('.detail-panel .value-diff').waitFor();
      }
      if (name === 'audit log') {
        await page.getByText('Query syntax').click();
        await page.locator('.choice-menu summary').click();
      }
      expect(await axe(page)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('audit log with a read-only token: Export disabled, with its reason', async () => {
    const { token } = await server.api('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'default', scopes: ['read'], name: 'a11y-read-only' },
    });
    const { page, context, problems } = await openPage(browser, server.url, { token });
    await page.goto('/audit?range=24h');
    await page.locator('.tbody [data-event-id]').first().waitFor();
    await page.locator('.export-menu button[aria-disabled="true"]').first().waitFor();
    await page.locator('.result-count').getByText('matching event').waitFor();
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a narrow window, filters folded', async () => {
    const { page, context } = await openPage(browser, server.url, {
      token: server.token,
      width: 420,
      height: 800,
    });
    await page.goto('/audit');
    await page.locator('.tbody [data-event-id]').first().waitFor();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Date range').waitFor();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});
