import type { EventFilter, PageSpec, StatsKey } from '../../core/domain/filters.js';
import * as plan from '../sql/event-query-plan.js';
import type { SqliteDb } from './sqlite-connection.js';
import { SQLITE_DIALECT as d } from './sqlite-dialect.js';
import { runPlan } from './sqlite-query-runner.js';

/** Administrative-event reads: the shared planner (event-query-plan.ts) run on a SQLite connection. */
export const listEvents = (db: SqliteDb, tenant: string, f: EventFilter, page: PageSpec) =>
  runPlan(db, plan.listEvents(d, tenant, f, page));

export const listBodies = (db: SqliteDb, tenant: string, f: EventFilter, page: PageSpec) =>
  runPlan(db, plan.listBodies(d, tenant, f, page));

export const searchEvents = (
  db: SqliteDb,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
  scanLimit: number,
) => runPlan(db, plan.searchEvents(d, tenant, f, page, scanLimit));

export const getEvent = (db: SqliteDb, tenant: string, id: string) =>
  runPlan(db, plan.getEvent(d, tenant, id));

export const eventStats = (db: SqliteDb, tenant: string, f: EventFilter, groupBy: StatsKey) =>
  runPlan(db, plan.eventStats(d, tenant, f, groupBy));

export const listActors = (db: SqliteDb, tenant: string, prefix: string, limit: number) =>
  runPlan(db, plan.listActors(d, tenant, prefix, limit));
