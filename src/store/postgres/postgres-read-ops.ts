import { type AlertQuery, type AlertRules, alertPage } from '../../core/domain/attack-detection.js';
import { csvBytes, pageEnd } from '../../core/domain/csv-format.js';
import { exportLineBytes } from '../../core/domain/export-lines.js';
import type { EventFilter, PageSpec } from '../../core/domain/filters.js';
import { takePageBuffer } from '../threads/page-buffers.js';
import { type Answer, TwoPart } from '../threads/worker-pool.js';
import * as auth from './postgres-auth-queries.js';
import type { PgPool } from './postgres-connection.js';
import * as events from './postgres-event-queries.js';

/**
 * The reads of a PostgreSQL store whose rows are many and whose answer is small, with the core's work on
 * those rows: they run in reader threads (postgres-reader-worker.ts) with their own connections, so that
 * neither the rows nor the work over them reach the event loop. Mirrors the last two of sqlite-read-ops.ts.
 */
export const PG_READER_OPS = {
  csvPage: async (pool: PgPool, tenant: string, filter: EventFilter, page: PageSpec) => {
    const rows = await events.listBodies(pool, tenant, filter, page);
    return new TwoPart(pageEnd(rows), () => csvBytes(rows, takePageBuffer));
  },
  ndjsonPage: async (pool: PgPool, tenant: string, filter: EventFilter, page: PageSpec) => {
    const rows = await events.listEvents(pool, tenant, filter, page);
    return new TwoPart({ seqs: rows.map((r) => r.seq) }, () => exportLineBytes(rows, takePageBuffer));
  },
  alertPage: async (pool: PgPool, tenant: string, rules: AlertRules, q: AlertQuery) =>
    alertPage(await auth.failures(pool, tenant, q.fromMs - rules.windowMs, q.toMs), rules, q),
} as const;

type Ops = typeof PG_READER_OPS;
export type PgReaderOp = keyof Ops;
export type PgReaderArgs<K extends PgReaderOp> = Parameters<Ops[K]> extends [unknown, ...infer R] ? R : never;
export type PgReaderResult<K extends PgReaderOp> = Answer<Awaited<ReturnType<Ops[K]>>>;
