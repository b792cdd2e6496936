/// <reference lib="dom" />
// The destination form's max message size (syslog): refused out of the API's range, next to the field and
// before any request (the API refuses the same value, naming the field); saved on create and on edit; not
// offered for other kinds.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestServer, type TestServer } from '../helpers/test-server.js';
import { axe } from './axe.js';
import { describeUi, launch, openPage } from './browser.js';

describeUi('The destination form sets a syslog destination’s max message size', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const list = async () => (await json(await server.request('/v1/destinations'))).destinations;

  it('refuses a size out of range at the field, saves one in range, and edits it', async () => {
    const { page, problems } = await openPage(browser, server.url, { token: ADMIN_TOKEN });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/destinations') && r.method() !== 'GET') requests.push(r.method());
    });
    await page.goto('/audit');
    await page.getByRole('link', { name: 'Destinations' }).click();
    await page.getByRole('button', { name: 'New destination' }).click();
    const form = page.getByRole('form', { name: 'New destination' });
    expect(await form.getByLabel('Max message size').count()).toBe(0); // a webhook has none
    await form.getByLabel('Kind').selectOption('syslog');
    await form.getByLabel('Name').fill('rsyslog');
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill('6514');
    const size = form.getByLabel('Max message size');
    expect(await size.getAttribute('placeholder')).toBe('8096');

    const message = 'Max message size must be a whole number of bytes from 2048 to 1048576';
    for (const bad of ['2047', '1048577', '64k']) {
      await size.fill(bad);
      await form.getByRole('button', { name: 'Create destination' }).click();
      await form.getByRole('alert').waitFor();
      expect(await form.getByRole('alert').textContent()).toContain(message);
      expect(await size.getAttribute('aria-invalid')).toBe('true');
      const described = await size.getAttribute('aria-describedby');
      expect(await page.locator(`#${described}`).textContent()).toBe(message);
    }
    expect(await axe(page)).toEqual([]);
    expect(requests).toEqual([]);
    expect(await list()).toEqual([]);
    // The API's own check agrees: the same value is a 400 naming the field.
    const refused = await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'syslog', name: 'x', host: 'h', port: 514, maxMessageSize: 2047 },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await json(refused))).toContain('/maxMessageSize');

    await size.fill('65536');
    await form.getByRole('button', { name: 'Create destination' }).click();
    await expect.poll(async () => (await list()).length).toBe(1);
    const [created] = await list();
    expect(created).toMatchObject({ kind: 'syslog', name: 'rsyslog', maxMessageSize: 65_536 });

    const row = page.locator(`[data-destination-id="${created.id}"]`);
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit rsyslog' });
    const editSize = edit.getByLabel('Max message size');
    expect(await editSize.inputValue()).toBe('65536');
    await editSize.fill('1048576');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await list())[0].maxMessageSize).toBe(1_048_576);
    expect(problems).toEqual([]);
  });
});
