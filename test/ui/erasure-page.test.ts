/// <reference lib="dom" />
// The erasure part of the Data lifecycle page, in a real browser on a log with personal data encrypted:
// erase an actor, see the request completed in the list, and its events read as erased.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { describeUi, launch, openPage } from './browser.js';

describeUi('The Data lifecycle page (admin): erasure of a data subject', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ personalData: { encrypt: true } }), launch()]);
    for (const [id, actor] of [
      ['ev-gone', 'u-gone'],
      ['ev-kept', 'u-kept'],
    ] as const) {
      const res = await server.request('/v1/events', {
        method: 'POST',
        json: sampleEvent({ id, actor: { id: actor, username: `${actor}.name` } }),
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('erases an actor and lists the completed erasure; its events read as erased, others not', async () => {
    const { page, context, problems } = await openPage(browser, server.url, { token: ADMIN_TOKEN });
    await page.goto('/admin/lifecycle');
    await page.getByRole('heading', { name: 'Erasure of a data subject' }).waitFor();
    await page.getByText('No subject erased yet.').waitFor();
    await page.getByLabel('Actor id to erase').fill('u-gone');
    await page.getByRole('button', { name: 'Erase subject' }).click();
    await page.getByText(/^Erased: key \S+ destroyed\.$/).waitFor();
    const table = page.getByRole('table', { name: 'Erasures' });
    await table.getByRole('cell', { name: 'completed' }).waitFor();

    const gone = (await (await server.request('/v1/events/ev-gone')).json()) as { actor: { id: string } };
    expect(gone.actor.id).toBe('[erased]');
    const kept = (await (await server.request('/v1/events/ev-kept')).json()) as { actor: { id: string } };
    expect(kept.actor.id).toBe('u-kept');

    await page.getByLabel('Actor id to erase').fill('u-gone');
    await page.getByRole('button', { name: 'Erase subject' }).click();
    await page
      .getByRole('alert')
      .getByText(/u-gone/)
      .waitFor();
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    await context.close();
  });
});

describeUi('The Data lifecycle page without the admin scope', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launch()]);
    await server.request('/v1/retention/policies', { method: 'PUT', json: { maxAgeDays: 365 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says the page needs the admin scope, and shows no empty lists or forms under a refusal', async () => {
    const reader = await server.token('default', ['read']);
    const { page, context, problems } = await openPage(browser, server.url, { token: reader });
    await page.goto('/admin/lifecycle');
    await page.getByText(/managed with a token that has the admin scope/).waitFor();
    // The tenant has a policy: "No retention policy" would be false, and the forms would only be refused.
    expect(await page.getByText('No retention policy', { exact: false }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Purge now' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
