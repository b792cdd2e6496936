import type { SqliteDb } from './sqlite-connection.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';

export function migrateSqlite(db: SqliteDb): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_ms INTEGER)',
  );
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const pending = SQLITE_MIGRATIONS.filter((m) => !applied.has(m.version));
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    }).immediate();
  }
  if (pending.length > 0) analyzeNewIndexes(db);
}

/**
 * Statistics for the indexes a migration added to tables that have them: the planner trusts sqlite_stat1 for
 * the old indexes and guesses for a new one, and took events_category (migration 12) for every page of an
 * upgraded 1M-event file — the newest page read all the tenant's rows and sorted them (1.9 s instead of
 * ~2 ms). Whole indexes, not a sample: with `analysis_limit = 1000` SQLite took a tenant's 1M entries for
 * ~1,000 of each, and the rebuilt covering indexes (migration 17) drew every unfiltered page of a 1M-event
 * file through events_category, sorted (175 ms instead of 6). A whole analysis read ~0.4 s per index per
 * million entries here, less than the migration that built the index.
 */
function analyzeNewIndexes(db: SqliteDb): void {
  const analyzed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'");
  if (!analyzed.get()) return;
  const missing = db
    .prepare(
      `SELECT i.name FROM sqlite_master i WHERE i.type = 'index' AND i.sql IS NOT NULL
         AND i.tbl_name IN (SELECT tbl FROM sqlite_stat1)
         AND i.name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)`,
    )
    .pluck()
    .all() as string[];
  if (missing.length === 0) return;
  db.pragma('analysis_limit = 0');
  for (const name of missing) db.exec(`ANALYZE "${name.replaceAll('"', '""')}"`);
}
