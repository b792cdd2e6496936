import {
  PAGE_PARAMS,
  parseEventFilter,
  parsePage,
  type RawQuery,
} from '../../src/core/domain/event-query.js';
import { listEvents, searchEvents } from '../../src/store/sql/event-query-plan.js';
import type { Plan, Row } from '../../src/store/sql/query-plan.js';
import type { SqlDialect } from '../../src/store/sql/sql-dialect.js';
import { compile, type Sql } from '../../src/store/sql/sql-fragment.js';

/** The keyword scan limit the server uses by default (audit-log.ts KEYWORD_SCAN_LIMIT). */
const KEYWORD_SCAN_LIMIT = 20_000;

/** Runs one statement for the explainer: its plan text and its rows. */
export type Explainer = (text: string, values: unknown[]) => Promise<{ plan: string; rows: Row[] }>;

/**
 * The statements GET /v1/events runs for `params` (the same parsing and planner as the server, the page
 * asked for one more row as AuditLog does), each with its plan as the engine reports it.
 */
export async function explainQuery(
  d: SqlDialect,
  explain: Explainer,
  params: [string, string][],
): Promise<string> {
  const raw: RawQuery = {};
  for (const [k, v] of params) {
    const had = raw[k];
    raw[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [String(had)]), v];
  }
  const filter = parseEventFilter(raw, new Set([...PAGE_PARAMS, 'afterSeq']));
  const page = parsePage(raw, { order: 'desc' });
  const spec = { ...page, limit: page.limit + 1 };
  const plan: Plan<unknown> = filter.terms?.length
    ? searchEvents(d, 'default', filter, spec, KEYWORD_SCAN_LIMIT)
    : listEvents(d, 'default', filter, spec);
  const out: string[] = [];
  let step = plan.next();
  while (!step.done) {
    const q: Sql = step.value;
    const { text, values } = compile(q, d.placeholder);
    const started = performance.now();
    const { plan: p, rows } = await explain(text, values);
    const took = performance.now() - started;
    out.push(`-- ${took.toFixed(1)} ms, ${rows.length} rows\n${text.replace(/\s+/g, ' ').trim()}\n${p}`);
    step = plan.next(rows);
  }
  return out.join('\n');
}
