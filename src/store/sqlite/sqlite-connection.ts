import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AuditError } from '../../core/domain/errors.js';

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
  if (options.readonly) withoutPurgesAsEmpty(db);
  return db;
}

/**
 * A file written before the lifecycle migration (8), opened read-only (`verify` on an old copy): empty
 * temporary stand-ins for the tombstone and purge tables, so that the chain reads as it did — nothing purged.
 */
function withoutPurgesAsEmpty(db: SqliteDb): void {
  const has = db.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'purged_entries'");
  if (has.get()) return;
  db.exec(`CREATE TEMP TABLE purged_entries (tenant TEXT, seq INTEGER, stream TEXT, id TEXT, received_ms INTEGER,
             digest TEXT, prev_hash TEXT, hash TEXT, purge_id TEXT);
           CREATE TEMP TABLE purges (tenant TEXT, purge_id TEXT, first_seq INTEGER, record TEXT);`);
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

/**
 * Translates driver errors at the store's boundary into the core's catalogue: whatever keeps the database from
 * being written (busy, a full disk, an I/O error, a read-only file) is `store_unavailable` (503), with a
 * message an operator can act on.
 */
export function translateSqliteError(error: unknown): unknown {
  if (error instanceof AuditError) return error;
  const code = (error as { code?: string }).code ?? '';
  const unavailable = (message: string) =>
    new AuditError('store_unavailable', `${message} (${code})`, [], { cause: error });
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return unavailable('The database is busy; retry');
  if (code === 'SQLITE_FULL')
    return unavailable('The disk is full: the database cannot grow until space is freed');
  if (code.startsWith('SQLITE_IOERR')) return unavailable('The database cannot be written: a disk I/O error');
  if (code.startsWith('SQLITE_CANTOPEN')) return unavailable('The database file cannot be opened');
  if (code === 'SQLITE_READONLY_DBMOVED') return unavailable(movedMessage());
  if (code.startsWith('SQLITE_READONLY')) return unavailable('The database is read-only');
  return error;
}

const movedMessage = (file = 'The database file') =>
  `${file} was deleted or replaced while in use; writes are refused until the server restarts on a restored file`;

/** Which file a path names (device and inode), to notice it being deleted or replaced under an open connection. */
export interface FileIdentity {
  file: string;
  dev: number;
  ino: number;
}

export function fileIdentity(file: string): FileIdentity | null {
  if (file === ':memory:' || file === '') return null;
  const st = statSync(file);
  return { file, dev: st.dev, ino: st.ino };
}

/**
 * Null while `identity`'s path still names the file that was opened, else the reason. In WAL mode SQLite
 * itself does not notice: a connection keeps committing into a deleted file, and each 201 would be a lie.
 */
export function fileMoved(identity: FileIdentity | null): string | null {
  if (!identity) return null;
  try {
    const st = statSync(identity.file);
    if (st.dev === identity.dev && st.ino === identity.ino) return null;
  } catch {
    // deleted, or its directory is
  }
  return movedMessage(`The database file ${identity.file}`);
}

/** AUDITLOG_SQLITE_MMAP_MB: the map's size (SQLite caps it at 2 GiB); 0 turns it off. */
export function readerMmapBytes(value: string | undefined): number {
  if (value === undefined || value === '') return 2048 * 1024 * 1024;
  if (!/^\d{1,7}$/.test(value)) throw new Error('AUDITLOG_SQLITE_MMAP_MB must be a whole number of MiB');
  return Number(value) * 1024 * 1024;
}
