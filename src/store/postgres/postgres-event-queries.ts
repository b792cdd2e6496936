import type { EventFilter, PageSpec, StatsKey } from '../../core/domain/filters.js';
import * as plan from '../sql/event-query-plan.js';
import type { PgPool } from './postgres-connection.js';
import { POSTGRES_DIALECT as d } from './postgres-dialect.js';
import { runPlan } from './postgres-query-runner.js';

/** Administrative-event reads: the shared planner (event-query-plan.ts) run on a PostgreSQL pool. */
export const listEvents = (pool: PgPool, tenant: string, f: EventFilter, page: PageSpec) =>
  runPlan(pool, plan.listEvents(d, tenant, f, page));

export const listBodies = (pool: PgPool, tenant: string, f: EventFilter, page: PageSpec) =>
  runPlan(pool, plan.listBodies(d, tenant, f, page));

export const searchEvents = (
  pool: PgPool,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
  scanLimit: number,
) => runPlan(pool, plan.searchEvents(d, tenant, f, page, scanLimit));

export const getEvent = (pool: PgPool, tenant: string, id: string) =>
  runPlan(pool, plan.getEvent(d, tenant, id));

export const eventStats = (pool: PgPool, tenant: string, f: EventFilter, groupBy: StatsKey) =>
  runPlan(pool, plan.eventStats(d, tenant, f, groupBy));

export const listActors = (pool: PgPool, tenant: string, prefix: string, limit: number) =>
  runPlan(pool, plan.listActors(d, tenant, prefix, limit));
