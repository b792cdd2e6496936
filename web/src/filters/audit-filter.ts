import type { Params } from '../api/client.ts';
import { type DateRange, rangeFromSearch, rangeToParams } from './date-range.ts';
import { ignoredParams } from './ignored-params.ts';

/**
 * Every filter of the Audit Log page. The page URL holds exactly these (plus `event` for the open detail),
 * with the API's own parameter names, so a shared link reproduces the same API query.
 */
export interface AuditFilter extends DateRange {
  users: string[];
  actions: string[];
  categories: string[];
  eventTypes: string[];
  targetType?: string;
  targetId?: string;
  target?: string;
  ip?: string;
  sessionId?: string;
  q?: string;
}

export const EMPTY_FILTER: AuditFilter = {
  range: 'all',
  users: [],
  actions: [],
  categories: [],
  eventTypes: [],
};

const SINGLE = ['targetType', 'targetId', 'target', 'ip', 'sessionId', 'q'] as const;

export function filterFromSearch(search: URLSearchParams): AuditFilter {
  const f: AuditFilter = {
    ...rangeFromSearch(search),
    users: search.getAll('user').filter(Boolean),
    actions: search.getAll('action').filter(Boolean),
    categories: search.getAll('category').filter(Boolean),
    eventTypes: search.getAll('eventType').filter(Boolean),
  };
  for (const k of SINGLE) {
    const v = search.get(k);
    if (v) f[k] = v;
  }
  return f;
}

/** The parameters the page reads from its URL (filterFromSearch), and the open detail's `event`. */
const KNOWN = new Set(['range', 'from', 'to', 'user', 'action', 'category', 'eventType', 'event', ...SINGLE]);

/** What this page's URL holds that it does not read, to be named (ignoredParams). */
export function ignoredInSearch(search: URLSearchParams): string[] {
  return ignoredParams(search, KNOWN);
}

/** The page URL's query for a filter; `extra` adds page state such as `event`. */
export function filterToSearch(f: AuditFilter, extra: Record<string, string | undefined> = {}): string {
  const s = new URLSearchParams();
  if (f.range !== 'all') s.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from) s.set('from', f.from);
    if (f.to) s.set('to', f.to);
  }
  for (const u of f.users) s.append('user', u);
  for (const a of f.actions) s.append('action', a);
  for (const c of f.categories) s.append('category', c);
  for (const t of f.eventTypes) s.append('eventType', t);
  for (const k of SINGLE) if (f[k]) s.set(k, f[k]!);
  for (const [k, v] of Object.entries(extra)) if (v) s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : '';
}

/** The GET /v1/events (and export, stats) parameters of a filter at `now`. */
export function filterToParams(f: AuditFilter, now = Date.now()): Params {
  return {
    ...rangeToParams(f, now),
    user: f.users,
    action: f.actions,
    category: f.categories,
    eventType: f.eventTypes,
    targetType: f.targetType,
    targetId: f.targetId,
    target: f.target,
    ip: f.ip,
    sessionId: f.sessionId,
    q: f.q,
  };
}

/** How many filters narrow the result (the date range counts when it is not "any time"). */
export function activeFilterCount(f: AuditFilter): number {
  let n = f.range === 'all' ? 0 : 1;
  n += f.users.length + f.actions.length + f.categories.length + f.eventTypes.length;
  for (const k of SINGLE) if (f[k]) n++;
  return n;
}

/** A stable key for a filter, to tell when a new query is needed. */
export function filterKey(f: AuditFilter): string {
  return filterToSearch(f);
}
