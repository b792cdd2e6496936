// An upgraded SQLite file: the indexes a migration adds get statistics like the old ones, or the planner
// takes a new index for queries it does not fit (a newest page through events_category: every row, sorted).
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/sqlite/sqlite-connection.js';
import { migrateSqlite } from '../../src/store/sqlite/sqlite-migrations.js';
import { SQLITE_COVERED_COLUMNS } from '../../src/store/sqlite/sqlite-planner-schema.js';
import { SqliteWriter } from '../../src/store/sqlite/sqlite-writer.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ev, prepareEventBatch } from '../store-contract/entries.js';

const dir = tempDir();
afterAll(() => dir.remove());

const plan = (db: Database.Database) =>
  (
    db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT rid FROM events WHERE tenant = 'default' ORDER BY occurred_ms DESC, seq DESC LIMIT 50",
      )
      .all() as { detail: string }[]
  )
    .map((r) => r.detail)
    .join('; ');

/** A new file with every migration and `batches` appends of 500 events (`fields` of the i-th of batch b). */
function migratedFile(
  file: string,
  batches: number,
  fields: (b: number, i: number) => Record<string, unknown>,
): Database.Database {
  const db = openSqlite(file);
  migrateSqlite(db);
  const writer = new SqliteWriter(db);
  for (let b = 0; b < batches; b++) {
    const events = Array.from({ length: 500 }, (_, i) => ev(fields(b, i)));
    writer.commitGroup([
      { kind: 'append', batch: { tenant: 'default', entries: prepareEventBatch('default', events) } },
    ]);
  }
  return db;
}

describe('migrating an analyzed SQLite file', () => {
  it('analyzes the indexes the new migrations add, so the newest page still reads the time index', () => {
    const file = dir.file('upgraded.db');
    const categories = ['users', 'campaigns', 'settings', 'telephony'];
    const db = migratedFile(file, 8, (b, i) => ({ category: categories[(b + i) % 4] }));
    // The file as a version before migration 12 left it, analyzed (as PRAGMA optimize at close does).
    db.exec(`DROP INDEX events_category; DELETE FROM schema_migrations WHERE version = 12; ANALYZE;`);
    db.close();

    const before = new Database(file);
    before.exec('CREATE INDEX events_category ON events (tenant, category, occurred_ms, seq)');
    expect(plan(before)).toMatch(/events_category/); // what an upgrade without statistics gave
    before.exec('DROP INDEX events_category');
    before.close();

    const upgraded = openSqlite(file);
    migrateSqlite(upgraded);
    const stat = upgraded
      .prepare("SELECT stat FROM sqlite_stat1 WHERE idx = 'events_category'")
      .pluck()
      .get();
    expect(stat).toMatch(/^\d+ /);
    expect(plan(upgraded)).toMatch(/events_time/);
    expect(plan(upgraded)).not.toMatch(/TEMP B-TREE/);
    upgraded.close();
  });
});

describe('the covering columns of migration 17', () => {
  it('rebuilds the B-trees with the filter columns SqlDialect.covers names, analyzed on an upgraded file', () => {
    // More entries than a sampled ANALYZE (analysis_limit = 1000) reads: it took this one tenant's 3,000
    // for ~1,000 of each, and a 1M-event file's newest page went through events_category (175 ms, not 6).
    const db = migratedFile(dir.file('covering.db'), 6, () => ({}));
    // The file as migration 16 left it, analyzed.
    db.exec(`DROP INDEX events_actor; CREATE INDEX events_actor ON events (tenant, actor_id, occurred_ms, seq);
      DELETE FROM schema_migrations WHERE version = 17; ANALYZE;`);
    migrateSqlite(db);
    for (const [index, columns] of Object.entries(SQLITE_COVERED_COLUMNS)) {
      const held = (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name);
      expect(held.slice(-columns.length)).toEqual(columns);
      expect(held.slice(0, 1)).toEqual(['tenant']);
    }
    for (const index of Object.keys(SQLITE_COVERED_COLUMNS)) {
      const stat = db.prepare('SELECT stat FROM sqlite_stat1 WHERE idx = ?').pluck().get(index) as string;
      // Rows, then rows per tenant: one tenant (none have a target name, the partial index's condition).
      const rows = index === 'events_target_name_f' ? '0' : '3000';
      expect(stat.split(' ').slice(0, 2)).toEqual([rows, rows]);
    }
    expect(
      db
        .prepare('SELECT count(*) FROM events INDEXED BY events_actor WHERE tenant = ?')
        .pluck()
        .get('default'),
    ).toBe(3000);
    db.close();
  });
});
