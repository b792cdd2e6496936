/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { describeUi, launch, openPage, screenshot } from './browser.js';

describeUi('The Destinations page lists where the log is streamed, with each one’s status', () => {
  let server: TestServer;
  let browser: Browser;
  let webhook: string;
  let failing: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launch()]);
    server.log.delivery.start({ pollMs: 50, retry: { baseDelayMs: 20, maxDelayMs: 50, maxFailures: 2 } });
    const create = async (body: Record<string, unknown>) =>
      (await (await server.request('/v1/destinations', { method: 'POST', json: body })).json()).destination
        .id as string;
    webhook = await create({
      kind: 'webhook',
      name: 'SIEM <b>webhook</b>',
      url: 'https://siem.example/hook',
      format: 'ocsf',
    });
    await server.request(`/v1/destinations/${webhook}/pause`, { method: 'POST' });
    failing = await create({ kind: 'syslog', name: 'Nowhere', host: '127.0.0.1', port: 9, tls: true });
    // The delivery pauses it after two failed attempts (expect.poll is for tests, not hooks).
    for (let i = 0; i < 300; i++) {
      if ((await (await server.request(`/v1/destinations/${failing}`)).json()).state === 'paused') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows each destination’s target, state, lag and last error; names are text, never markup', async () => {
    const { page, problems } = await openPage(browser, server.url, { token: ADMIN_TOKEN });
    await page.goto('/audit');
    await page.getByRole('link', { name: 'Destinations' }).click();
    const row = (id: string) => page.locator(`[data-destination-id="${id}"]`);
    await row(webhook).waitFor();
    expect(await page.title()).toBe('Destinations · Audit log');
    expect(await row(webhook).locator('td').first().textContent()).toBe('SIEM <b>webhook</b>');
    expect(await row(webhook).textContent()).toContain('https://siem.example/hook');
    expect(await row(webhook).locator('.destination-state').textContent()).toContain(
      'paused by an administrator',
    );
    expect(await row(failing).textContent()).toContain('tls://127.0.0.1:9');
    expect(await row(failing).locator('.destination-state').textContent()).toMatch(
      /Paused.*after 2 failed attempts/,
    );
    expect(await row(failing).locator('.destination-error').textContent()).toMatch(/ECONNREFUSED|refused/);
    expect(await row(webhook).locator('.destination-behind').textContent()).toMatch(/^\d+ entries, \d+ s$/);
    await screenshot(page, 'destinations');
    expect(problems).toEqual([]);
  });

  it('is not offered to a token without the admin scope', async () => {
    const reader = await server.token('default', ['read']);
    const { page } = await openPage(browser, server.url, { token: reader });
    await page.goto('/audit');
    await page.getByRole('link', { name: 'Audit log' }).waitFor();
    expect(await page.getByRole('link', { name: 'Destinations' }).count()).toBe(0);
  });
});
