import type { PendingRecord } from '../../core/ports/audit-outbox.js';
import type {
  ErasedSubject,
  StoredSubjectKey,
  SubjectKeyRepository,
} from '../../core/ports/subject-key-repository.js';
import { insertPending } from './sqlite-audit-outbox.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';

/**
 * Subject keys in SQLite, on the store's own connection. Erasing deletes the key row and the subject's actor
 * suggestions with secure_delete on, then has the writer thread VACUUM and truncate the WAL: no page of the
 * file, nor any frame of the WAL, keeps the wrapped key.
 */
export class SqliteSubjectKeys implements SubjectKeyRepository {
  readonly #db: SqliteDb;
  readonly #vacuum: () => Promise<void>;

  constructor(db: SqliteDb, vacuum: () => Promise<void>) {
    this.#db = db;
    this.#vacuum = vacuum;
  }

  async getOrCreate(
    tenant: string,
    candidates: readonly (StoredSubjectKey & { ref: string; createdMs: number })[],
  ): Promise<StoredSubjectKey[]> {
    if (candidates.length === 0) return [];
    const insert = prepared(
      this.#db,
      `INSERT INTO subject_keys (tenant, ref, kid, wrapped, created_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, ref) DO NOTHING`,
    );
    // One transaction (one fsync) for a batch's new subjects, not one per subject.
    this.#db.transaction(() => {
      for (const c of candidates) insert.run(tenant, c.ref, c.kid, c.wrapped, c.createdMs);
    })();
    const out: StoredSubjectKey[] = [];
    for (const c of candidates) out.push((await this.find(tenant, c.ref))!);
    return out;
  }

  async byKids(tenant: string, kids: readonly string[]): Promise<StoredSubjectKey[]> {
    if (kids.length === 0) return [];
    return prepared(
      this.#db,
      'SELECT kid, wrapped FROM subject_keys WHERE tenant = ? AND kid IN (SELECT value FROM json_each(?))',
    ).all(tenant, JSON.stringify(kids)) as StoredSubjectKey[];
  }

  async find(tenant: string, ref: string): Promise<StoredSubjectKey | undefined> {
    return prepared(this.#db, 'SELECT kid, wrapped FROM subject_keys WHERE tenant = ? AND ref = ?').get(
      tenant,
      ref,
    ) as StoredSubjectKey | undefined;
  }

  async erase(
    tenant: string,
    refs: readonly string[],
    actorRef: string,
    pending?: (kids: readonly string[]) => PendingRecord,
  ): Promise<ErasedSubject | undefined> {
    const found: { ref: string; kid: string }[] = [];
    for (const ref of refs) {
      const key = await this.find(tenant, ref);
      if (key) found.push({ ref, kid: key.kid });
    }
    if (found.length === 0) return undefined;
    this.#db.pragma('secure_delete = ON');
    let actorRows = 0;
    this.#db.transaction(() => {
      const del = prepared(this.#db, 'DELETE FROM subject_keys WHERE tenant = ? AND ref = ?');
      for (const f of found) del.run(tenant, f.ref);
      actorRows = prepared(this.#db, 'DELETE FROM actors WHERE tenant = ? AND actor_id = ?').run(
        tenant,
        actorRef,
      ).changes;
      if (pending) insertPending(this.#db, pending(found.map((f) => f.kid)));
    })();
    // VACUUM and a truncating checkpoint, on the writer thread: no page of the file or frame of the WAL keeps
    // the wrapped key, and the event loop is not held for the rewrite (minutes on a large file).
    await this.#vacuum();
    return { kids: found.map((f) => f.kid), actorRows };
  }
}
