/// <reference lib="dom" />
import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/domain/catalog.js';
import { ADMIN_TOKEN, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { describeUi, launch, openPage } from './browser.js';
import { uiQuery } from './ui-helpers.js';

/** A deployment's own catalog (through the library): none of these labels is in the UI's bundle. */
const CATALOG: Catalog = [
  {
    key: 'billing',
    label: 'Billing & Invoices',
    description: 'Invoices, refunds, payment methods',
    actions: [
      { eventType: 'invoice.refunded', label: 'Invoice refunded', action: 'update', targetType: 'Invoice' },
    ],
  },
  {
    key: 'access',
    label: 'Access Control',
    description: 'Roles and permissions',
    actions: [{ eventType: 'role.granted', label: 'Role granted', action: 'update', targetType: 'User' }],
  },
];

describeUi('Categories and their labels come from the server’s catalog (GET /v1/catalog)', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ catalog: CATALOG }), launch()]);
    const post = async (name: string, event: Record<string, unknown>) => {
      const res = await server.request('/v1/events', { method: 'POST', json: sampleEvent(event) });
      ids[name] = (await res.json()).events[0].id;
    };
    await post('refund', {
      category: 'billing',
      eventType: 'invoice.refunded',
      target: { type: 'Invoice', id: 'inv-1001' },
    });
    await post('grant', {
      category: 'access',
      eventType: 'role.granted',
      target: { type: 'User', id: 'kim' },
    });
    await post('untracked', {
      category: 'access',
      eventType: 'role.audited',
      target: { type: 'User', id: 'lee' },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('labels rows, filters and the query syntax with the server’s categories, keys until they arrive', async () => {
    const { page, context, problems } = await openPage(browser, server.url, { token: ADMIN_TOKEN });
    // Hold the catalog back: meanwhile the rows show the keys (the bundle has no labels of its own).
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/v1/catalog', async (route: Route) => {
      await held;
      await route.continue();
    });
    await page.goto('/audit');
    const category = (id: string) => page.locator(`[data-event-id="${id}"] .cell-category`);
    await category(ids.refund!).waitFor();
    expect(await category(ids.refund!).textContent()).toBe('billing');
    release();
    await expect.poll(() => category(ids.refund!).textContent()).toBe('Billing & Invoices');
    expect(await category(ids.grant!).textContent()).toBe('Access Control');

    await page.locator('.choice-menu summary').click();
    expect(await page.locator('.choice-menu .choice').allTextContents()).toEqual([
      'Billing & Invoices',
      'Access Control',
    ]);
    expect(await page.getByRole('checkbox', { name: 'Access Control' }).getAttribute('value')).toBe('access');
    const byBox = await uiQuery(page, () => page.getByRole('checkbox', { name: 'Access Control' }).check());
    expect(byBox.getAll('category')).toEqual(['access']);
    await page.locator(`[data-event-id="${ids.refund}"]`).waitFor({ state: 'detached' });

    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('category:"Billing & Invoices"');
    const bySyntax = await uiQuery(page, () => box.press('Enter'));
    expect(bySyntax.getAll('category')).toEqual(['billing']);
    await page.locator(`[data-event-id="${ids.grant}"]`).waitFor({ state: 'detached' });
    expect(await category(ids.refund!).textContent()).toBe('Billing & Invoices');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the detail names the event type by the catalog’s label when it tracks it', async () => {
    const { page, context, problems } = await openPage(browser, server.url, { token: ADMIN_TOKEN });
    await page.goto(`/audit?event=${ids.refund}`);
    const action = page.locator('.detail-panel .field').filter({ hasText: 'Action' });
    await expect
      .poll(() => action.locator('dd').textContent())
      .toBe('update Invoice refunded invoice.refunded');
    expect(
      await page.locator('.detail-panel .field').filter({ hasText: 'Category' }).locator('dd').textContent(),
    ).toBe('Billing & Invoices');
    await page.goto(`/audit?event=${ids.untracked}`);
    await expect.poll(() => action.locator('dd').textContent()).toBe('update role.audited');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('without AUDITLOG_FRAME_ANCESTORS no site may frame the UI', async () => {
    const res = await fetch(`${server.url}/audit`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
