import type { AuthEventFilter, PageSpec, SessionFilter, SessionPageSpec } from '../../core/domain/filters.js';
import * as plan from '../sql/auth-query-plan.js';
import type { PgPool } from './postgres-connection.js';
import { POSTGRES_DIALECT as d } from './postgres-dialect.js';
import { runPlan } from './postgres-query-runner.js';

/** Authentication-log reads: the shared planner (auth-query-plan.ts) run on a PostgreSQL pool. */
export const listAuthEvents = (pool: PgPool, tenant: string, f: AuthEventFilter, page: PageSpec) =>
  runPlan(pool, plan.listAuthEvents(d, tenant, f, page));

export const getAuthEvent = (pool: PgPool, tenant: string, id: string) =>
  runPlan(pool, plan.getAuthEvent(d, tenant, id));

export const listSessions = (pool: PgPool, tenant: string, f: SessionFilter, page: SessionPageSpec) =>
  runPlan(pool, plan.listSessions(d, tenant, f, page));

export const getSession = (pool: PgPool, tenant: string, sessionId: string) =>
  runPlan(pool, plan.getSession(d, tenant, sessionId));

export const failureGroups = (
  pool: PgPool,
  tenant: string,
  fromMs: number,
  toMs: number,
  groupBy: 'user' | 'ip',
) => runPlan(pool, plan.failureGroups(d, tenant, fromMs, toMs, groupBy));

export const failures = (pool: PgPool, tenant: string, fromMs: number, toMs: number) =>
  runPlan(pool, plan.failures(d, tenant, fromMs, toMs));
