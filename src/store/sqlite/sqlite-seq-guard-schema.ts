/**
 * Migration: the seq guards of migration 5 halt with FAIL instead of ABORT.
 *
 * A statement that may write more than one row (an INSERT into a table with a trigger) and may abort makes
 * SQLite keep a statement journal: a copy of every page the statement touches, so that an abort can undo the
 * statement alone. On `events` that doubled the cost of an insert (57 against 31 µs a row at 30,000 demo
 * events, `BENCH_ONLY=ingest`). With RAISE(FAIL) in the guards and `INSERT OR FAIL` in the writer
 * (sqlite-writer-rows.ts, sqlite-writer.ts) nothing can abort, so no journal is kept. Nothing is lost by it:
 * the guard and every constraint are checked before the row is written, and a failed insert rolls back its
 * whole group, or its batch's savepoint, anyway.
 */
export const SQLITE_SEQ_GUARD_FAIL_MIGRATION = {
  version: 20,
  name: 'seq guards halt with FAIL (no statement journal per insert)',
  sql: `
    DROP TRIGGER events_seq_unique;
    CREATE TRIGGER events_seq_unique BEFORE INSERT ON events
      WHEN EXISTS (SELECT 1 FROM auth_events WHERE tenant = NEW.tenant AND seq = NEW.seq)
      BEGIN SELECT RAISE(FAIL, 'auditlog: the seq belongs to another entry'); END;
    DROP TRIGGER auth_events_seq_unique;
    CREATE TRIGGER auth_events_seq_unique BEFORE INSERT ON auth_events
      WHEN EXISTS (SELECT 1 FROM events WHERE tenant = NEW.tenant AND seq = NEW.seq)
      BEGIN SELECT RAISE(FAIL, 'auditlog: the seq belongs to another entry'); END;
  `,
};
