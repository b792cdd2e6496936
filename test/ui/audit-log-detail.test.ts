/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeUi, launch, openPage, screenshot, type UiPage, visibleEventIds } from './browser.js';
import { expectTableMatchesApi, uiQuery } from './ui-helpers.js';
import { startUiServer, type UiServer } from './ui-server.js';

describeUi('Audit Log page: detail, history, export, live mode, keyboard', () => {
  let server: UiServer;
  let browser: Browser;
  let ui: UiPage;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 3000 }), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    ui = await openPage(browser, server.url, { token: server.token });
    page = ui.page;
    return async () => {
      expect(ui.problems).toEqual([]);
      await ui.context.close();
    };
  });

  async function show(path: string): Promise<void> {
    const params = await uiQuery(page, () => page.goto(path));
    await expectTableMatchesApi(page, server, params);
  }

  it('the detail shows the full context and the server’s diff, secrets as "changed (redacted)"', async () => {
    const { events } = await server.api('/v1/events?eventType=carrier.updated&limit=500');
    const e = events.find(
      (x: any) =>
        x.changes.length >= 2 &&
        x.changes.some((c: any) => c.path === '/password') &&
        x.changes.some((c: any) => typeof c.old === 'number'),
    );
    expect(e, 'a demo carrier update changing a number and the password').toBeDefined();
    await show(`/audit?targetType=Carrier&targetId=${e.target.id}`);
    await page.locator(`[data-event-id="${e.id}"] .cell-time`).click();
    await page.waitForURL(new RegExp(`event=${e.id}`));
    const panel = page.locator('.detail-panel');
    await panel.getByRole('heading', { name: 'Event details' }).waitFor();

    expect(await panel.locator('.fields').textContent()).toContain(e.actor.displayName);
    expect(await panel.getByRole('link', { name: `Carrier: ${e.target.id}` }).getAttribute('href')).toBe(
      `/audit/history/Carrier/${e.target.id}`,
    );
    expect(await panel.locator('.fields').textContent()).toContain(e.ip);

    const listed = await panel
      .locator('[data-change-path]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-change-path')));
    expect(listed).toEqual(e.changes.map((c: any) => c.path));
    expect(await panel.locator('[data-change-path="/password"]').textContent()).toContain(
      'changed (redacted)',
    );
    const numeric = e.changes.find((c: any) => typeof c.old === 'number');
    const row = panel.locator(`[data-change-path="${numeric.path}"]`);
    expect(await row.locator('.change-old').textContent()).toBe(String(numeric.old));
    expect(await row.locator('.change-new').textContent()).toBe(String(numeric.new ?? '∅'));

    const marked = await panel
      .locator('.value-diff tr[data-mark="changed"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));
    expect(marked.sort()).toEqual(e.changes.map((c: any) => c.path).sort());
    const secret = panel.locator('.value-diff tr[data-path="/password"]');
    expect(await secret.locator('.diff-new').textContent()).toContain('changed (redacted)');
    expect(await panel.textContent()).not.toMatch(/"fingerprint"/);
    await screenshot(page, 'audit-detail');

    await page.keyboard.press('Escape');
    await page.waitForURL((u) => !u.searchParams.has('event'));
    // Focus returns to the row in the next animation frame, after the URL has changed.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-event-id')))
      .toBe(e.id);
  });

  it('a shared link with ?event= opens that event even when it is not on the first page', async () => {
    const { events } = await server.api('/v1/events?order=asc&limit=1');
    await page.goto(`/audit?event=${events[0].id}`);
    await page.locator('.detail-panel .event-detail').waitFor();
    expect(await page.locator('.detail-panel').textContent()).toContain(events[0].id);
  });

  it('rows are reachable by keyboard: arrows move, Enter opens, H opens the target history', async () => {
    await show('/audit');
    const ids = await visibleEventIds(page);
    await page.locator('[data-index="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('2');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`event=${ids[2]}`));
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-index'));
    await page.keyboard.press('Escape');
    // Focus returns to the row in the next frame; End must be pressed there, not on the closing panel.
    await expect.poll(focused).toBe('2');
    await page.keyboard.press('End');
    await expect.poll(async () => Number(await focused())).toBeGreaterThan(50);
    await page.keyboard.press('Home');
    await page.keyboard.press('h');
    await page.waitForURL(/\/audit\/history\//);
  });

  it('clicking a target opens its history, oldest first, as the API returns it', async () => {
    await show('/audit?targetType=IVR');
    const first = page.locator('.tbody [data-index="0"]');
    const target = (await first.locator('.cell-target').textContent())!;
    await first.locator('.cell-target button').click();
    await page.waitForURL(/\/audit\/history\/IVR\//);
    const id = decodeURIComponent(page.url().split('/').pop()!);
    const history = await server.api(`/v1/entities/IVR/${encodeURIComponent(id)}/history?limit=100`);
    await page.locator('.timeline-entry').first().waitFor();
    const shown = await page
      .locator('.timeline-entry')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')));
    expect(shown).toEqual(history.events.map((e: any) => e.id));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`History of ${target}`);
    await screenshot(page, 'entity-history');
    await page.locator('.timeline-entry').first().getByRole('button', { name: 'Details' }).click();
    await page.locator('.detail-panel .event-detail').waitFor();

    // The page reads only `event`: what else a link holds is named, and the timeline is not narrowed by it.
    const notice = page.locator('.ignored-params');
    expect(await notice.count()).toBe(0);
    await page.goto(`${new URL(page.url()).pathname}?user=jane&event=${shown[0]}&range=7d`);
    await expect
      .poll(() => notice.allTextContents())
      .toEqual(['Not a filter of this page, ignored: user, range. The events below are not narrowed by it.']);
    await page.locator('.detail-panel .event-detail').waitFor();
    expect(
      await page
        .locator('.timeline-entry')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id'))),
    ).toEqual(shown);
  });

  it('exports the current filter as CSV and NDJSON, the same rows the API exports', async () => {
    await show('/audit?user=jose.alvarez&category=telephony');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    const expected = await server.api('/v1/export?format=csv&user=jose.alvarez&category=telephony');
    expect(csvText).toBe(expected);

    const [nd] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'NDJSON' }).click(),
    ]);
    expect(nd.suggestedFilename()).toMatch(/\.ndjson$/);
    const lines = readFileSync((await nd.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events = lines.filter((l) => l.category !== undefined);
    const stats = await server.api('/v1/stats?groupBy=action&user=jose.alvarez&category=telephony');
    expect(events.length).toBe(stats.groups.reduce((n: number, g: any) => n + g.count, 0));
    for (const e of events)
      expect(e).toMatchObject({ category: 'telephony', actor: { username: 'jose.alvarez' } });
  });

  it('live mode: new events on top, a late one at its place by time, the view held still', async () => {
    const live: URLSearchParams[] = [];
    page.on('request', (r) => {
      if (r.url().includes('afterSeq=')) live.push(new URL(r.url()).searchParams);
    });
    // The page's clock runs as usual but is moved on by a second at each check (nextPoll), so a 4 s poll
    // interval does not cost the test 4 s of waiting per arrival.
    await page.clock.install();
    await show('/audit?category=inbound');
    await page.getByRole('button', { name: 'Live' }).click();
    expect(await page.getByRole('button', { name: 'Live' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByText(/^Checked /).waitFor();
    const event = (extra: object) => ({
      actor: { id: 'usr_live', username: 'live.tester', displayName: 'Live Tester' },
      action: 'update',
      category: 'inbound',
      target: { type: 'Queue', id: 'live-queue' },
      oldValue: { timeoutSeconds: 30 },
      newValue: { timeoutSeconds: 45 },
      ip: '192.0.2.10',
      ...extra,
    });
    const posted = await server.api('/v1/events', { method: 'POST', json: event({}) });
    const id = posted.events[0].id;
    const rowAt = (i: number) => page.locator(`.tbody [data-index="${i}"]`).getAttribute('data-event-id');
    await expect.poll(nextPoll(page, () => rowAt(0))).toBe(id);
    expect(await page.locator(`[data-event-id="${id}"] .cell-summary`).textContent()).toBe(
      'timeoutSeconds: 30 → 45',
    );

    // Load the second page, and look at rows 130 and on.
    await expect
      .poll(
        async () => {
          await page.locator('.tbody').evaluate((el) => {
            el.scrollTop = el.scrollHeight;
          });
          return page.locator('.table-footer').textContent();
        },
        { timeout: 15_000, interval: 200 },
      )
      .toMatch(/^(2\d\d|[3-9]\d\d) events/);
    const shown = await server.api('/v1/events?category=inbound&limit=200');
    expect(shown.events[0].id).toBe(id);
    const scrolled = 130 * 44;
    await page.locator('.tbody').evaluate((el, top) => {
      el.scrollTop = top;
    }, scrolled);
    await expect.poll(() => rowAt(130)).toBe(shown.events[130].id);
    // Recorded now, occurred between rows 119 and 120: beyond the newest page, so a poll of the newest
    // events would never see it; the highest seq seen does.
    const [a, b] = [Date.parse(shown.events[119].occurredAt), Date.parse(shown.events[120].occurredAt)];
    expect(a).toBeGreaterThan(b + 1);
    const occurredAt = new Date(Math.floor((a + b) / 2)).toISOString();
    const late = (
      await server.api('/v1/events', { method: 'POST', json: event({ occurredAt, reason: 'late' }) })
    ).events[0];
    // Inserted above the view, which holds still: the row that was at its top still is.
    await expect.poll(nextPoll(page, () => rowAt(131))).toBe(shown.events[130].id);
    expect(await page.locator('.tbody').evaluate((el) => el.scrollTop)).toBe(scrolled + 44);
    // Both arrivals are counted; "Show" goes to them in table order, the newest first.
    await page.getByText('2 new events (1 with an earlier time, placed further down)').waitFor();
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(focusedEventId(page)).toBe(id);
    await page.getByRole('button', { name: 'Next (2 of 2)' }).click();
    await expect.poll(focusedEventId(page)).toBe(late.id);
    expect(await rowAt(120)).toBe(late.id);
    const api = await server.api('/v1/events?category=inbound&limit=250');
    const tableIds = await page.$$eval('.tbody [data-index]', (rows) =>
      rows.map((r) => [Number(r.getAttribute('data-index')), r.getAttribute('data-event-id')] as const),
    );
    expect(tableIds.length).toBeGreaterThan(10);
    for (const [i, rowId] of tableIds) expect(rowId).toBe(api.events[i].id);
    expect(live.length).toBeGreaterThanOrEqual(2);
    for (const p of live) expect(p.get('category')).toBe('inbound');
    // The highest seq seen so far moves on with each arrival: nothing is fetched twice.
    const seqs = live.map((p) => Number(p.get('afterSeq')));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs.some((s) => s >= posted.events[0].seq)).toBe(true);
  });

  it('live mode counts every arrival since it was switched on, and "Show" reaches each of them', async () => {
    await page.clock.install();
    await show('/audit');
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.getByText(/^Checked /).waitFor();
    const post = async (n: number) =>
      (
        await server.api('/v1/events', {
          method: 'POST',
          json: {
            actor: { id: 'usr_stepper', username: 'live.stepper' },
            action: 'update',
            category: 'inbound',
            target: { type: 'Queue', id: `stepper-${n}` },
          },
        })
      ).events[0].id as string;
    const rowAt = (i: number) => page.locator(`.tbody [data-index="${i}"]`).getAttribute('data-event-id');
    const status = page.locator('.live-arrivals');
    // Three polls, one arrival each: the count goes on rising, it does not start again at each poll.
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.unshift(await post(n));
      await expect.poll(nextPoll(page, () => rowAt(0))).toBe(ids[0]);
      await expect.poll(() => status.textContent()).toBe(`${n} new event${n === 1 ? '' : 's'}`);
    }
    expect(await page.locator('.tbody .row-fresh').evaluateAll((r) => r.length)).toBe(3);
    // Scrolled away, "Show" goes to the newest, then on to each of the others, newest first.
    await page.locator('.tbody').evaluate((el) => {
      el.scrollTop = 40 * 44;
    });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(focusedEventId(page)).toBe(ids[0]);
    await page.getByRole('button', { name: 'Next (2 of 3)' }).click();
    await expect.poll(focusedEventId(page)).toBe(ids[1]);
    // One more arrives while stepping: counted, and reached after the ones before it.
    const fourth = await post(4);
    await expect.poll(nextPoll(page, () => status.textContent())).toBe('4 new events');
    await page.getByRole('button', { name: 'Next (4 of 4)' }).click();
    await expect.poll(focusedEventId(page)).toBe(ids[2]);
    await page.getByRole('button', { name: 'Next (1 of 4)' }).click();
    await expect.poll(focusedEventId(page)).toBe(fourth);
    expect(await rowAt(0)).toBe(fourth);
  });
});

/** A check that first moves the page's clock (installed by the test) on by a second: the next live poll comes sooner. */
const nextPoll =
  <T>(page: Page, check: () => Promise<T>) =>
  async (): Promise<T> => {
    await page.clock.fastForward(1_000);
    return check();
  };

const focusedEventId = (page: Page) => () =>
  page.evaluate(() => document.activeElement?.getAttribute('data-event-id'));
