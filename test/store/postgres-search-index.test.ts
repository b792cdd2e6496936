// PostgreSQL's keyword chunks hold POSTGRES_CHUNK_ENTRIES entries (fewer than SQLite's, so that a rare word
// whose trigrams are common has few candidates to recheck); the open chunk is found by scan; chunks written
// with another size (an older version's 128) are still read by their own bounds.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { storedChunkSources } from '../../src/store/postgres/postgres-search-index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { buildChunks, POSTGRES_CHUNK_ENTRIES } from '../../src/store/sql/search-chunks.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    sampleEvent({ target: { type: 'Queue', id: `queue-${from + i}` }, reason: `word${from + i}x` }),
  );

describePostgres('the PostgreSQL keyword index', () => {
  let db: TestDatabase;
  let log: AuditLog;
  const dir = tempDir();
  const ids = async (q: Record<string, string>) =>
    (await log.listEvents('t', q)).events.map((e) => e.target.id).sort();
  const chunks = () =>
    withClient(db.url, async (c) => {
      const { rows } = await c.query<{ lo: string; hi: string }>(
        "SELECT lo, hi FROM event_search_chunks WHERE tenant = 't' ORDER BY lo",
      );
      const head = await c.query<{ indexed_seq: string }>(
        "SELECT indexed_seq FROM chain_heads WHERE tenant = 't'",
      );
      return {
        bounds: rows.map((r) => [Number(r.lo), Number(r.hi)]),
        indexedSeq: Number(head.rows[0]!.indexed_seq),
      };
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    log = await openAuditLog({
      store: await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') }),
    });
    for (let i = 0; i < 100; i += 10) await log.appendEvents('t', { events: batch(i, 10) });
  });
  afterAll(async () => {
    await log?.close();
    await db?.drop();
    dir.remove();
  });

  it(`writes chunks of ${POSTGRES_CHUNK_ENTRIES} entries and finds the open chunk by scan`, async () => {
    const full = Math.floor(100 / POSTGRES_CHUNK_ENTRIES);
    const { bounds, indexedSeq } = await chunks();
    expect(bounds).toEqual(
      Array.from({ length: full }, (_, k) => [
        k * POSTGRES_CHUNK_ENTRIES + 1,
        (k + 1) * POSTGRES_CHUNK_ENTRIES,
      ]),
    );
    expect(indexedSeq).toBe(full * POSTGRES_CHUNK_ENTRIES);
    expect(await ids({ q: 'word5x' })).toEqual(['queue-5']);
    expect(await ids({ q: 'word99x' })).toEqual(['queue-99']);
    // A word in every chunk's trigrams but in no event: no candidate survives the recheck.
    expect(await ids({ q: 'word5x9' })).toEqual([]);
  });

  it('stores the documents inline and LZ4-compressed (migration 14), so a recheck reads no TOAST', async () => {
    const stored = await withClient(db.url, async (c) => {
      const column = await c.query<{ attstorage: string; attcompression: string }>(
        "SELECT attstorage, attcompression FROM pg_attribute WHERE attrelid = 'event_search_chunks'::regclass AND attname = 'doc'",
      );
      // A document large enough to be compressed (more than ~2 KB): how this server stored it.
      await log.appendEvents('big', {
        events: Array.from({ length: POSTGRES_CHUNK_ENTRIES }, (_, i) =>
          sampleEvent({
            target: { type: 'Queue', id: `q-${i}` },
            reason: `${'lorem ipsum '.repeat(20)}${i}`,
          }),
        ),
      });
      const doc = await c.query<{ method: string | null; compressed: boolean }>(
        `SELECT pg_column_compression(doc) AS method,
                pg_column_size(doc) < octet_length(doc) AS compressed
           FROM event_search_chunks WHERE tenant = 'big'`,
      );
      return { column: column.rows[0], doc: doc.rows };
    });
    expect(stored.column).toEqual({ attstorage: 'm', attcompression: 'l' });
    expect(stored.doc).toEqual([{ method: 'lz4', compressed: true }]);
    // Nothing moved out of line: the TOAST table is empty.
    const toast = await withClient(db.url, (c) =>
      c.query<{ bytes: string }>(
        "SELECT pg_relation_size(reltoastrelid) AS bytes FROM pg_class WHERE relname = 'event_search_chunks'",
      ),
    );
    expect(Number(toast.rows[0]!.bytes)).toBe(0);
  });

  it('reads chunks of another size by their own bounds', async () => {
    // Replace the chunks with one of 64 entries, as a store with another chunk size would have left them.
    await withClient(db.url, async (c) => {
      const [legacy] = buildChunks(await storedChunkSources(c, 't', 0, 64), 64);
      await c.query("DELETE FROM event_search_chunks WHERE tenant = 't' AND lo <= 64");
      await c.query("INSERT INTO event_search_chunks (tenant, lo, hi, doc) VALUES ('t', $1, $2, $3)", [
        legacy!.lo,
        legacy!.hi,
        legacy!.doc,
      ]);
    });
    expect((await chunks()).bounds[0]).toEqual([1, 64]);
    for (const n of [0, 31, 32, 63, 64, 95, 96, 99])
      expect(await ids({ q: `word${n}x` })).toEqual([`queue-${n}`]);
    // More appends close the open chunk after the mixed ones.
    await log.appendEvents('t', { events: batch(100, 30) });
    const after = await chunks();
    expect(after.bounds.at(-1)).toEqual([97, 128]);
    expect(await ids({ q: 'word127x' })).toEqual(['queue-127']);
  });
});
