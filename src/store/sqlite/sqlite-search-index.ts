import type { PreparedEvent } from '../../core/domain/entry.js';
import {
  buildChunks,
  type ChunkSource,
  chunkStrings,
  SQLITE_CHUNK_ENTRIES,
  storedChunkStrings,
} from '../sql/search-chunks.js';
import type { SqliteDb } from './sqlite-connection.js';

/** An entry waiting for its chunk: its row id, seq and the strings its chunk document will hold. */
interface OpenEntry extends ChunkSource {
  seq: number;
}

/**
 * Maintains the chunked trigram index (search-chunks.ts) inside the writer's transactions. Entries are
 * indexed a full chunk (128) at a time: one FTS5 insert per 128 events however small the commits, instead
 * of one per commit, which made single-event posts pay for FTS5 segment merges. The entries of a tenant's
 * open chunk — fewer than 128, all with seq > `search_progress.indexed_seq` — are found by queries with a
 * plain scan (see sqlite-event-queries.ts), so every committed event is searchable at once. After a crash
 * the open chunks are rebuilt from the rows themselves.
 */
export class SqliteSearchIndex {
  readonly #db: SqliteDb;
  readonly #open = new Map<string, OpenEntry[]>();
  #staged = new Map<string, OpenEntry[]>();
  readonly #stmt;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#stmt = {
      insertChunk: db.prepare('INSERT INTO event_search_chunks (lo, hi, tenant) VALUES (?, ?, ?)'),
      insertDoc: db.prepare('INSERT INTO event_search (rowid, doc) VALUES (?, ?)'),
      progress: db.prepare(
        `INSERT INTO search_progress (tenant, indexed_seq) VALUES (?, ?)
         ON CONFLICT (tenant) DO UPDATE SET indexed_seq = excluded.indexed_seq`,
      ),
    };
    this.#reload();
  }

  /** Adds a committed-to-be entry of the current transaction. */
  add(tenant: string, rid: number, seq: number, entry: PreparedEvent): void {
    let list = this.#staged.get(tenant);
    if (!list) {
      list = [...(this.#open.get(tenant) ?? [])];
      this.#staged.set(tenant, list);
    }
    list.push({ rid, seq, strings: chunkStrings(entry) });
  }

  /** Writes every full chunk of the staged entries, within the caller's transaction (before COMMIT). */
  writeFullChunks(): void {
    for (const [tenant, list] of this.#staged) {
      const full = Math.floor(list.length / SQLITE_CHUNK_ENTRIES) * SQLITE_CHUNK_ENTRIES;
      if (full === 0) continue;
      for (const chunk of buildChunks(list.slice(0, full), SQLITE_CHUNK_ENTRIES)) {
        this.#stmt.insertChunk.run(chunk.lo, chunk.hi, tenant);
        this.#stmt.insertDoc.run(chunk.lo, chunk.doc);
      }
      this.#stmt.progress.run(tenant, list[full - 1]!.seq);
      this.#staged.set(tenant, list.slice(full));
    }
  }

  /** The transaction committed: the staged entries are now the open chunks. */
  committed(): void {
    for (const [tenant, list] of this.#staged) this.#open.set(tenant, list);
    this.#staged = new Map();
  }

  /** The transaction rolled back: forget what it staged. */
  rolledBack(): void {
    this.#staged = new Map();
  }

  /** Open chunks after a restart: every event above its tenant's indexed seq. */
  #reload(): void {
    const progress = new Map(
      (
        this.#db.prepare('SELECT tenant, indexed_seq FROM search_progress').raw().all() as [string, number][]
      ).map(([t, s]) => [t, s] as const),
    );
    const tenants = this.#db.prepare('SELECT tenant FROM chain_heads').pluck().all() as string[];
    const rows = this.#db.prepare(
      `SELECT rid, seq, search, target_type, target_id_f, target_name_f, ip_key FROM events
       WHERE tenant = ? AND seq > ? ORDER BY seq`,
    );
    for (const tenant of tenants) {
      const open = (
        rows.raw().all(tenant, progress.get(tenant) ?? 0) as [
          number,
          number,
          string,
          string,
          string,
          string | null,
          string | null,
        ][]
      ).map(([rid, seq, search, type, idF, nameF, ip]) => ({
        rid,
        seq,
        strings: storedChunkStrings(search, type, idF, nameF, ip),
      }));
      if (open.length > 0) this.#open.set(tenant, open);
    }
  }
}
