import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeUi, launch, openPage, screenshot, type UiPage } from './browser.js';
import { applyAndCheck, berlinLocal, expectTableMatchesApi, printTimings, uiQuery } from './ui-helpers.js';
import { startUiServer, type UiServer } from './ui-server.js';

describeUi('Audit Log page: filters, query syntax and URL (real Chromium, demo data)', () => {
  let server: UiServer;
  let browser: Browser;
  let ui: UiPage;
  let page: Page;
  const firstPage: { label: string; ms: number }[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 3000 }), launch()]);
  });
  afterAll(async () => {
    printTimings('Audit Log timings (3,000 demo events; measured, not asserted)', firstPage);
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    ui = await openPage(browser, server.url, { token: server.token });
    page = ui.page;
    const t0 = Date.now();
    const params = await uiQuery(page, () => page.goto('/audit'));
    await expectTableMatchesApi(page, server, params);
    firstPage.push({ label: 'first page visible after navigation', ms: Date.now() - t0 });
    return async () => {
      expect(ui.problems).toEqual([]);
      await ui.context.close();
    };
  });

  it('shows the newest events first, as the API orders them', async () => {
    const { events } = await server.api('/v1/events?limit=5');
    const first = page.locator('.event-table [data-index="0"]');
    await expect.poll(() => first.getAttribute('data-event-id')).toBe(events[0].id);
    const time = first.locator('time');
    expect(await time.getAttribute('datetime')).toBe(events[0].occurredAt);
    expect(await time.getAttribute('title')).toMatch(/UTC$/);
    // The whole log is counted without asking: the server sums its per-day rollups.
    const stats = await server.api('/v1/stats?groupBy=action');
    const total = stats.groups.reduce((n: number, g: any) => n + g.count, 0);
    expect(total).toBe(3000);
    await expect
      .poll(() => page.locator('.result-count').textContent())
      .toBe(`${total.toLocaleString('en')} matching events`);
    await screenshot(page, 'audit-log');
  });

  it('counts one user over the whole log without asking, from the actor rollups', async () => {
    const [top] = (await server.api('/v1/stats?groupBy=user')).groups;
    expect(top.count).toBeGreaterThan(200); // more than the first page: the count is not free
    const counted = page.waitForRequest((r) => r.url().includes('/v1/stats?') && r.url().includes('user='));
    const params = await uiQuery(page, () => page.goto(`/audit?user=${encodeURIComponent(top.label)}`));
    expect(params.getAll('user')).toEqual([top.label]);
    expect(new URL((await counted).url()).searchParams.get('groupBy')).toBe('user');
    await expect
      .poll(() => page.locator('.result-count').textContent())
      .toBe(`${top.count.toLocaleString('en')} matching events`);
  });

  it('counts on request a filter the rollups do not hold (one user and one action over the whole log)', async () => {
    const [top] = (await server.api('/v1/stats?groupBy=user')).groups;
    const label = encodeURIComponent(top.label);
    const [action] = (await server.api(`/v1/stats?groupBy=action&user=${label}`)).groups;
    expect(action.count).toBeGreaterThan(100); // more than the first page: the count is not free
    const params = await uiQuery(page, () => page.goto(`/audit?user=${label}&action=${action.key}`));
    expect(params.getAll('action')).toEqual([action.key]);
    const button = page.getByRole('button', { name: 'Count matching events' });
    await button.waitFor();
    const counted = page.waitForRequest((r) => r.url().includes('/v1/stats?') && r.url().includes('user='));
    await button.click();
    expect(new URL((await counted).url()).searchParams.get('groupBy')).toBe('action');
    await expect
      .poll(() => page.locator('.result-count').textContent())
      .toBe(`${action.count.toLocaleString('en')} matching events`);
  });

  it('counts the "Last 7 days" preset unasked, whatever the filter (its span grows past 7 days as it ages)', async () => {
    const [top] = (await server.api('/v1/stats?groupBy=user')).groups;
    const label = encodeURIComponent(top.label);
    const [action] = (await server.api(`/v1/stats?groupBy=action&user=${label}`)).groups;
    const counted = page.waitForRequest((r) => r.url().includes('/v1/stats?') && r.url().includes('user='));
    const params = await uiQuery(page, () => page.goto(`/audit?range=7d&user=${label}&action=${action.key}`));
    const asked = new URL((await counted).url()).searchParams;
    expect(asked.get('from')).toBe(params.get('from'));
    const count = await server.api(`/v1/stats?${asked}`);
    const n = count.groups.reduce((sum: number, g: any) => sum + g.count, 0);
    await expect.poll(() => page.locator('.result-count').textContent()).toMatch(/matching event/);
    expect(await page.locator('.result-count').textContent()).toBe(
      `${n.toLocaleString('en')} matching event${n === 1 ? '' : 's'}`,
    );
  });

  it('says what a link holds that is no filter of the page, instead of silently showing a wider query', async () => {
    await page.goto('/audit?user=jane.admin&usr=zoe.muller&range=bogus');
    const alert = page.locator('.ignored-params');
    await expect.poll(() => alert.textContent()).toContain('ignored: usr, range=bogus');
    // A link of known filters says nothing.
    await page.goto('/audit?user=jane.admin&range=7d');
    await page.locator('.event-table').waitFor();
    expect(await alert.count()).toBe(0);
  });

  it('a link with dates next to a preset range shows those dates, and names the preset as ignored', async () => {
    // Two days that the last hour does not reach: the events shown are theirs, not the last hour's.
    const from = new Date(Date.now() - 3 * 86_400_000);
    from.setUTCSeconds(0, 0);
    const to = new Date(from.getTime() + 2 * 86_400_000);
    const path = `/audit?range=1h&from=${from.toISOString()}&to=${to.toISOString()}`;
    const params = await uiQuery(page, () => page.goto(path));
    expect([params.get('from'), params.get('to')]).toEqual([from.toISOString(), to.toISOString()]);
    const { events } = await expectTableMatchesApi(page, server, params);
    expect(events.length).toBeGreaterThan(0);
    expect(await page.getByLabel('Date range').inputValue()).toBe('custom');
    await expect
      .poll(() => page.locator('.ignored-params').textContent())
      .toContain('ignored: range=1h (from/to apply instead).');
  });

  it('date range presets and a custom range narrow by occurredAt', async () => {
    const before = Date.now();
    // The unfiltered page counts the whole log unasked too: wait for the count of this range.
    const stats = page.waitForRequest((r) => r.url().includes('/v1/stats?') && r.url().includes('from='));
    const preset = await applyAndCheck(page, server, 'date range: last 24 hours', () =>
      page.getByLabel('Date range').selectOption('24h'),
    );
    const from = Date.parse(preset.params.get('from')!);
    expect(Math.abs(from - (before - 86_400_000))).toBeLessThan(60_000);
    expect(preset.params.get('to')).toBeNull();
    for (const e of preset.events) expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(from);
    expect(new URL(page.url()).searchParams.get('range')).toBe('24h');
    // A range of at most 7 days is counted without asking, for the same query as the table's.
    const counted = new URL((await stats).url()).searchParams;
    expect(counted.get('from')).toBe(preset.params.get('from'));
    const count = await server.api(`/v1/stats?${counted}`);
    const n = count.groups.reduce((sum: number, g: any) => sum + g.count, 0);
    await expect
      .poll(() => page.locator('.result-count').textContent())
      .toBe(`${n.toLocaleString('en')} matching events`);

    const start = new Date(Date.now() - 3 * 86_400_000);
    start.setUTCSeconds(0, 0);
    const end = new Date(start.getTime() + 86_400_000);
    await page.getByLabel('Date range').selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill(berlinLocal(start));
    const custom = await applyAndCheck(page, server, 'date range: custom', () =>
      page.getByLabel('To', { exact: true }).fill(berlinLocal(end)),
    );
    expect(custom.params.get('from')).toBe(start.toISOString());
    expect(custom.params.get('to')).toBe(end.toISOString());
    expect(custom.events.length).toBeGreaterThan(0);
    for (const e of custom.events) {
      expect(e.occurredAt >= start.toISOString() && e.occurredAt < end.toISOString()).toBe(true);
    }
  });

  it('the user filter suggests actors from the data and narrows to one user', async () => {
    const user = page.getByLabel('User', { exact: true });
    await user.fill('jo');
    const listId = await user.getAttribute('list');
    await expect
      .poll(() =>
        page.$$eval(`datalist[id="${listId}"] option`, (o) => o.map((x) => (x as HTMLOptionElement).value)),
      )
      .toContain('jose.alvarez');
    await user.fill('jane.admin');
    const { params, events } = await applyAndCheck(page, server, 'user filter', () => user.press('Enter'));
    expect(params.getAll('user')).toEqual(['jane.admin']);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.actor.username).toBe('jane.admin');
    await expect.poll(() => page.locator('.tbody .cell-user').first().textContent()).toContain('Jane Admin');
  });

  it('action and category filters narrow, and categories show the seed labels', async () => {
    const action = await applyAndCheck(page, server, 'action filter', () =>
      page.getByRole('checkbox', { name: 'Delete' }).check(),
    );
    expect(action.params.getAll('action')).toEqual(['delete']);
    for (const e of action.events) expect(e.action).toBe('delete');
    expect(await page.locator('.tbody .cell-action').allTextContents()).not.toContain('update');

    await page.getByRole('checkbox', { name: 'Delete' }).uncheck();
    await page.locator('.choice-menu summary').click();
    const labels = await page.locator('.choice-menu .choice').allTextContents();
    expect(labels).toEqual([
      'Users',
      'Campaigns',
      'Settings',
      'Telephony',
      'AI',
      'Security',
      'Bulk Operations',
      'Inbound',
    ]);
    const counted = page.waitForRequest(
      (r) => r.url().includes('/v1/stats?') && r.url().includes('category='),
    );
    const cat = await applyAndCheck(page, server, 'category filter', () =>
      page.getByRole('checkbox', { name: 'Bulk Operations' }).check(),
    );
    expect(cat.params.getAll('category')).toEqual(['bulk']);
    for (const e of cat.events) expect(e.category).toBe('bulk');
    const shown = new Set(await page.locator('.tbody .cell-category').allTextContents());
    expect([...shown]).toEqual(['Bulk Operations']);
    // One category over the whole log is counted without asking, grouped by category (from the rollups).
    const asked = new URL((await counted).url()).searchParams;
    expect(asked.get('groupBy')).toBe('category');
    expect(asked.getAll('category')).toEqual(['bulk']);
    const [bulk] = (await server.api('/v1/stats?groupBy=category&category=bulk')).groups;
    expect(bulk.count).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('.result-count').textContent())
      .toBe(`${bulk.count.toLocaleString('en')} matching events`);
  });

  it('target type and id, and IP/CIDR filters narrow', async () => {
    const statsRequests: string[] = [];
    // The unfiltered page may count the whole log (from the rollups) before the first filter applies.
    page.on('request', (r) => {
      if (r.url().includes('/v1/stats') && r.url().includes('target')) statsRequests.push(r.url());
    });
    await page.getByLabel('Target type').fill('Carrier');
    const type = await applyAndCheck(page, server, 'target type filter', () =>
      page.getByLabel('Target type').press('Enter'),
    );
    expect(type.params.get('targetType')).toBe('Carrier');
    for (const e of type.events) expect(e.target.type).toBe('Carrier');
    await page.getByLabel('Target id').fill('trunk-provider-2');
    const id = await applyAndCheck(page, server, 'target id filter', () =>
      page.getByLabel('Target id').press('Enter'),
    );
    expect(id.events.length).toBeGreaterThan(0);
    for (const e of id.events) expect(e.target).toMatchObject({ type: 'Carrier', id: 'trunk-provider-2' });
    // Every match is loaded (one page): the count is the rows', with no request for it.
    expect(id.events.length).toBeLessThan(100);
    expect(await page.locator('.result-count').textContent()).toBe(`${id.events.length} matching events`);
    expect(statsRequests).toEqual([]);
    await page.getByRole('button', { name: /Clear filters/ }).click();

    await page.getByLabel('IP or CIDR').fill('10.20.0.0/16');
    const ip = await applyAndCheck(page, server, 'IP/CIDR filter', () =>
      page.getByLabel('IP or CIDR').press('Enter'),
    );
    expect(ip.params.get('ip')).toBe('10.20.0.0/16');
    expect(ip.events.length).toBeGreaterThan(0);
    for (const e of ip.events) expect(e.ip).toMatch(/^10\.20\./);

    await page.getByLabel('IP or CIDR').fill('10.0.0.0/99');
    await page.getByLabel('IP or CIDR').press('Enter');
    const error = page.getByRole('alert');
    await error.getByText('The server did not accept this query').waitFor();
    expect(await error.textContent()).toContain('/ip');
    // The browser logs the refused request itself; that one is expected.
    const refused = ui.problems.findIndex((p) => /status of 400/.test(p));
    expect(refused).toBeGreaterThanOrEqual(0);
    ui.problems.splice(refused, 1);
  });

  it('keywords and the query syntax set the same filters the controls do', async () => {
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('trunk-provider-3');
    const plain = await applyAndCheck(page, server, 'keyword search', () => box.press('Enter'));
    expect(plain.params.get('q')).toBe('trunk-provider-3');
    expect(plain.events.length).toBeGreaterThan(0);

    await box.fill('user:jane.admin action:update category:telephony "maxChannels" after:2026-01-01');
    const syntax = await applyAndCheck(page, server, 'query syntax', () => box.press('Enter'));
    expect(Object.fromEntries(syntax.params)).toMatchObject({
      user: 'jane.admin',
      action: 'update',
      category: 'telephony',
      q: '"maxChannels"',
      from: '2025-12-31T23:00:00.000Z', // midnight in the browser's zone (Europe/Berlin)
    });
    for (const e of syntax.events) {
      expect(e).toMatchObject({ action: 'update', category: 'telephony', actor: { username: 'jane.admin' } });
      expect(JSON.stringify([e.oldValue, e.newValue]).toLowerCase()).toContain('maxchannels');
    }
    expect(await box.inputValue()).toBe('"maxChannels"');
    expect(await page.getByLabel('User', { exact: true }).inputValue()).toBe('jane.admin');
    expect(await page.getByRole('checkbox', { name: 'Update' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Date range').inputValue()).toBe('custom');

    await box.fill('type:Carrier id:trunk-provider-1 ip:2001:db8::/32 session:nope');
    const more = await uiQuery(page, () => box.press('Enter'));
    expect(Object.fromEntries(more)).toMatchObject({
      targetType: 'Carrier',
      targetId: 'trunk-provider-1',
      ip: '2001:db8::/32',
      sessionId: 'nope',
    });
    await page.getByText('No events match these filters.').waitFor();

    await box.fill('action:frobnicate');
    await box.press('Enter');
    await page
      .getByRole('alert')
      .getByText(/action: must be create, update or delete/)
      .waitFor();

    await page.getByText('Query syntax').click();
    await page.getByRole('cell', { name: 'ip:10.0.0.0/8' }).waitFor();
    await screenshot(page, 'audit-query-syntax');
  });

  it('the URL holds every filter: shared links reproduce the query, back and forward work', async () => {
    await page.getByRole('checkbox', { name: 'Create' }).check();
    await page.waitForURL(/action=create/);
    await page.getByLabel('User', { exact: true }).fill('zoe.muller');
    await page.getByLabel('User', { exact: true }).press('Enter');
    await page.waitForURL(/user=zoe.muller/);
    const shared = page.url();

    const back = await applyAndCheck(page, server, 'back button', () => page.goBack());
    expect(back.params.getAll('user')).toEqual([]);
    expect(back.params.getAll('action')).toEqual(['create']);
    expect(await page.getByLabel('User', { exact: true }).inputValue()).toBe('');
    const forward = await applyAndCheck(page, server, 'forward button', () => page.goForward());
    expect(forward.params.getAll('user')).toEqual(['zoe.muller']);

    const other = await openPage(browser, server.url, { token: server.token });
    const params = await uiQuery(other.page, () => other.page.goto(shared));
    expect(Object.fromEntries(params)).toMatchObject({ user: 'zoe.muller', action: 'create' });
    await expectTableMatchesApi(other.page, server, params);
    expect(await other.page.getByRole('checkbox', { name: 'Create' }).isChecked()).toBe(true);
    expect(other.problems).toEqual([]);
    await other.context.close();
  });

  it('loads the next keyset page when scrolled to the end', async () => {
    const first = await server.api('/v1/events?limit=100');
    const second = await server.api(`/v1/events?limit=100&cursor=${encodeURIComponent(first.nextCursor)}`);
    const next = page.waitForRequest((r) => r.url().includes('cursor='), { timeout: 15_000 });
    const secondPageRows = () =>
      page.$$eval('.tbody [data-index]', (rows) =>
        rows
          .map((r) => [Number(r.getAttribute('data-index')), r.getAttribute('data-event-id')] as const)
          .filter(([i]) => i >= 100),
      );
    await expect
      .poll(
        async () => {
          await page.locator('.tbody').evaluate((el) => {
            el.scrollTop = el.scrollHeight;
          });
          return (await secondPageRows()).length;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBeGreaterThan(5);
    expect(new URL((await next).url()).searchParams.get('cursor')).toBe(first.nextCursor);
    await page.locator('.tbody').evaluate((el) => {
      el.scrollTop = 105 * 44;
    });
    await expect.poll(async () => (await secondPageRows()).some(([i]) => i === 110)).toBe(true);
    const shown = (await secondPageRows()).filter(([i]) => i < 200);
    expect(shown.length).toBeGreaterThan(5);
    for (const [i, id] of shown) expect(id).toBe(second.events[i - 100].id);
  });
});
