// The SQLite writer commits a group optimistically, without a savepoint per batch, and falls back to one
// savepoint per batch when an insert fails after its plan. Either way a batch that fails must fail alone:
// the other batches of its group are stored whole, with their chain heads, rollups, keyword chunks and facets.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditError } from '../../src/core/domain/errors.js';
import { openSqlite } from '../../src/store/sqlite/sqlite-connection.js';
import { migrateSqlite } from '../../src/store/sqlite/sqlite-migrations.js';
import { SqliteWriter } from '../../src/store/sqlite/sqlite-writer.js';
import type { WriteRequest } from '../../src/store/sqlite/sqlite-writer-protocol.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ev, prepareEventBatch } from '../store-contract/entries.js';

const dir = tempDir();
afterAll(() => dir.remove());

const append = (tenant: string, events: ReturnType<typeof ev>[]): WriteRequest => ({
  kind: 'append',
  batch: { tenant, entries: prepareEventBatch(tenant, events) },
});
const words = (tenant: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ev({ id: `${tenant}-${from + i}`, reason: `w${tenant}${from + i}q` }));

function open(name: string) {
  const file = dir.file(name);
  const db = openSqlite(file);
  migrateSqlite(db);
  return { file, db, writer: new SqliteWriter(db) };
}

function stored(file: string, tenant: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      seqs: db.prepare('SELECT seq FROM events WHERE tenant = ? ORDER BY seq').pluck().all(tenant),
      head: db.prepare('SELECT seq FROM chain_heads WHERE tenant = ?').pluck().get(tenant),
      counted: db
        .prepare("SELECT coalesce(sum(n), 0) FROM event_rollups WHERE tenant = ? AND dim = 'c'")
        .pluck()
        .get(tenant),
    };
  } finally {
    db.close();
  }
}

describe('the SQLite writer’s group commit', () => {
  it('an idempotency conflict fails its batch alone, without a retry of the group', () => {
    const { file, db, writer } = open('conflict.db');
    expect(writer.commitGroup([append('a', words('a', 0, 3))]).every((o) => o.ok)).toBe(true);
    const changed = ev({ id: 'a-1', reason: 'different content' });
    const outcomes = writer.commitGroup([
      append('a', words('a', 3, 2)),
      append('a', [changed]),
      append('b', words('b', 0, 2)),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const failed = outcomes[1] as { ok: false; error: unknown };
    expect((failed.error as AuditError).code).toBe('idempotency_conflict');
    expect(stored(file, 'a')).toEqual({ seqs: [1, 2, 3, 4, 5], head: 5, counted: 5 });
    expect(stored(file, 'b')).toEqual({ seqs: [1, 2], head: 2, counted: 2 });
    db.close();
  });

  it('an insert refused by a seq guard fails its batch alone; the rest of the group is stored whole', () => {
    const { file, db, writer } = open('guard.db');
    // 130 entries of tenant b: a full keyword chunk (128) is written in the group that fails partly.
    expect(
      writer.commitGroup([append('a', words('a', 0, 3)), append('b', words('b', 0, 100))]).map((o) => o.ok),
    ).toEqual([true, true]);
    // A forged sign-in row takes tenant a's next seq: a's next insert trips the guard of migration 5.
    db.prepare(
      `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ip_key, body, search, prev_hash, hash)
       VALUES ('a', 4, 'forged', 0, 0, 'logout', 'x', 'x', 'k', '{}', '', '', '')`,
    ).run();
    const outcomes = writer.commitGroup([
      append('b', words('b', 100, 20)),
      append('a', words('a', 3, 2)),
      append('b', words('b', 120, 10)),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(String((outcomes[1] as { error: unknown }).error)).toMatch(/the seq belongs to another entry/);
    expect(stored(file, 'a')).toEqual({ seqs: [1, 2, 3], head: 3, counted: 3 });
    const b = stored(file, 'b');
    expect(b.seqs).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
    expect(b).toMatchObject({ head: 130, counted: 130 });
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT hi FROM event_search_chunks WHERE tenant = 'b'").pluck().all()).toHaveLength(
      1,
    );
    expect(
      check.prepare('SELECT rowid FROM event_search WHERE event_search MATCH ?').pluck().all('"wb77q"'),
    ).toHaveLength(1);
    check.close();
    // The writer goes on: the next group of b follows on from seq 130.
    expect(writer.commitGroup([append('b', words('b', 130, 1))])[0]).toMatchObject({
      ok: true,
      value: [{ seq: 131 }],
    });
    db.close();
  });

  it('a purge step that finds an entry gone fails alone, and what it had deleted before is back', () => {
    const { file, db, writer } = open('purge.db');
    writer.commitGroup([append('a', words('a', 0, 3))]);
    const purge = (seqs: number[]): WriteRequest => ({
      kind: 'purge',
      step: {
        tenant: 'a',
        stream: 'event',
        seqs,
        record: { purgeId: `p-${seqs.join('-')}`, firstSeq: seqs[0] } as never,
        run: { runId: 'r', step: seqs[0]! },
      },
    });
    const outcomes = writer.commitGroup([purge([1, 99]), append('a', words('a', 3, 1))]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(((outcomes[0] as { error: unknown }).error as AuditError).code).toBe('idempotency_conflict');
    expect(stored(file, 'a').seqs).toEqual([1, 2, 3, 4]);
    expect(writer.commitGroup([purge([1, 2])])[0]!.ok).toBe(true);
    expect(stored(file, 'a').seqs).toEqual([3, 4]);
    db.close();
  });
  it('a group that fails leaves no facet, and the writer still adds it with the next group', () => {
    // The writer remembers committed combinations (to skip their inserts): one remembered from a group
    // that rolled back would be missing from event_facets, and the planner would answer its events empty.
    const { file, db, writer } = open('facets.db');
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON event_facets BEGIN SELECT RAISE(ABORT, 'refused'); END");
    const odd = (id: string) => ev({ id, eventType: 'odd.thing', category: 'users', action: 'delete' });
    expect(writer.commitGroup([append('f', [odd('f-1')])]).map((o) => o.ok)).toEqual([false]);
    db.exec('DROP TRIGGER refuse');
    expect(writer.commitGroup([append('f', [odd('f-2')])]).map((o) => o.ok)).toEqual([true]);
    const check = new Database(file, { readonly: true });
    const facets = check
      .prepare('SELECT event_type, category, action FROM event_facets WHERE tenant = ?')
      .all('f');
    check.close();
    expect(facets).toEqual([{ event_type: 'odd.thing', category: 'users', action: 'delete' }]);
    db.close();
  });
});
