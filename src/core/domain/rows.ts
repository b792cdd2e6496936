import type { Stream } from './entry.js';
import type { Keyset } from './filters.js';

// What a store answers: entries as stored (the hashed body verbatim), pages and aggregates.

export interface EntryRow {
  tenant: string;
  seq: number;
  occurredMs: number;
  receivedMs: number;
  body: string;
  prevHash: string;
  hash: string;
}

/** An entry's columns that an export's CSV records are made of (csv-format.ts): no tenant, no hashes. */
export type BodyRow = Pick<EntryRow, 'seq' | 'occurredMs' | 'receivedMs' | 'body'>;

/** What links an entry into the chain (store.ts chainLinks): no body, no times, no id. */
export type ChainLink = Pick<ChainRow, 'seq' | 'prevHash' | 'hash'>;

export interface ChainRow {
  seq: number;
  stream: Stream;
  /** The entry's id as stored (what GET by id finds), to name a forged row. */
  id: string;
  receivedMs: number;
  /** The hashed body; '' for a tombstone (a purged entry, purge-record.ts). */
  body: string;
  prevHash: string;
  hash: string;
  /** A tombstone's kept digest (its content is gone) and the purge that removed it. */
  digest?: string;
  purgeId?: string;
}

export interface EventSearchPage {
  rows: EntryRow[];
  scannedTo: Keyset | null;
}

export interface CsvPage {
  /** Rows read; fewer than the limit means the last page. */
  count: number;
  /** The last row's position (the next page starts after it), null when none was read. */
  last: Keyset | null;
  /** The rows as CSV records, each ending with a CRLF, in UTF-8 (bytes, which cross threads without a copy). */
  csv: Promise<Uint8Array>;
  /**
   * Takes `csv`'s bytes back once nothing reads them (the socket wrote them), for a later page to reuse —
   * rather than leaving them to the garbage collector, which lets written pages pile up. `csv` MUST NOT be
   * used after. Optional: a store without it frees pages the usual way.
   */
  release?: (bytes: Uint8Array) => void;
}

export interface NdjsonPage {
  /** The seq of each row read, in order; fewer than the limit means the last page. */
  seqs: number[];
  /** The rows' export lines (core/domain/export-lines.ts), each ending with its line feed, in UTF-8. */
  lines: Promise<Uint8Array>;
  /** Takes `lines`' bytes back once nothing reads them, as CsvPage.release. Optional. */
  release?: (bytes: Uint8Array) => void;
}

export interface StatsGroup {
  key: string;
  label?: string;
  count: number;
}

export interface ActorSummary {
  id: string;
  username: string | null;
  displayName: string | null;
}

export interface FailureGroup {
  key: string;
  /** When encrypted, another envelope of the group (max where key is min): shown if the first is erased. */
  altKey?: string;
  count: number;
  firstMs: number;
  lastMs: number;
}
