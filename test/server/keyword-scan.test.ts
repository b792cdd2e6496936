// GET /v1/events with a keyword the index cannot narrow: each page checks at most keywordScanLimit entries,
// may come back short (even empty) with a cursor, and following the cursors finds every match once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const SCAN_LIMIT = 40;

beforeAll(async () => {
  server = await startTestServer({ keywordScanLimit: SCAN_LIMIT });
  const events = Array.from({ length: 300 }, (_, i) =>
    sampleEvent({
      id: `evt-${i}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      // Every 50th event carries the two-letter word; every event a long one.
      reason: i % 50 === 7 ? `qz marks event ${i}` : `routine change ${i}`,
    }),
  );
  const res = await server.request('/v1/events', { method: 'POST', json: { events } });
  expect(res.status).toBe(201);
});
afterAll(async () => server?.close());

async function follow(query: string): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const res = await server.request(
      `/v1/events?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status).toBe(200);
    const page = await json(res);
    ids.push(...page.events.map((e: { id: string }) => e.id));
    pages.push(page.events.length);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 100);
  return { ids, pages };
}

describe('keyword search with a bounded scan', () => {
  it('answers short pages with a cursor, and the cursors lead to every match once, newest first', async () => {
    const { ids, pages } = await follow('q=qz&limit=5');
    expect(ids).toEqual(['evt-257', 'evt-207', 'evt-157', 'evt-107', 'evt-57', 'evt-7']);
    // 300 entries examined 40 at a time: eight pages, most of them short (some empty).
    expect(pages.length).toBe(Math.ceil(300 / SCAN_LIMIT));
    expect(pages.some((n) => n === 0)).toBe(true);
    expect(Math.max(...pages)).toBeLessThanOrEqual(1);
  });

  it('continues from the last entry examined also when a short page is exactly full', async () => {
    const { ids, pages } = await follow('q=qz&limit=1');
    expect(ids).toEqual(['evt-257', 'evt-207', 'evt-157', 'evt-107', 'evt-57', 'evt-7']);
    expect(pages.filter((n) => n === 1)).toHaveLength(6);
  });

  it('is the same oldest first, and with another filter', async () => {
    expect((await follow('q=qz&limit=5&order=asc')).ids).toEqual([
      'evt-7',
      'evt-57',
      'evt-107',
      'evt-157',
      'evt-207',
      'evt-257',
    ]);
    expect((await follow(`q=qz&limit=5&from=${encodeURIComponent('2026-01-01T02:00:00Z')}`)).ids).toEqual([
      'evt-257',
      'evt-207',
      'evt-157',
    ]);
  });

  it('fills pages as usual for a common short word and for words the index narrows', async () => {
    const common = await json(await server.request('/v1/events?q=ro&limit=25'));
    expect(common.events).toHaveLength(25);
    expect(common.nextCursor).not.toBeNull();
    const indexed = await follow('q=marks&limit=5');
    expect(indexed.ids).toHaveLength(6);
    expect(indexed.pages).toEqual([5, 1]);
  });
});
