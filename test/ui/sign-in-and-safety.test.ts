/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUi, launch, openPage, screenshot } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

const HOSTILE = {
  username: '<img src=x onerror="window.__pwned=1">',
  displayName: '"><script>window.__pwned=2</script>',
  target: 'invoice\u202Etxt.exe',
  html: '<img src=x onerror="window.__pwned=3">',
  key: 'key"><svg onload="window.__pwned=4">',
  long: `${'W'.repeat(3000)}-end`,
};

/** Token failures logged by the browser for requests the test makes fail on purpose. */
const expected401 = (p: string) => /Failed to load resource: .* (401|403)/.test(p);

describeUi('Sign-in, embed mode, headers and hostile values (real Chromium)', () => {
  let server: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 300 }), launch()]);
    await server.api('/v1/events', {
      method: 'POST',
      json: {
        actor: { id: 'usr_hostile', username: HOSTILE.username, displayName: HOSTILE.displayName },
        action: 'update',
        category: 'settings',
        target: { type: 'Setting', id: 'hostile-1', name: HOSTILE.target },
        oldValue: { html: '<b>old</b>', long: 'short' },
        newValue: { html: HOSTILE.html, long: HOSTILE.long, [HOSTILE.key]: HOSTILE.html },
        reason: `${HOSTILE.html} ${HOSTILE.long}`,
        metadata: { link: '<a href="javascript:window.__pwned=5">x</a>' },
        ip: '192.0.2.66',
      },
    });
    await server.api('/v1/auth-events', {
      method: 'POST',
      json: {
        type: 'login_failure',
        user: { username: HOSTILE.username },
        reason: 'unknown_user',
        ip: '192.0.2.66',
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the pages with a strict CSP and leaves the API routes alone', async () => {
    for (const path of ['/', '/audit', '/auth/events', '/audit/history/Carrier/x', '/sign-in']) {
      const res = await server.raw(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-(inline|eval)/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
    }
    expect((await server.raw('/healthz')).headers.get('content-type')).toMatch(/json/);
    expect(((await (await server.raw('/v1/nope')).json()) as any).error.code).toBe('not_found');
    expect((await server.raw('/v1/events')).status).toBe(401);
    expect(((await (await server.raw('/openapi.json')).json()) as any).openapi).toMatch(/^3\./);
    expect((await server.raw('/metrics')).status).toBe(200);
    expect((await server.raw('/nowhere')).status).toBe(404);
  });

  it('a bad token is refused with a clear message and stored nowhere', async () => {
    const { page, context, problems } = await openPage(browser, server.url);
    await page.goto('/audit');
    await page.getByLabel('API token').fill('al_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .getByText('This token was not accepted: it is unknown, revoked or expired.')
      .waitFor();
    await screenshot(page, 'sign-in-bad-token');
    expect(await page.evaluate(() => ({ s: sessionStorage.length, l: localStorage.length }))).toEqual({
      s: 0,
      l: 0,
    });
    expect(page.url()).not.toContain('al_not');

    await page.getByLabel('API token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.tbody [data-event-id]').first().waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('auditlog.token'))).toContain(server.token);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(page.url()).not.toContain(server.token);
    expect(problems.filter((p) => !expected401(p))).toEqual([]);
    await context.close();
  });

  it('a revoked token sends the reader back to sign-in with the reason', async () => {
    const created = await server.api('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'default', scopes: ['read'], name: 'ui-revoke-test' },
    });
    const { page, context, problems } = await openPage(browser, server.url, { token: created.token });
    await page.goto('/audit');
    await page.locator('.tbody [data-event-id]').first().waitFor();
    await server.api(`/v1/tokens/${created.id}`, { method: 'DELETE' });
    await page.getByRole('link', { name: 'Authentication log' }).click();
    await page.getByText('The token is no longer accepted (expired or revoked). Sign in again.').waitFor();
    expect(problems.filter((p) => !expected401(p))).toEqual([]);
    await context.close();
  });

  it('embed mode: a viewer token in the fragment is moved to sessionStorage and stripped from the URL', async () => {
    const viewer = await server.api('/v1/viewer-sessions', { method: 'POST', json: { ttlSeconds: 300 } });
    const { page, context, problems } = await openPage(browser, server.url);
    await page.goto(
      `/audit?category=settings#token=${encodeURIComponent(viewer.token)}&expiresAt=${viewer.expiresAt}`,
    );
    await page.locator('.tbody [data-event-id]').first().waitFor();
    expect(page.url()).toBe(`${server.url}/audit?category=settings`);
    expect(await page.evaluate(() => location.hash)).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('auditlog.token'))).toContain(viewer.token);
    await page.getByText('Viewer session').waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await page.getByRole('button', { name: 'CSV' }).click();
    await page
      .getByRole('alert')
      .getByText(/Export failed: .*export scope/)
      .waitFor();
    expect(problems.filter((p) => !expected401(p))).toEqual([]);
    await context.close();
  });

  it('hostile stored values are shown as text, never as markup', async () => {
    const { page, context, problems } = await openPage(browser, server.url, { token: server.token });
    await page.goto('/audit?q=hostile-1');
    const row = page.locator('.tbody [data-event-id]').first();
    await row.waitFor();
    expect(await row.locator('.cell-user').textContent()).toBe(`${HOSTILE.displayName}${HOSTILE.username}`);
    expect(await row.locator('.cell-target').textContent()).toBe('Setting: invoiceU+202Etxt.exe');
    expect(await row.locator('.hidden-char').textContent()).toBe('U+202E');
    const height = (await row.boundingBox())!.height;
    expect(height).toBeLessThan(50);

    await row.locator('.cell-time').click();
    const panel = page.locator('.detail-panel');
    await panel.locator('.value-diff').waitFor();
    const text = (await panel.textContent())!;
    expect(text).toContain(HOSTILE.html);
    expect(text).toContain(HOSTILE.key);
    await panel.getByRole('button', { name: /Show all .* characters/ }).click();
    expect(await panel.textContent()).toContain(HOSTILE.long);
    expect(text).toContain('javascript:window.__pwned=5');
    const overflow = await panel.locator('.detail-body').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, 'hostile-values');

    await page.goto('/auth/events?type=login_failure&ip=192.0.2.66');
    const authRow = page.locator('[data-auth-event-id]').first();
    await authRow.waitFor();
    expect(await authRow.textContent()).toContain(HOSTILE.username);

    const injected = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      imgs: document.querySelectorAll(
        'img, svg:not(.chart-svg):not([viewBox="0 0 10 10"]), iframe, script:not([src])',
      ).length,
    }));
    expect(injected).toEqual({ pwned: undefined, imgs: 0 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is usable in a narrow window: rows become cards, the detail takes the screen', async () => {
    const { page, context, problems } = await openPage(browser, server.url, {
      token: server.token,
      width: 480,
      height: 900,
    });
    await page.goto('/audit');
    const row = page.locator('.tbody [data-event-id]').first();
    await row.waitFor();
    expect(await page.locator('.event-table.narrow').count()).toBe(1);
    const docOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(docOverflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'audit-log-narrow');
    await row.locator('.cell-time').click();
    const box = (await page.locator('.detail-panel').boundingBox())!;
    expect(box.width).toBeGreaterThan(470);
    await page.getByRole('button', { name: 'Close details' }).click();
    await page.waitForURL((u) => !u.searchParams.has('event'));
    expect(problems).toEqual([]);
    await context.close();
  });
});
