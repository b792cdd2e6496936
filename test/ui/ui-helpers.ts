/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { visibleEventIds } from './browser.js';
import type { UiServer } from './ui-server.js';

/** Filter-change timings (ms), printed at the end of the suite; measured, never asserted. */
export const timings: { label: string; ms: number }[] = [];

/**
 * Runs `action` and returns the parameters of the first-page GET /v1/events the UI sent because of it.
 */
export async function uiQuery(page: Page, action: () => Promise<unknown>): Promise<URLSearchParams> {
  return (await uiQueryTimed(page, action)).params;
}

/** As uiQuery, also timing the action until the UI has its answer and painted the next frame. */
async function uiQueryTimed(
  page: Page,
  action: () => Promise<unknown>,
): Promise<{ params: URLSearchParams; ms: number }> {
  const t0 = Date.now();
  const isFirstPage = (url: string) =>
    url.includes('/v1/events?') && !url.includes('cursor=') && !url.includes('afterSeq=');
  const [request] = await Promise.all([page.waitForRequest((r) => isFirstPage(r.url())), action()]);
  await (await request.response())?.finished();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return { params: new URL(request.url()).searchParams, ms: Date.now() - t0 };
}

/**
 * Asks the API the same question the UI asked and waits until the table shows the API's answer, in order.
 * Returns the API's events and how long the table took to show them (from `since`).
 */
export async function expectTableMatchesApi(
  page: Page,
  server: UiServer,
  params: URLSearchParams,
  since = Date.now(),
): Promise<{ events: any[]; ms: number }> {
  let answer = await server.api(`/v1/events?${params}`);
  // A short keyword is searched a slice at a time: an empty page with a cursor is "not found yet".
  while (answer.events.length === 0 && answer.nextCursor) {
    const next = new URLSearchParams(params);
    next.set('cursor', answer.nextCursor);
    answer = await server.api(`/v1/events?${next}`);
  }
  const events: any[] = answer.events;
  if (events.length === 0) {
    await page.getByText('No events match these filters.').waitFor();
    return { events, ms: Date.now() - since };
  }
  await expect
    .poll(
      async () => {
        const ids = await visibleEventIds(page);
        return ids.length > 0 && ids.every((id, i) => id === events[i]?.id);
      },
      { timeout: 10_000, interval: 25 },
    )
    .toBe(true);
  return { events, ms: Date.now() - since };
}

/** Applies a filter through the UI and checks the table against the API; records the time it took. */
export async function applyAndCheck(
  page: Page,
  server: UiServer,
  label: string,
  action: () => Promise<unknown>,
): Promise<{ params: URLSearchParams; events: any[] }> {
  const { params, ms } = await uiQueryTimed(page, action);
  const { events } = await expectTableMatchesApi(page, server, params);
  timings.push({ label, ms });
  return { params, events };
}

/** `2026-11-23T14:05` in the browser's zone (the tests run the browser in Europe/Berlin). */
export function berlinLocal(d: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Berlin',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** Prints each measurement once: the median, and the range when it was measured several times. */
export function printTimings(title: string, extra: { label: string; ms: number }[] = []): void {
  const byLabel = new Map<string, number[]>();
  for (const t of [...extra, ...timings]) byLabel.set(t.label, [...(byLabel.get(t.label) ?? []), t.ms]);
  const rows = [...byLabel].map(([label, all]) => {
    const sorted = [...all].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const range = sorted.length > 1 ? `  (n=${sorted.length}, ${sorted[0]}–${sorted.at(-1)} ms)` : '';
    return `  ${label.padEnd(40)} ${String(median).padStart(6)} ms${range}`;
  });
  console.log(`\n${title}\n${rows.join('\n')}\n`);
}
