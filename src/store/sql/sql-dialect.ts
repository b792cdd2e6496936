import type { Sql } from './sql-fragment.js';

/** One search chunk's range of store positions (rowid / seq), as the chunk lookup returns it. */
export interface ChunkBounds {
  lo: number;
  hi: number;
}

/**
 * What the shared planners (event-query-plan.ts, auth-query-plan.ts) need to know about an engine, after
 * Kysely's dialects: how a parameter is written, the few expressions spelt differently, where the keyword
 * index lives, and which indexes exist. Everything else in a statement is the same text on both engines.
 */
export interface SqlDialect {
  /** The placeholder of the `index`-th parameter (1-based) in text order: `?` or `$1`. */
  placeholder(index: number): string;
  /** `column` equals one of `values` (text): `IN (?, …)`, or `= $1` / `= ANY($1::text[])`. */
  inList(column: string, values: readonly string[]): Sql;
  /** `haystack` (a column) contains `needle` literally: `instr` or `strpos`. */
  contains(haystack: string, needle: string): Sql;
  /** A text value as the engine can compare it (PostgreSQL text holds no NUL). */
  text<T extends string | undefined>(value: T): T;
  /** Appended to a text expression of no column (a CASE of parameters) to sort it as the key columns do. */
  binaryCollation: string;
  /** The UTC day, `YYYY-MM-DD`, of an epoch-milliseconds column. */
  utcDay(column: string): string;
  /** The client IP an `auth_events a` row was sent with. */
  authIp: string;
  /** A hint naming the index to read a table by, where the engine's planner needs one ('' if none). */
  indexedBy(index: string): string;
  /**
   * A FROM item merging separately ordered and limited SELECTs (each its own ORDER BY … LIMIT), to be
   * followed by the outer ORDER BY and LIMIT: `UNION` with `distinct`, else `UNION ALL`.
   */
  mergeOrdered(arms: readonly Sql[], distinct: boolean): Sql;
  /** The chunked keyword index (search-chunks.ts): where it lives and how its candidates are read. */
  chunks: {
    /** Entries a full chunk holds (search-chunks.ts: SQLITE_CHUNK_ENTRIES, POSTGRES_CHUNK_ENTRIES). */
    entries: number;
    /**
     * A chunk's rows are one contiguous range read (SQLite: by rowid), not an index range scan in every
     * monthly partition (PostgreSQL): then a chunk costs about its rows, and a keyword search reads as many
     * candidates as hold the rows of its bounded scan (event-query-plan.ts).
     */
    contiguous: boolean;
    /** Rows `{ lo, hi }`: at most `limit` of the tenant's chunks whose documents contain every phrase. */
    lookup(tenant: string, phrases: readonly string[], limit: number): Sql;
    /**
     * A row `{ text }`: the tenant's newest search text, by which a keyword is looked up by its rarest
     * part (keyword-trigrams.ts). Absent where the lookup rechecks candidates with the phrase (PostgreSQL).
     */
    sample?(tenant: string): Sql;
    /** A row `{ indexed_seq }`: the tenant's entries after it are in no chunk yet. */
    indexedSeq(tenant: string): Sql;
    /**
     * A FROM item aliased `e`: the tenant's events in these chunks up to `indexedSeq`, plus all after it —
     * disjoint, so a chunk completed after `indexedSeq` was read gives no entry twice.
     */
    rows(tenant: string, chunks: readonly ChunkBounds[], indexedSeq: number): Sql;
  };
  /**
   * The condition that `e.seq` is one of an intersection's `seqs` (event-intersect.ts), listed: one seek each
   * by the seq index (SQLite). Absent where a listed seq costs a seek in every monthly partition of the seq
   * index (PostgreSQL): the intersection's statement is then run again as a subquery.
   */
  seqsIn?(seqs: readonly number[]): Sql;
  /**
   * Filter columns an index holds after its key, by index name (SQLite): a walk of that index checks them
   * before reading a row, so a condition on one of them needs no probe of its own B-tree (event-intersect.ts).
   */
  covers: Readonly<Record<string, readonly string[]>>;
  flags: {
    /**
     * Target type + id and IP have B-trees of their own too (PostgreSQL); else the chunks index them, as
     * they do keywords and a target id without its type.
     */
    tagIndexes: boolean;
  };
}
