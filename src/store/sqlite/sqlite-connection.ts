import Database from 'better-sqlite3';
import { AuditError } from '../../core/errors.js';

export type SqliteDb = Database.Database;

/**
 * Opens a connection with the settings durability depends on: WAL, and `synchronous=FULL` so that a commit
 * has reached the disk (WAL fsync) before it returns — the server answers 201 only after that.
 */
export function openSqlite(file: string, options: { readonly?: boolean } = {}): SqliteDb {
  let db: SqliteDb;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (error) {
    throw new AuditError(
      'store_unavailable',
      `Cannot open SQLite database ${file}: ${(error as Error).message}`,
      [],
      {
        cause: error,
      },
    );
  }
  db.pragma('busy_timeout = 10000');
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  return db;
}

const statements = new WeakMap<SqliteDb, Map<string, Database.Statement>>();

/**
 * A prepared statement, cached per connection and SQL text (preparing costs more than running a small
 * query). Each SQL text MUST be used with one mode (raw, pluck or plain), since the mode sticks to it.
 */
export function prepared(db: SqliteDb, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= 500) cache.clear();
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Translates driver errors at the store's boundary into the core's catalogue. */
export function translateSqliteError(error: unknown): unknown {
  if (error instanceof AuditError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new AuditError('store_unavailable', 'The database is busy; retry', [], { cause: error });
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return new AuditError('store_unavailable', `The database cannot be written: ${code}`, [], {
      cause: error,
    });
  }
  if (code === 'SQLITE_READONLY') {
    return new AuditError('store_unavailable', 'The database is read-only', [], { cause: error });
  }
  return error;
}
