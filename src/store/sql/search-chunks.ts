import type { PreparedEvent } from '../../core/domain/entry.js';
import { fold, SEARCH_SEPARATOR } from '../../core/domain/text-fold.js';

/**
 * The keyword index of both stores. Indexing every event's whole text with trigrams costs most of the write
 * budget, yet an event's strings repeat enormously (actors, categories, keys, event types). So consecutive
 * entries of one tenant form a chunk, and the trigram index holds each chunk's *distinct* strings once. A
 * query finds the few chunks that can contain its terms, then checks only their entries exactly. The same
 * documents carry tagged strings for the exact filters that need an index but have too many distinct values
 * for a B-tree to be cheap on writes (target, IP). How many entries a chunk holds is the store's choice
 * (`SqlDialect.chunks.entries`); the rows of the chunks table carry their own bounds, so a store that
 * changes it keeps reading the chunks it wrote before.
 */

/**
 * SQLite: the FTS5 trigram table matches a phrase by its trigrams' positions, exactly, so a chunk it
 * returns holds the keyword and bigger chunks only cost rows read per candidate.
 */
export const SQLITE_CHUNK_ENTRIES = 128;

/**
 * PostgreSQL: the pg_trgm GIN knows which trigrams a document has, not where, so a candidate holding all
 * of a keyword's trigrams in different words is rechecked with LIKE over the whole document (~27 µs for the
 * ~16 KB of 128 entries). A rare word whose trigrams are common (`tok6828x` among `tok…x` words) had 2,447
 * of 7,812 chunks rechecked at 1M events, 135 ms; with 32 entries a document has fewer distinct words, and
 * the same word had 185 candidates of ~3 KB (9.5 ms). The GIN costs more to keep: 16 µs of database time
 * per event against 8 at 128 (13 at 64), measured by inserting a quarter of the chunks in 244 statements.
 */
export const POSTGRES_CHUNK_ENTRIES = 32;

/** Tags start with U+0002, which no folded search string contains, so a tag never matches a keyword. */
const TAG = '\u0002';

export const targetTag = (typeFolded: string, idFolded: string) => `${TAG}t:${typeFolded}\u0001${idFolded}`;
export const targetNameTag = (idOrNameFolded: string) => `${TAG}n:${idOrNameFolded}`;
export const ipTag = (ipKey: string) => `${TAG}ip:${ipKey}`;

export interface ChunkSource {
  /** Store-assigned position of the entry (rowid / bigserial), ascending. */
  rid: number;
  strings: readonly string[];
}

export interface Chunk {
  lo: number;
  hi: number;
  doc: string;
}

/** Splits one tenant's new entries (ascending rid) into chunks with their documents. */
export function buildChunks(entries: readonly ChunkSource[], maxEntries: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let i = 0; i < entries.length; i += maxEntries) {
    const part = entries.slice(i, i + maxEntries);
    const distinct = new Set<string>();
    for (const e of part) for (const s of e.strings) distinct.add(s);
    chunks.push({
      lo: part[0]!.rid,
      hi: part[part.length - 1]!.rid,
      doc: [...distinct].join(SEARCH_SEPARATOR) + SEARCH_SEPARATOR,
    });
  }
  return chunks;
}

/** Terms of fewer than three characters have no trigram; they are checked by scanning instead. */
export function isIndexable(term: string): boolean {
  let n = 0;
  for (const _ of term) if (++n >= 3) return true;
  return false;
}

/** A literal FTS5 / LIKE-free phrase: double quotes doubled, every other character as is. */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Phrases that every matching chunk must contain, for a filter's indexable parts. */
export function chunkPhrases(filter: {
  terms?: string[];
  targetTypeFolded?: string;
  targetIdFolded?: string;
  target?: string;
  ipPrefix?: string;
}): string[] {
  const out: string[] = [];
  for (const t of filter.terms ?? []) if (isIndexable(t)) out.push(t);
  if (filter.targetTypeFolded !== undefined && filter.targetIdFolded !== undefined) {
    out.push(targetTag(filter.targetTypeFolded, filter.targetIdFolded) + SEARCH_SEPARATOR);
  } else if (filter.targetIdFolded !== undefined) {
    out.push(targetNameTag(filter.targetIdFolded) + SEARCH_SEPARATOR);
  }
  if (filter.target !== undefined) out.push(targetNameTag(filter.target) + SEARCH_SEPARATOR);
  if (filter.ipPrefix !== undefined && filter.ipPrefix.length >= 8) out.push(ipTag(filter.ipPrefix));
  return out;
}

function tags(
  targetType: string,
  targetIdFolded: string,
  targetNameFolded: string | null,
  ip: string | null,
): string[] {
  const out = [targetTag(fold(targetType), targetIdFolded), targetNameTag(targetIdFolded)];
  if (targetNameFolded !== null) out.push(targetNameTag(targetNameFolded));
  if (ip !== null) out.push(ipTag(ip));
  return out;
}

/** The strings a chunk document holds for an event: its search strings plus the tags of its exact filters. */
export function chunkStrings(entry: PreparedEvent): string[] {
  const c = entry.columns;
  return [...entry.search, ...tags(c.targetType, c.targetIdFolded, c.targetNameFolded, c.ipKey)];
}

/** The same strings rebuilt from a stored row (its joined search text and filter columns). */
export function storedChunkStrings(
  search: string,
  targetType: string,
  targetIdFolded: string,
  targetNameFolded: string | null,
  ip: string | null,
): string[] {
  return [
    ...(search === '' ? [] : search.split(SEARCH_SEPARATOR)),
    ...tags(targetType, targetIdFolded, targetNameFolded, ip),
  ];
}

/**
 * Candidate chunks worth reading for a filter that only the chunks index (a target, an IP): 131,072 rows on
 * SQLite, 32,768 on PostgreSQL, where each chunk is also an index range scan per partition.
 */
export const TAG_BUDGET = 1024;

/**
 * How many candidate chunks are worth checking instead of scanning in keyset order. Checking costs E rows
 * per candidate (E entries a chunk); a scan finds `limit` matches within about limit × (chunks / candidates)
 * / m chunks, where m is the matches per candidate chunk — and matches cluster (a keyword found in a chunk is
 * usually in many of its events). With m ≈ E the two are equal at candidates ≈ √(limit × chunks / E).
 * Measured at 10M events on PostgreSQL with E = 128, √(limit × chunks) — assuming one match per chunk —
 * made common keywords 2–3× slower (88–300 ms against 34–111 ms). At most 256 chunks: each is one index
 * range scan per partition on PostgreSQL. Stats read every match, so any narrowing beats a full scan.
 */
export function candidateBudget(totalChunks: number, limit: number | undefined, entries: number): number {
  if (limit === undefined) return Math.max(64, Math.floor(totalChunks / 4));
  return Math.min(256, Math.max(8, Math.floor(Math.sqrt((limit * totalChunks) / entries))));
}
