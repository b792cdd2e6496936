import { POSTGRES_CHUNK_ENTRIES } from '../sql/search-chunks.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { join, raw, sql } from '../sql/sql-fragment.js';
import { pgText } from './postgres-connection.js';

/** How PostgreSQL spells what the shared planners ask (sql-dialect.ts). */
/** 0001-01-01T00:00:00Z in epoch ms: earlier times are in ISO year 0000 (the oldest an event may have). */
const YEAR_1 = -62_135_596_800_000;

export const POSTGRES_DIALECT: SqlDialect = {
  placeholder: (index) => `$${index}`,
  // One value is an equality: PostgreSQL 15 walks no B-tree in order under `= ANY` on a column after the
  // first, so a page driven by a user or event type read all of its rows and sorted them (1–3 s at 1M skewed
  // events, issue 18). More values: one array parameter, one statement text whatever their number.
  inList: (column, values) =>
    values.length === 1
      ? sql`${raw(column)} = ${values[0]}::text`
      : sql`${raw(column)} = ANY(${values}::text[])`,
  contains: (haystack, needle) => sql`strpos(${raw(haystack)}, ${needle}) > 0`,
  text: pgText,
  // PostgreSQL has no year 0: ISO year 0000 is its 1 BC, which to_char writes as 0001.
  binaryCollation: ' COLLATE "C"',
  utcDay: (column) => {
    const day = (format: string) =>
      `to_char(to_timestamp(${column} / 1000.0) AT TIME ZONE 'UTC', '${format}')`;
    return `CASE WHEN ${column} < ${YEAR_1} THEN '0000' || ${day('-MM-DD')} ELSE ${day('YYYY-MM-DD')} END`;
  },
  authIp: 'a.ip',
  indexedBy: () => '',
  mergeOrdered: (arms, distinct) =>
    sql`SELECT * FROM (${join(
      arms.map((arm) => sql`(${arm})`),
      distinct ? ' UNION ' : ' UNION ALL ',
    )}) m`,
  chunks: {
    entries: POSTGRES_CHUNK_ENTRIES,
    contiguous: false,
    // A GIN trigram index over each chunk's document (the migrations).
    lookup: (tenant, phrases, limit) =>
      sql`SELECT lo, hi FROM event_search_chunks WHERE tenant = ${tenant} AND ${join(
        phrases.map((p) => sql`doc LIKE ${containsPattern(p)}`),
        ' AND ',
      )} LIMIT ${limit}`,
    indexedSeq: (tenant) => sql`SELECT indexed_seq FROM chain_heads WHERE tenant = ${tenant}`,
    // LATERAL … OFFSET 0 keeps one index range scan per chunk: as a plain join the planner, expecting 100
    // rows from unnest, chose a parallel scan of every partition (15 s at 10M events).
    rows: (tenant, chunks, indexedSeq) => sql`(SELECT x.* FROM unnest(${chunks.map((c) => c.lo)}::int8[],
        ${chunks.map((c) => c.hi)}::int8[]) r(lo, hi)
      CROSS JOIN LATERAL (SELECT * FROM events WHERE tenant = ${tenant} AND seq BETWEEN r.lo AND r.hi
        AND seq <= ${indexedSeq} OFFSET 0) x
      UNION ALL SELECT * FROM events WHERE tenant = ${tenant} AND seq > ${indexedSeq}) e`,
  },
  // Its B-trees hold their keys only: a second filter is a probe, or a bitmap AND (PostgreSQL's choice).
  covers: {},
  flags: { tagIndexes: true },
};

/** A LIKE pattern matching `text` literally anywhere (backslash is PostgreSQL's default LIKE escape). */
function containsPattern(text: string): string {
  return `%${pgText(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
