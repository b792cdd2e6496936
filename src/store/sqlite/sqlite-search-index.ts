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

/** A tenant's open chunk: its entries not yet in a chunk, all with seq > `indexedSeq`. */
interface OpenChunk {
  indexedSeq: number;
  entries: OpenEntry[];
}

/**
 * Maintains the chunked trigram index (search-chunks.ts) inside the writer's transactions. Entries are
 * indexed a full chunk (128) at a time: one FTS5 insert per 128 events however small the commits, instead
 * of one per commit, which made single-event posts pay for FTS5 segment merges. The entries of a tenant's
 * open chunk — fewer than 128, all with seq > `search_progress.indexed_seq` — are found by queries with a
 * plain scan (see sqlite-event-queries.ts), so every committed event is searchable at once.
 *
 * The open chunks are kept in memory, each read from the rows when its tenant is first written, and read
 * again whenever the next seq is not the one this writer expects: then another process (an `import`, a
 * `purge` or `token create` beside `serve`) appended to the tenant, and the chunk it may have written
 * must not be written twice (it was: `UNIQUE constraint failed: event_search_chunks.lo`, for every later
 * commit of the tenant). The check costs nothing; the read runs inside the writer's IMMEDIATE transaction,
 * so no other process commits between it and this transaction's inserts.
 */
export class SqliteSearchIndex {
  readonly #open = new Map<string, OpenChunk>();
  #staged = new Map<string, OpenChunk>();
  readonly #stmt;

  constructor(db: SqliteDb) {
    this.#stmt = {
      insertChunk: db.prepare('INSERT INTO event_search_chunks (lo, hi, tenant) VALUES (?, ?, ?)'),
      insertDoc: db.prepare('INSERT INTO event_search (rowid, doc) VALUES (?, ?)'),
      progress: db.prepare(
        `INSERT INTO search_progress (tenant, indexed_seq) VALUES (?, ?)
         ON CONFLICT (tenant) DO UPDATE SET indexed_seq = excluded.indexed_seq`,
      ),
      indexedSeq: db.prepare('SELECT indexed_seq FROM search_progress WHERE tenant = ?').pluck(),
      openRows: db.prepare(
        `SELECT rid, seq, search, target_type, target_id_f, target_name_f, ip_key FROM events
         WHERE tenant = ? AND seq > ? AND seq < ? ORDER BY seq`,
      ),
    };
  }

  /** Adds a committed-to-be entry of the current transaction (a tenant's entries come in seq order). */
  add(tenant: string, rid: number, seq: number, entry: PreparedEvent): void {
    let chunk = this.#staged.get(tenant);
    if (!chunk) {
      let open = this.#open.get(tenant);
      if (!open || nextSeq(open) !== seq) open = this.#read(tenant, seq);
      chunk = { indexedSeq: open.indexedSeq, entries: [...open.entries] };
      this.#staged.set(tenant, chunk);
    }
    chunk.entries.push({ rid, seq, strings: chunkStrings(entry) });
  }

  /** Writes every full chunk of the staged entries, within the caller's transaction (before COMMIT). */
  writeFullChunks(): void {
    for (const [tenant, chunk] of this.#staged) {
      const list = chunk.entries;
      const full = Math.floor(list.length / SQLITE_CHUNK_ENTRIES) * SQLITE_CHUNK_ENTRIES;
      if (full === 0) continue;
      for (const c of buildChunks(list.slice(0, full), SQLITE_CHUNK_ENTRIES)) {
        this.#stmt.insertChunk.run(c.lo, c.hi, tenant);
        this.#stmt.insertDoc.run(c.lo, c.doc);
      }
      const indexedSeq = list[full - 1]!.seq;
      this.#stmt.progress.run(tenant, indexedSeq);
      this.#staged.set(tenant, { indexedSeq, entries: list.slice(full) });
    }
  }

  /** The transaction committed: the staged entries are now the open chunks. */
  committed(): void {
    for (const [tenant, chunk] of this.#staged) this.#open.set(tenant, chunk);
    this.#staged = new Map();
  }

  /** The transaction rolled back: forget what it staged. */
  rolledBack(): void {
    this.#staged = new Map();
  }

  /** A tenant's open chunk as the rows hold it: its entries above the indexed seq and below `before`. */
  #read(tenant: string, before: number): OpenChunk {
    const indexedSeq = (this.#stmt.indexedSeq.get(tenant) as number | undefined) ?? 0;
    const rows = this.#stmt.openRows.raw().all(tenant, indexedSeq, before) as [
      number,
      number,
      string,
      string,
      string,
      string | null,
      string | null,
    ][];
    return {
      indexedSeq,
      entries: rows.map(([rid, seq, search, type, idF, nameF, ip]) => ({
        rid,
        seq,
        strings: storedChunkStrings(search, type, idF, nameF, ip),
      })),
    };
  }
}

/** The seq this writer expects next in a tenant, if no other process appended to it. */
function nextSeq(open: OpenChunk): number {
  const last = open.entries[open.entries.length - 1];
  return (last ? last.seq : open.indexedSeq) + 1;
}
