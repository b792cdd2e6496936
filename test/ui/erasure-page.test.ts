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
