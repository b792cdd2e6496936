/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { describeUi, launch, openPage } from './browser.js';

describeUi('The API reference page (/api-reference) renders the server’s own /openapi.json', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the operations, from this server only, under a CSP without inline script', async () => {
    const res = await server.request('/api-reference', { token: null });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    const { page, context, problems } = await openPage(browser, server.url);
    const foreign: string[] = [];
    // Scalar's stylesheet names its web fonts on fonts.scalar.com: the CSP (font-src 'self') refuses them, the
    // page falls back to local fonts. Nothing from another origin may load.
    page.on('response', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    try {
      await page.goto('/api-reference');
      // The document's operations, rendered by Scalar: the first group open, the others by tag.
      await expect
        .poll(() => page.locator('body').textContent(), { timeout: 30_000 })
        .toContain('Readiness: whether the store can serve now');
      const text = (await page.locator('body').textContent()) ?? '';
      for (const tag of ['events', 'authentication', 'integrity', 'tokens']) expect(text).toContain(tag);
      expect(foreign).toEqual([]);
      expect(problems.filter((p) => /page error|script/i.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
