/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeUi, launch, openPage, screenshot, type UiPage } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

const ids = (page: Page, selector: string, attr: string) =>
  page.locator(selector).evaluateAll((rows, a) => rows.map((r) => r.getAttribute(a)), attr);

describeUi('Authentication Log pages (real Chromium, demo sign-in history)', () => {
  let server: UiServer;
  let browser: Browser;
  let ui: UiPage;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 1500 }), launch()]);
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

  /** Navigates or acts, and returns the query of the request the UI made to `endpoint`. */
  async function request(endpoint: string, action: () => Promise<unknown>): Promise<URLSearchParams> {
    const [r] = await Promise.all([
      page.waitForRequest((x) => new URL(x.url()).pathname === endpoint),
      action(),
    ]);
    await (await r.response())?.finished();
    return new URL(r.url()).searchParams;
  }

  it('sign-in events: time, user, IP, method, outcome and reason, filtered like the API', async () => {
    const params = await request('/v1/auth-events', () => page.goto('/auth'));
    await page.waitForURL(/\/auth\/events$/);
    const api = await server.api(`/v1/auth-events?${params}`);
    await page.locator('[data-auth-event-id]').first().waitFor();
    expect(await ids(page, '[data-auth-event-id]', 'data-auth-event-id')).toEqual(
      api.events.map((e: any) => e.id),
    );
    await screenshot(page, 'auth-events');

    const failed = await request('/v1/auth-events', () =>
      page.getByLabel('Outcome').selectOption('login_failure'),
    );
    expect(failed.get('type')).toBe('login_failure');
    const failures = await server.api(`/v1/auth-events?${failed}`);
    expect(failures.events.length).toBeGreaterThan(0);
    await expect
      .poll(() => ids(page, '[data-auth-event-id]', 'data-auth-event-id'))
      .toEqual(failures.events.map((e: any) => e.id));
    const first = failures.events[0];
    const row = page.locator(`[data-auth-event-id="${first.id}"]`);
    const text = (await row.textContent())!;
    expect(text).toContain('Failed');
    expect(text).toContain(first.ip);
    expect(text).toContain(first.user.username);
    expect(text).toMatch(
      /wrong password|unknown user|wrong TOTP code|wrong email code|account locked|account disabled/,
    );
    expect(new URL(page.url()).searchParams.get('type')).toBe('login_failure');
  });

  it('sessions: duration and end reason, open sessions marked, "open only" filter', async () => {
    const params = await request('/v1/sessions', () => page.goto('/auth/sessions'));
    const api = await server.api(`/v1/sessions?${params}`);
    await page.locator('[data-session-id]').first().waitFor();
    expect(await ids(page, '[data-session-id]', 'data-session-id')).toEqual(
      api.sessions.map((s: any) => s.sessionId),
    );
    const open = api.sessions.find((s: any) => s.active);
    const ended = api.sessions.find(
      (s: any) => !s.active && s.durationSeconds !== null && s.endReason === 'logout',
    );
    expect(await page.locator(`[data-session-id="${open.sessionId}"]`).textContent()).toContain('Open');
    const endedRow = (await page.locator(`[data-session-id="${ended.sessionId}"]`).textContent())!;
    expect(endedRow).toContain('Signed out');
    expect(endedRow).toMatch(/\d+ (s|min|h|d)/);
    await screenshot(page, 'auth-sessions');

    const onlyOpen = await request('/v1/sessions', () =>
      page.getByLabel('Session state').selectOption('true'),
    );
    expect(onlyOpen.get('active')).toBe('true');
    const openApi = await server.api(`/v1/sessions?${onlyOpen}`);
    await expect
      .poll(() => ids(page, '[data-session-id]', 'data-session-id'))
      .toEqual(openApi.sessions.map((s: any) => s.sessionId));
    expect(await page.locator('[data-session-id]').filter({ hasNotText: 'Open' }).count()).toBe(0);

    // A session whose login is not on record ended all the same: no duration, and not "ongoing".
    await server.api('/v1/auth-events', {
      method: 'POST',
      json: {
        type: 'logout',
        user: { id: 'u-ghost', username: 'ghost' },
        sessionId: 'sess-ghost',
        ip: '192.0.2.9',
      },
    });
    await page.goto('/auth/sessions?user=ghost');
    const ghost = page.locator('[data-session-id="sess-ghost"]');
    await ghost.waitFor();
    expect(await ghost.textContent()).toContain('Signed out');
    expect(await ghost.textContent()).toContain('unknown');
    expect(await ghost.textContent()).not.toContain('ongoing');
  });

  it('a session lists the administrative actions performed in it', async () => {
    const { events } = await server.api('/v1/events?limit=50');
    const sessionId = events.find((e: any) => e.sessionId).sessionId;
    const detail = await server.api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
    expect(detail.actions.length).toBeGreaterThan(0);
    await page.goto(`/auth/sessions/${encodeURIComponent(sessionId)}`);
    await page.getByRole('heading', { name: /Administrative actions in this session/ }).waitFor();
    expect(await ids(page, 'tbody [data-event-id]', 'data-event-id')).toEqual(
      detail.actions.map((e: any) => e.id),
    );
    await screenshot(page, 'auth-session-detail');
    const notice = page.locator('.ignored-params');
    expect(await notice.count()).toBe(0);
    // The page reads no URL parameter: those of a link are named, and the actions are all still listed.
    await page.goto(`/auth/sessions/${encodeURIComponent(sessionId)}?user=jane&event=x`);
    await expect
      .poll(() => notice.allTextContents())
      .toEqual([
        'Not a filter of this page, ignored: user, event. The actions below are not narrowed by it.',
      ]);
    await page.getByRole('heading', { name: /Administrative actions in this session/ }).waitFor();
    expect(await ids(page, 'tbody [data-event-id]', 'data-event-id')).toEqual(
      detail.actions.map((e: any) => e.id),
    );
    await page.getByRole('link', { name: 'Open these actions in the audit log' }).click();
    await page.waitForURL(/\/audit\?sessionId=/);
    await page.locator('.tbody [data-event-id]').first().waitFor();
  });

  it('failed attempts over time: one request per chart, its bars and table are the API’s buckets', async () => {
    const seen: URL[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/auth/failures')) seen.push(new URL(r.url()));
    });
    await page.goto('/auth/failures');
    await page.locator('.failure-chart').nth(1).waitFor();
    // One bucketed request per chart, instead of one per bar.
    expect(seen.map((u) => u.searchParams.get('groupBy')).sort()).toEqual(['ip', 'user']);
    for (const u of seen) {
      expect(Object.fromEntries(u.searchParams)).toMatchObject({ window: '1440m', bucket: '60m' });
    }
    for (const [index, groupBy] of ['user', 'ip'].entries()) {
      const query = seen.find((u) => u.searchParams.get('groupBy') === groupBy)!.searchParams;
      const api = await server.api(`/v1/auth/failures?${query}`);
      expect(api.buckets).toHaveLength(24);
      const chart = page.locator('.failure-chart').nth(index);
      const total = api.groups.reduce((n: number, g: any) => n + g.count, 0);
      expect(await chart.locator('figcaption').textContent()).toContain(`(${total} failed attempts)`);
      const top = api.groups[0];
      expect(await chart.locator('.legend li').first().textContent()).toBe(`${top.key} ${top.count}`);
      expect(await chart.locator('svg.chart-svg').getAttribute('aria-label')).toContain(top.key);

      // The table under the chart: a row per bucket, a column per key shown (the rest as "N others").
      await chart.getByText('Show as table').click();
      const keys = await chart.locator('thead th').allTextContents();
      const rows = await chart.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          from: tr.getAttribute('data-bucket-from'),
          counts: Array.from(tr.querySelectorAll('td'), (td) => Number(td.textContent)),
        })),
      );
      expect(rows.map((r) => r.from)).toEqual(api.buckets.map((b: any) => b.from));
      const named = keys.slice(1).filter((k) => !/^\d+ others$/.test(k));
      expect(named.length).toBeGreaterThan(0);
      api.buckets.forEach((b: any, i: number) => {
        const bucketTotal = b.groups.reduce((n: number, g: any) => n + g.count, 0);
        expect(rows[i]!.counts.reduce((n, c) => n + c, 0)).toBe(bucketTotal);
        named.forEach((key, k) => {
          expect(rows[i]!.counts[k]).toBe(b.groups.find((g: any) => g.key === key)?.count ?? 0);
        });
      });
      const bars = await chart.locator('svg.chart-svg rect').count();
      const nonZero = rows.reduce((n, r) => n + r.counts.filter((c) => c > 0).length, 0);
      expect(bars).toBe(nonZero);
    }
    await screenshot(page, 'auth-failures');
  });

  it('brute-force and spraying alerts, with a link to the attempts', async () => {
    const params = await request('/v1/alerts', () => page.goto('/auth/alerts'));
    const api = await server.api(`/v1/alerts?${params}`);
    expect(api.alerts.map((a: any) => a.kind).sort()).toEqual(['brute_force', 'password_spraying']);
    await page.locator('.alert-card').first().waitFor();
    const cards = await page
      .locator('.alert-card')
      .evaluateAll((c) => c.map((x) => x.getAttribute('data-alert-kind')));
    expect(cards).toEqual(api.alerts.map((a: any) => a.kind));
    const brute = api.alerts.find((a: any) => a.kind === 'brute_force');
    const card = page.locator('.alert-card[data-alert-kind="brute_force"]');
    expect(await card.textContent()).toContain(`${brute.subject}${brute.count} failed attempts`);
    for (const ip of brute.ips) expect(await card.textContent()).toContain(ip);
    await screenshot(page, 'auth-alerts');
    const attempts = await request('/v1/auth-events', () =>
      card.getByRole('link', { name: 'Show these attempts' }).click(),
    );
    // The alert's own query: its attempts, from the first to the last.
    expect(Object.fromEntries(attempts)).toMatchObject(
      Object.fromEntries(new URLSearchParams(brute.attemptsQuery)),
    );
    expect(Object.fromEntries(attempts)).toMatchObject({ type: 'login_failure', user: brute.subject });

    // "Any time" asks from the earliest time: without `from`, the server looks at the last 24 hours only.
    const any = await request('/v1/alerts', () => page.goto('/auth/alerts?range=all'));
    expect(any.get('from')).toBe('0000-01-01T00:00:00.000Z');
  });

  // Adds attacks to the log: keep it the last test of this file.
  it('pages through many alerts, each naming at most 20 usernames with their count', async () => {
    const start = Date.now() - 3 * 3600_000;
    const failure = (username: string, ip: string, ms: number) => ({
      type: 'login_failure',
      user: { username },
      reason: 'bad_password',
      ip,
      occurredAt: new Date(ms).toISOString(),
    });
    const events = [
      ...Array.from({ length: 55 * 5 }, (_, i) => {
        const n = Math.floor(i / 5);
        return failure(`ui.victim.${n}`, `198.51.${n}.${(i % 2) + 1}`, start + n * 60_000 + (i % 5) * 1000);
      }),
      ...Array.from({ length: 30 }, (_, i) => failure(`sprayed.${i}`, '192.0.2.250', start + i * 1000)),
      // One unbroken 256-character username: its card must wrap it, not grow past the page.
      ...Array.from({ length: 5 }, (_, i) =>
        failure(`long${'x'.repeat(252)}`, '203.0.113.99', start + i * 1000),
      ),
    ];
    await server.api('/v1/auth-events', { method: 'POST', json: { events } });

    const params = await request('/v1/alerts', () => page.goto('/auth/alerts'));
    const first = await server.api(`/v1/alerts?${params}`);
    expect(first.alerts).toHaveLength(50);
    const kinds = (p: any) => p.alerts.map((a: any) => `${a.kind}:${a.subject}`);
    const cardIds = () =>
      page
        .locator('.alert-card')
        .evaluateAll((cards) =>
          cards.map((c) => `${c.getAttribute('data-alert-kind')}:${c.querySelector('strong')?.textContent}`),
        );
    await expect.poll(cardIds).toEqual(kinds(first));
    const more = await request('/v1/alerts', () => page.getByRole('button', { name: 'Load more' }).click());
    expect(more.get('cursor')).toBeTruthy();
    const second = await server.api(`/v1/alerts?${more}`);
    expect(second.nextCursor).toBeNull();
    await expect.poll(cardIds).toEqual([...kinds(first), ...kinds(second)]);
    await page.getByText(/end of results/).waitFor();

    const spray = [...first.alerts, ...second.alerts].find((a: any) => a.subject === '192.0.2.250');
    expect(spray).toMatchObject({ count: 30, usernameCount: 30 });
    expect(spray.usernames).toHaveLength(20);
    const card = page.locator('.alert-card').filter({ hasText: '192.0.2.250' });
    const detail = (await card.locator('[data-alert-detail]').textContent())!;
    expect(detail).toContain('Usernames tried (30, 20 most tried shown)');
    for (const u of spray.usernames) expect(detail).toContain(u);
    expect(detail).toMatch(/… \+10$/);

    const long = page.locator('.alert-card').filter({ hasText: 'longxxxx' });
    await long.waitFor();
    const pageWidth = await page.evaluate(() => document.documentElement.clientWidth);
    const rights = await page
      .locator('.alert-card')
      .evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().right));
    expect(Math.max(...rights)).toBeLessThanOrEqual(pageWidth);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(pageWidth);
  });

  it('each tab names what its link holds that it does not read, as the Audit Log does', async () => {
    const notice = page.locator('.ignored-params');
    const cases = [
      ['/auth/events?usr=jane&user=jane.admin&range=bogus', 'usr, range=bogus', 'sign-in events'],
      ['/auth/sessions?usr=jane&active=maybe&method=password', 'usr, active=maybe, method', 'sessions'],
      ['/auth/failures?usr=jane&span=2d&range=7d', 'usr, span=2d, range', 'charts'],
      ['/auth/alerts?usr=jane&q=x', 'usr, q', 'alerts'],
    ];
    for (const [path, names, results] of cases) {
      await page.goto(path!);
      await expect
        .poll(() => notice.allTextContents())
        .toEqual([
          `Not a filter of this page, ignored: ${names}. The ${results} below are not narrowed by it.`,
        ]);
      expect(await notice.getAttribute('role')).toBe('alert');
    }
    // A link of what each tab reads says nothing.
    for (const path of [
      '/auth/events?user=jane.admin&range=7d&type=login_failure&method=password&q=x',
      '/auth/sessions?user=jane.admin&ip=10.0.0.0/8&active=true&from=2026-01-01T00:00:00Z',
      '/auth/failures?span=1h',
      '/auth/alerts?range=7d',
    ]) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Authentication log' }).waitFor();
      await page.locator('.tab-panel').waitFor();
      expect(await notice.count(), path).toBe(0);
    }
  });
});
