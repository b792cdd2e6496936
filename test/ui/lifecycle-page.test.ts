/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { describeUi, launch, openPage } from './browser.js';

const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describeUi('The Data lifecycle page (admin): policies, holds, purge history', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launch()]);
    const post = (id: string, actor: string) =>
      server.request('/v1/events', {
        method: 'POST',
        json: sampleEvent({ id, occurredAt: ago(800), category: 'bulk', actor: { id: actor } }),
      });
    expect((await post('old-held', 'u-held')).status).toBe(201);
    expect((await post('old-free', 'u-free')).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sets a policy, creates a hold, purges what is not held and lists the signed purge', async () => {
    const { page, context, problems } = await openPage(browser, server.url, { token: ADMIN_TOKEN });
    await page.goto('/audit');
    await page.getByRole('link', { name: 'Data lifecycle' }).click();
    await page.getByRole('heading', { name: 'Data lifecycle', level: 1 }).waitFor();
    await page.getByText('No retention policy: every entry is kept for ever.').waitFor();

    await page.getByLabel('Applies to').selectOption('event:bulk');
    await page.getByLabel('Days kept').fill('365');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const policies = page.getByRole('table', { name: 'Retention policies' });
    await policies.getByRole('cell', { name: '365 days' }).waitFor();
    expect(await policies.getByRole('cell', { name: 'bulk' }).count()).toBe(1);

    await page.getByLabel('Reason').fill('case 12');
    await page.getByLabel('Actor').fill('u-held');
    await page.getByRole('button', { name: 'Create hold' }).click();
    const holds = page.getByRole('table', { name: 'Legal holds' });
    await holds.getByText('actor u-held').waitFor();

    await page.getByRole('button', { name: 'Purge now' }).click();
    await page.getByText('Purged 1 entries in 1 signed step(s); 1 kept by holds.').waitFor();
    const purges = page.getByRole('table', { name: 'Purges' });
    await purges.getByRole('cell', { name: '1', exact: true }).waitFor();
    expect((await server.request('/v1/events/old-free')).status).toBe(404);
    expect((await server.request('/v1/events/old-held')).status).toBe(200);

    await holds.getByRole('button', { name: 'Release' }).click();
    await holds.getByRole('cell', { name: 'released' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is not offered to a token without the admin scope', async () => {
    const reader = await server.token('default', ['read']);
    const { page, context } = await openPage(browser, server.url, { token: reader });
    await page.goto('/audit');
    await page.getByRole('link', { name: 'Authentication log' }).waitFor();
    expect(await page.getByRole('link', { name: 'Data lifecycle' }).count()).toBe(0);
    await context.close();
  });
});
