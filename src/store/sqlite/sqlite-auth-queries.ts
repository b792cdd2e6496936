import type { AuthEventFilter, PageSpec, SessionFilter, SessionPageSpec } from '../../core/domain/filters.js';
import * as plan from '../sql/auth-query-plan.js';
import type { SqliteDb } from './sqlite-connection.js';
import { SQLITE_DIALECT as d } from './sqlite-dialect.js';
import { runPlan } from './sqlite-query-runner.js';

/** Authentication-log reads: the shared planner (auth-query-plan.ts) run on a SQLite connection. */
export const listAuthEvents = (db: SqliteDb, tenant: string, f: AuthEventFilter, page: PageSpec) =>
  runPlan(db, plan.listAuthEvents(d, tenant, f, page));

export const getAuthEvent = (db: SqliteDb, tenant: string, id: string) =>
  runPlan(db, plan.getAuthEvent(d, tenant, id));

export const listSessions = (db: SqliteDb, tenant: string, f: SessionFilter, page: SessionPageSpec) =>
  runPlan(db, plan.listSessions(d, tenant, f, page));

export const getSession = (db: SqliteDb, tenant: string, sessionId: string) =>
  runPlan(db, plan.getSession(d, tenant, sessionId));

export const failureGroups = (
  db: SqliteDb,
  tenant: string,
  fromMs: number,
  toMs: number,
  groupBy: 'user' | 'ip',
) => runPlan(db, plan.failureGroups(d, tenant, fromMs, toMs, groupBy));

export const failures = (db: SqliteDb, tenant: string, fromMs: number, toMs: number) =>
  runPlan(db, plan.failures(d, tenant, fromMs, toMs));
