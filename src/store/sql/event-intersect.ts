import type { EventFilter, PageSpec } from '../../core/domain/filters.js';
import type { Candidate, Driver } from './event-driver.js';
import { keysetWhere, orderClause } from './page-order.js';
import type { Plan } from './query-plan.js';
import type { SqlDialect } from './sql-dialect.js';
import { join, raw, type Sql, sql } from './sql-fragment.js';

/** The first stage's cap (event-driver.ts): fewer entries than this behind one index drive a read. */
export const PROBE_CAP = 4096;
/** The second stage's: an index this small may be walked whole to intersect it with the others. */
export const INTERSECT_CAP = 32_768;
/** Entries of one index sampled in page order before the intersection is counted. */
export const SAMPLE = 2048;
/** Which index is sampled first: an event type is usually the smallest, a category the largest. */
const SAMPLE_ORDER = ['events_type', 'events_actor', 'events_category'];
/**
 * A probe of another index per entry walked costs about ten index entries walked (SQLite, 1M skewed events:
 * 0.75 µs against 0.077), so an index that holds the other filters' columns is walked even when larger.
 */
const PROBE_COST = 10;

/**
 * The second stage of the driver choice, when every filter with a B-tree of its own holds PROBE_CAP entries
 * or more in the date range: filters each common may be rare together, or contradict (an event type of
 * another category), and then no index nor the page order finds a page without walking most of the log
 * (0.4–0.6 s at 1M skewed events, issue 18). A page-order sample of one index comes first (for a page
 * without keywords): with a page of matches in it, that index is walked. Else each candidate is counted
 * again up to INTERSECT_CAP; the cheapest under it is walked index-only — its entries, plus a probe per entry
 * of each other filter whose column it does not hold (SqlDialect.covers) — and each entry is checked against
 * the others (those it holds on its own columns, the rest looked up in their indexes by time and seq),
 * counting the intersection up to PROBE_CAP, returning their seqs. An index of one value that holds every
 * other filter is walked in page order instead, for a page without keywords. Under PROBE_CAP, the
 * intersection drives the read: its seqs (SqlDialect.seqsIn), the rows read by the seq index and sorted.
 * Empty, the answer is known without reading a row.
 */
export function* intersect(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  found: Candidate[],
  page: PageSpec | undefined,
  cap = INTERSECT_CAP,
): Plan<Driver | undefined> {
  const limit = page?.limit ?? Number.POSITIVE_INFINITY;
  if (found.length < 2) return undefined;
  const range = dateRange(f);
  // Dense together, the page is near: a page-order sample of one index from the page's start finds a page of
  // matches in its first SAMPLE entries, and walking that index costs no more (counting the intersection up
  // to PROBE_CAP walked up to INTERSECT_CAP entries: 36–48 ms at 1M skewed events). Not with keywords: the
  // sample does not check them, and a walk in page order has no bound.
  const sampled =
    page && !f.terms?.length
      ? SAMPLE_ORDER.map((i) => found.find((c) => c.index === i && c.single)).find((c) => c)
      : undefined;
  if (sampled) {
    const from = keysetWhere(page!);
    const rest = found.filter((c) => c !== sampled);
    // The columns the index holds come along, so that its SAMPLE entries, not its matches, bound the walk.
    const held = (d.covers[sampled.index] ?? []).map((c) => `, e.${c}`).join('');
    const [sample] = yield sql`SELECT count(*) AS n FROM (SELECT e.tenant, e.occurred_ms, e.seq${raw(held)}
      FROM events e ${raw(d.indexedBy(sampled.index))} WHERE e.tenant = ${tenant} AND ${sampled.condition}${range}
      ${from ? sql`AND ${from}` : sql``} ORDER BY ${orderClause(page!)} LIMIT ${SAMPLE}) a
      WHERE TRUE${covered(d, sampled, rest, f)}${lookups(d, uncovered(d, sampled, rest))}`;
    const n = Number(sample!.n);
    // Holding every other filter, the index's walk reads a row only per match, so it pays only its entries:
    // about limit × SAMPLE / n of them at the sample's density. Under INTERSECT_CAP (~2.5 ms index-only at
    // 1M events), that beats counting and intersecting (`category:security + action:create + user:hot, page 6`,
    // seed 42: the category's 20,000 entries probed in the user's index, 16 ms of 30).
    const holdsAll = uncovered(d, sampled, rest).length === 0;
    if (n >= limit || (holdsAll && n > 0 && (limit * SAMPLE) / n <= INTERSECT_CAP)) {
      return { index: sampled.index, count: INTERSECT_CAP, ordered: true };
    }
  }
  const counts = found.map(
    ({ index, condition }, i) =>
      sql`(SELECT count(*) FROM (SELECT 1 FROM events ${raw(d.indexedBy(index))}
        WHERE tenant = ${tenant} AND ${condition}${range} LIMIT ${cap}) q${raw(String(i))}) AS ${raw(`c${i}`)}`,
  );
  const [row] = yield sql`SELECT ${join(counts, ', ')}`;
  const sized = found.map((c, i) => ({ ...c, count: Number(row![`c${i}`]) }));
  // The index walked costs its entries, plus a probe per entry of each other filter it does not hold.
  const probes = (c: Candidate) =>
    uncovered(
      d,
      c,
      found.filter((o) => o.index !== c.index),
    ).length;
  const cost = (c: (typeof sized)[number]) => c.count * (1 + PROBE_COST * probes(c));
  const walked = sized.filter((c) => c.count < cap).sort((a, b) => cost(a) - cost(b))[0];
  if (!walked) return undefined;
  const others = sized.filter((c) => c !== walked);
  // Holding every other filter, one value's index in page order checks them before reading a row: a page
  // costs the entries walked up to it (at most `cap`) and its own rows, fewer than any intersection. Not with
  // keywords: only the rows can check them, and the intersection's size bounds those reads.
  if (walked.single && !f.terms?.length && uncovered(d, walked, others).length === 0) {
    return { index: walked.index, count: walked.count, ordered: true };
  }
  const within = sql`SELECT a.seq FROM events a ${raw(d.indexedBy(walked.index))}
    WHERE a.tenant = ${tenant} AND ${walked.condition}${range}${covered(d, walked, others, f)}${lookups(
      d,
      uncovered(d, walked, others),
    )}`;
  const seqs = ((yield sql`${within} LIMIT ${PROBE_CAP}`) as { seq: number }[]).map((r) => Number(r.seq));
  const count = seqs.length;
  const listed = d.seqsIn ? d.seqsIn(seqs) : sql`e.seq IN (${within})`;
  if (count === 0) return { index: 'events_seq', count, within: listed, empty: true };
  // Dense enough in the smallest index (one value: its order is the page order), walking it finds a page
  // after about limit × walked / count rows; rare, reading the intersection's rows costs `count` reads
  // (plus walking the index again where the seqs are not listed). The walk's estimate assumes every entry of
  // the intersection matches: a condition no index holds (an action) leaves fewer, and then the walk reads
  // the whole index (`category:bulk + from:most + user:hot + action:create` at 1M skewed events: 43 of 260,
  // all 20,676 rows of the category walked, 36 ms).
  const walk = (limit * walked.count) / count;
  const bySeq = d.seqsIn ? count : count + walked.count / 2;
  if (walked.single && walk < bySeq) {
    return { index: walked.index, count: walked.count, ordered: true };
  }
  if (count >= PROBE_CAP) return undefined;
  return { index: 'events_seq', count, within: listed };
}

/** The candidates whose column the walked index does not hold: each needs a probe of its own index. */
function uncovered(d: SqlDialect, walked: Candidate, candidates: Candidate[]): Candidate[] {
  const held = d.covers[walked.index] ?? [];
  return candidates.filter((c) => !held.includes(c.column));
}

/** The conditions the walked index checks on its own entries: the covered candidates', and the actions'. */
function covered(d: SqlDialect, walked: Candidate, candidates: Candidate[], f: EventFilter): Sql {
  const held = d.covers[walked.index] ?? [];
  const parts = candidates.filter((c) => held.includes(c.column)).map((c) => sql` AND ${c.condition}`);
  if (f.actions?.length && held.includes('action')) parts.push(sql` AND ${d.inList('action', f.actions)}`);
  return join(parts, '');
}

/**
 * Each entry of `a` looked up in the candidates' indexes, index-only, by time and seq. OFFSET 0 (after a
 * LIMIT, for SQLite) keeps each a probe per entry: PostgreSQL otherwise turns EXISTS into a semi-join, and
 * with few rows estimated (a table not analyzed yet) it compared every pair (6 s for 4,096 × 4,096).
 */
function lookups(d: SqlDialect, candidates: Candidate[]): Sql {
  const each = candidates.map(
    ({ index, condition }) => sql` AND EXISTS (SELECT 1 FROM events b ${raw(d.indexedBy(index))}
      WHERE b.tenant = a.tenant AND ${condition} AND b.occurred_ms = a.occurred_ms AND b.seq = a.seq LIMIT 1 OFFSET 0)`,
  );
  return join(each, '');
}

function dateRange(f: EventFilter): Sql {
  const parts = [
    f.fromMs === undefined ? undefined : sql` AND occurred_ms >= ${f.fromMs}`,
    f.toMs === undefined ? undefined : sql` AND occurred_ms < ${f.toMs}`,
  ].filter((p) => p !== undefined);
  return join(parts, '');
}
