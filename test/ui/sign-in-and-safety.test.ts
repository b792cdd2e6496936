/// <reference lib="dom" />
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUi, launch, openPage, screenshot, type UiPage } from './browser.js';
import { berlinLocal } from './ui-helpers.js';
import { startUiServer, type UiServer } from './ui-server.js';

/**
 * A host platform's page that frames the UI: served on localhost, another site than the UI's 127.0.0.1, so
 * the browser treats the frame as third-party (as for console.example.com embedding auditlog.example.net).
 */
let hostPage = '';
const host = createServer((_req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end(hostPage);
});

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
  /** An embedded viewer left idle until its session ends (the last test checks it). */
  let idleViewer: (UiPage & { expiresAt: string }) | undefined;
  let HOST: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    HOST = `http://localhost:${(host.address() as AddressInfo).port}`;
    [server, browser] = await Promise.all([
      startUiServer({ events: 300, env: { AUDITLOG_FRAME_ANCESTORS: HOST } }),
      launch(),
    ]);
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
    host.close();
  });

  it('serves the pages with a strict CSP and leaves the API routes alone', async () => {
    for (const path of ['/', '/audit', '/auth/events', '/audit/history/Carrier/x', '/sign-in']) {
      const res = await server.raw(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`frame-ancestors ${HOST}`);
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
    // The whole log is counted unasked: let that count answer first, so that the click below is what meets
    // the revoked token (a count sent after the revocation would sign the reader out before the click).
    await page.locator('.result-count').getByText('matching event').waitFor();
    await server.api(`/v1/tokens/${created.id}`, { method: 'DELETE' });
    await page.getByRole('link', { name: 'Authentication log' }).click();
    await page.getByText('The token is no longer accepted (expired or revoked). Sign in again.').waitFor();
    expect(problems.filter((p) => !expected401(p))).toEqual([]);
    await context.close();
  });

  it('embed mode: the fragment token moves to sessionStorage; tenant, real expiry, Export disabled', async () => {
    // The shortest session there is: the last test of this file sees it end while the reader is idle.
    const viewer = await server.api('/v1/viewer-sessions', { method: 'POST', json: { ttlSeconds: 30 } });
    const ui = await openPage(browser, server.url);
    const { page } = ui;
    const exports: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/export')) exports.push(r.url());
    });
    // No expiresAt in the fragment: the header shows the expiry the server reports (GET /v1/me).
    await page.goto(`/audit?category=settings#token=${encodeURIComponent(viewer.token)}`);
    await page.locator('.tbody [data-event-id]').first().waitFor();
    expect(page.url()).toBe(`${server.url}/audit?category=settings`);
    expect(await page.evaluate(() => location.hash)).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('auditlog.token'))).toContain(viewer.token);
    const header = page.locator('.app-header');
    await header.getByText('Viewer session until').waitFor();
    expect(await header.locator('.session-expiry time').getAttribute('datetime')).toBe(viewer.expiresAt);
    expect(await header.locator('.session-expiry time').textContent()).toBe(
      berlinLocal(new Date(viewer.expiresAt)).slice(11),
    );
    expect(await header.locator('.tenant').textContent()).toBe('Tenant default');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    // A viewer token is read-only: Export is disabled and says why, before any click.
    const csv = page.getByRole('button', { name: 'CSV' });
    expect(await csv.getAttribute('aria-disabled')).toBe('true');
    expect(await csv.getAttribute('title')).toMatch(/export scope/);
    expect(await page.getByRole('button', { name: 'NDJSON' }).getAttribute('aria-disabled')).toBe('true');
    await csv.dispatchEvent('click');
    await csv.focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(exports).toEqual([]);
    expect(ui.problems.filter((p) => !expected401(p))).toEqual([]);
    idleViewer = { ...ui, expiresAt: viewer.expiresAt };
  });

  it('embeds in an iframe of an origin named in AUDITLOG_FRAME_ANCESTORS, and only there', async () => {
    const viewer = await server.api('/v1/viewer-sessions', { method: 'POST', json: {} });
    const { page, context, problems } = await openPage(browser, server.url);
    const src = `${server.url}/audit?category=security#token=${encodeURIComponent(viewer.token)}`;
    hostPage = `<!doctype html><title>Host</title><iframe title="Audit log" src="${src}" width="1200" height="700"></iframe>`;
    // A third-party frame: this browser refuses it sessionStorage, so the token is kept in memory.
    await page.goto(`${HOST}/admin/audit`);
    const frame = page.frameLocator('iframe[title="Audit log"]');
    await frame.locator('.tbody [data-event-id]').first().waitFor();
    expect(await frame.locator('.tbody .cell-category').first().textContent()).toBe('Security');
    await frame.getByText('Viewer session until').waitFor();
    expect(page.frames()[1]!.url()).toBe(`${server.url}/audit?category=security`);
    await screenshot(page, 'embedded-in-host');
    expect(problems).toEqual([]);

    // The same page on an origin the server does not name: the browser refuses to show the frame.
    await page.goto(`${HOST.replace('localhost', '127.0.0.1')}/admin/audit`);
    await expect.poll(() => problems.some((p) => /frame-ancestors/.test(p)), { timeout: 10_000 }).toBe(true);
    expect(await page.frameLocator('iframe').locator('.app').count()).toBe(0);
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

  // Last on purpose: the viewer session of the embed test has been idle since; it ends 30 s after it began.
  it('an idle viewer is signed out when its session ends, without clicking anything', async () => {
    expect(idleViewer).toBeDefined();
    const { page, context, problems, expiresAt } = idleViewer!;
    await page
      .getByText('The viewer session has expired. Reload the page in your platform to open the log again.')
      .waitFor({ timeout: Math.max(0, Date.parse(expiresAt) - Date.now()) + 10_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect(problems.filter((p) => !expected401(p))).toEqual([]);
    await context.close();
  });
});
