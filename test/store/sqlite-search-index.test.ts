import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    sampleEvent({ target: { type: 'Queue', id: `queue-${from + i}` }, reason: `word${from + i}x` }),
  );

describe('the SQLite keyword index', () => {
  it('indexes full chunks only, finds the open chunk by scan, and rebuilds it after a restart', async () => {
    const file = dir.file('s.db');
    let log = await openAuditLog({ store: await SqliteStore.open({ file }) });
    for (let i = 0; i < 200; i += 10) await log.appendEvents('t', { events: batch(i, 10) });
    const ids = async (q: Record<string, string>) =>
      (await log.listEvents('t', q)).events.map((e) => e.target.id);
    // queue-5 sits in the first (indexed) chunk; queue-150 in the open one.
    expect(await ids({ q: 'word5x' })).toEqual(['queue-5']);
    expect(await ids({ q: 'word150x' })).toEqual(['queue-150']);
    expect(await ids({ targetType: 'Queue', targetId: 'queue-150' })).toEqual(['queue-150']);
    await log.close();

    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM event_search_chunks').pluck().get()).toBe(1);
    expect(db.prepare("SELECT indexed_seq FROM search_progress WHERE tenant = 't'").pluck().get()).toBe(128);
    db.close();

    log = await openAuditLog({ store: await SqliteStore.open({ file }) });
    await log.appendEvents('t', { events: batch(200, 100) });
    expect(await ids({ q: 'word150x' })).toEqual(['queue-150']);
    expect(await ids({ q: 'word299x' })).toEqual(['queue-299']);
    await log.close();
    const after = new Database(file, { readonly: true });
    // 300 entries: two full chunks (the second made of entries from before and after the restart).
    expect(after.prepare('SELECT count(*) FROM event_search_chunks').pluck().get()).toBe(2);
    const docs = after
      .prepare('SELECT rowid FROM event_search WHERE event_search MATCH ?')
      .pluck()
      .all('"word150x"');
    expect(docs).toHaveLength(1);
    after.close();
  });

  it('takes another writer of the same file into account (an import beside a server): no chunk twice, none lost', async () => {
    // Two stores on one file are two writers, each with its own open chunks in memory, as a `serve` and an
    // `import` process are. Each appends while the other's open chunk is stale.
    const file = dir.file('two.db');
    const a = await openAuditLog({ store: await SqliteStore.open({ file }) });
    const b = await openAuditLog({ store: await SqliteStore.open({ file }) });
    let n = 0;
    const steps: [typeof a, number][] = [
      [a, 100],
      [b, 100],
      [a, 100],
      [b, 60],
      [a, 3],
      [a, 130],
      [b, 1],
      [a, 1],
    ];
    for (const [log, count] of steps) {
      await log.appendEvents('t', { events: batch(n, count) });
      await log.appendEvents('u', { events: batch(n, count) });
      n += count;
    }
    for (const log of [a, b]) {
      for (const i of [0, 99, 100, 250, 300, 360, 363, 494]) {
        const found = (await log.listEvents('t', { q: `word${i}x` })).events.map((e) => e.target.id);
        expect({ i, found }).toEqual({ i, found: [`queue-${i}`] });
      }
    }
    await a.close();
    await b.close();
    const db = new Database(file, { readonly: true });
    const chunks = db
      .prepare("SELECT lo, hi FROM event_search_chunks WHERE tenant = 't' ORDER BY lo")
      .raw()
      .all() as [number, number][];
    // 495 entries: three full chunks of 128, contiguous, each entry in one chunk only.
    expect(n).toBe(495);
    expect(chunks).toHaveLength(3);
    expect(db.prepare("SELECT indexed_seq FROM search_progress WHERE tenant = 't'").pluck().get()).toBe(384);
    const rids = db
      .prepare("SELECT rid FROM events WHERE tenant = 't' ORDER BY seq")
      .pluck()
      .all() as number[];
    const inChunks = rids.filter((rid) => chunks.some(([lo, hi]) => rid >= lo && rid <= hi));
    expect(inChunks).toEqual(rids.slice(0, 384));
    for (const i of [0, 127, 128, 383])
      expect(
        db.prepare('SELECT count(*) FROM event_search WHERE event_search MATCH ?').pluck().get(`"word${i}x"`),
      ).toBe(2); // one document in tenant t's chunk, one in u's
    db.close();
  });
});
