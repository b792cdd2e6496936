// The writer's inserts keep no statement journal: nothing in them may ABORT (sqlite-seq-guard-schema.ts).
// SQLite keeps one — a copy of every page an insert touches — for a statement that may write several rows
// (a table with a trigger) and may abort; on `events` it doubled the cost of an insert. EXPLAIN lists each
// halt of the statement and of its triggers with its conflict action (P2: 2 = ABORT, 3 = FAIL).
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from '../../src/store/sqlite/sqlite-migrations.js';
import { INSERT_AUTH_SQL, INSERT_EVENT_SQL } from '../../src/store/sqlite/sqlite-writer-rows.js';

const OE_ABORT = 2;

function halts(
  db: Database.Database,
  sql: string,
): { opcode: string; p1: number; p2: number; p4: unknown }[] {
  const params = (sql.match(/\?/g) ?? []).map(() => null);
  const program = db.prepare(`EXPLAIN ${sql}`).all(...params) as {
    opcode: string;
    p1: number;
    p2: number;
    p4: unknown;
  }[];
  // P1 = 0 is the program's normal end; the others are a constraint, a NOT NULL or a RAISE.
  return program.filter((op) => /^Halt/.test(op.opcode) && op.p1 !== 0);
}

describe('the SQLite writer inserts', () => {
  const db = new Database(':memory:');
  migrateSqlite(db);

  it.each([
    ['events', INSERT_EVENT_SQL],
    ['auth_events', INSERT_AUTH_SQL],
  ])('into %s may fail, but never abort', (table, sql) => {
    const all = halts(db, sql);
    // The guard's RAISE (SQLITE_CONSTRAINT_TRIGGER), the unique keys and the NOT NULL columns are all there.
    expect(all.some((op) => op.p1 === 1811)).toBe(true);
    expect(all.some((op) => String(op.p4).includes(`${table}.tenant, ${table}.seq`))).toBe(true);
    expect(all.filter((op) => op.p2 === OE_ABORT)).toEqual([]);
  });

  it('the guard still refuses a seq of the other stream', () => {
    db.prepare(INSERT_EVENT_SQL).run(
      ...['t', 1, 'e1', 0, 0, 'a', null, null, null, 'create', 'users', 'user.create', 'User', 'u', 'u'],
      ...[null, null, null, '{}', '', '', ''],
    );
    expect(() =>
      db
        .prepare(INSERT_AUTH_SQL)
        .run('t', 1, 'a1', 0, 0, 'logout', null, 'x', 'x', null, null, null, 'k', '{}', '', '', ''),
    ).toThrow(/the seq belongs to another entry/);
  });
});
