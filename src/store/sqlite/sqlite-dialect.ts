import { ftsPhrase, SQLITE_CHUNK_ENTRIES } from '../sql/search-chunks.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { join, list, raw, sql } from '../sql/sql-fragment.js';
import { SQLITE_COVERED_COLUMNS } from './sqlite-planner-schema.js';

/** How SQLite spells what the shared planners ask (sql-dialect.ts). */
export const SQLITE_DIALECT: SqlDialect = {
  placeholder: () => '?',
  inList: (column, values) => sql`${raw(column)} IN (${list(values)})`,
  contains: (haystack, needle) => sql`instr(${raw(haystack)}, ${needle}) > 0`,
  text: (value) => value,
  // Real division: integer division truncates toward zero, putting times just before 1970 on the next day.
  // Text compares as BINARY unless a column says otherwise.
  binaryCollation: '',
  utcDay: (column) => `strftime('%Y-%m-%d', ${column} / 1000.0, 'unixepoch')`,
  authIp: "json_extract(a.body, '$.ip')",
  indexedBy: (index) => `INDEXED BY ${index}`,
  // A compound SELECT takes no ORDER BY in its arms: each arm is a subquery.
  mergeOrdered: (arms, distinct) =>
    join(
      arms.map((arm) => sql`SELECT * FROM (${arm})`),
      distinct ? ' UNION ' : ' UNION ALL ',
    ),
  chunks: {
    entries: SQLITE_CHUNK_ENTRIES,
    contiguous: true,
    // The FTS5 trigram table's rowid is the chunk's first rowid (sqlite-search-index.ts).
    lookup: (tenant, phrases, limit) => sql`SELECT c.lo, c.hi FROM event_search s
      JOIN event_search_chunks c ON c.lo = s.rowid
      WHERE event_search MATCH ${phrases.map(ftsPhrase).join(' AND ')} AND c.tenant = ${tenant} LIMIT ${limit}`,
    // 1,000 entries, at most 512 characters of each (an event may hold 256 KB): ~150–500 KB of text, read in
    // ~1.5 ms once a minute per reader.
    sample: (tenant) => sql`SELECT group_concat(substr(search, 1, 512), ' ') AS text FROM (SELECT search
      FROM events INDEXED BY events_seq WHERE tenant = ${tenant} ORDER BY seq DESC LIMIT 1000)`,
    indexedSeq: (tenant) => sql`SELECT indexed_seq FROM search_progress WHERE tenant = ${tenant}`,
    // NOT INDEXED: only rowid ranges. With the tenant condition pushed down, the planner otherwise walked
    // every row of the tenant through an index (2.8 s for a rare keyword at 1M events). INDEXED BY: when
    // it merges the two arms in page order, it otherwise read the open chunk by walking the whole time
    // index for `seq > ?` (50 ms at 1M events instead of 1 ms).
    rows: (tenant, chunks, indexedSeq) => sql`(SELECT e.* FROM json_each(${JSON.stringify(
      chunks.map((c) => [c.lo, c.hi]),
    )}) r CROSS JOIN events e NOT INDEXED ON e.rid BETWEEN r.value ->> 0 AND r.value ->> 1
        AND e.seq <= ${indexedSeq}
      UNION ALL SELECT * FROM events INDEXED BY events_seq WHERE tenant = ${tenant} AND seq > ${indexedSeq}) e`,
  },
  seqsIn: (seqs) => sql`e.seq IN (SELECT value FROM json_each(${JSON.stringify(seqs)}))`,
  covers: SQLITE_COVERED_COLUMNS,
  flags: { tagIndexes: false },
};
