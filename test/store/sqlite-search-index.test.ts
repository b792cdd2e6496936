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
});
