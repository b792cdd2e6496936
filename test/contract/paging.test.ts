// Keyset paging stays stable while other events are inserted concurrently (API.md: "Pages are stable: events
// inserted while a client pages never make it skip or repeat an event").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { generateEvents, postAll } from './helpers/dataset.js';
import { type InputEvent, type Posted, rng } from './helpers/model.js';
import { type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-paging-');
let server: RunningServer;
let initial: Posted[] = [];

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
  initial = await postAll(server, generateEvents(400, 777));
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

/** New events whose occurredAt ties with, falls between, precedes or follows the existing ones. */
function interleaved(r: ReturnType<typeof rng>, n: number, known: number[]): InputEvent[] {
  return generateEvents(n, r.int(1, 1e9)).map((e) => {
    const kind = r.int(0, 3);
    const base = r.pick(known);
    const at =
      kind === 0
        ? base
        : kind === 1
          ? base + r.int(-30, 30) * 1000
          : kind === 2
            ? Date.parse('2023-06-01T00:00:00Z')
            : Date.parse('2024-06-01T00:00:00Z');
    return { ...e, occurredAt: new Date(at).toISOString() };
  });
}

async function pageWhileInserting(order: 'asc' | 'desc', filter: Record<string, string>, seed: number) {
  const r = rng(seed);
  const known = initial.map((p) => p.at);
  let done = false;
  const inserted: string[] = [];
  const writer = (async () => {
    while (!done) {
      const batch = interleaved(r, r.int(1, 6), known);
      const { status, body } = await server.post(batch.length === 1 ? batch[0] : { events: batch });
      if (status !== 201) throw new Error(`insert failed: ${status} ${JSON.stringify(body)}`);
      inserted.push(...body.events.map((e: any) => e.id));
    }
  })();
  const seen: any[] = [];
  let pages = 0;
  try {
    let cursor: string | null = null;
    do {
      const p = new URLSearchParams({ ...filter, order, limit: '11' });
      if (cursor) p.set('cursor', cursor);
      const { status, body } = await server.getJson(`/v1/events?${p}`);
      expect(status).toBe(200);
      seen.push(...body.events);
      cursor = body.nextCursor;
      pages++;
      // give the writer a chance to land events between pages
      await new Promise((res) => setTimeout(res, 2));
    } while (cursor !== null && pages < 500);
  } finally {
    done = true;
    await writer;
  }
  return { seen, inserted, pages };
}

describe('paging with concurrent inserts', () => {
  for (const order of ['desc', 'asc'] as const) {
    it(`order=${order}: no event is repeated or skipped, order is kept`, async () => {
      const { seen, inserted, pages } = await pageWhileInserting(order, {}, order === 'desc' ? 1 : 2);
      expect(pages).toBeGreaterThan(20);
      expect(inserted.length).toBeGreaterThan(0);
      const ids = seen.map((e) => e.id);
      expect(ids.length - new Set(ids).size).toBe(0); // nothing repeated
      const seenSet = new Set(ids);
      const skipped = initial.filter((p) => !seenSet.has(p.id)).map((p) => p.id);
      expect(skipped).toEqual([]); // every event that existed before paging started was returned
      for (let i = 1; i < seen.length; i++) {
        const a = seen[i - 1];
        const b = seen[i];
        const cmp = Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.seq - a.seq;
        expect(order === 'asc' ? cmp > 0 : cmp < 0, `order broken at ${i}`).toBe(true);
      }
    });
  }

  it('with a filter (category=telephony, desc): no repeats, no skips', async () => {
    const { seen } = await pageWhileInserting('desc', { category: 'telephony' }, 3);
    const ids = seen.map((e) => e.id);
    expect(ids.length - new Set(ids).size).toBe(0);
    const seenSet = new Set(ids);
    const expected = initial.filter((p) => p.input.category === 'telephony');
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.filter((p) => !seenSet.has(p.id))).toEqual([]);
    expect(seen.every((e) => e.category === 'telephony')).toBe(true);
  });
});
