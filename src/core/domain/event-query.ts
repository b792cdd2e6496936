import { decodeCursor } from './cursor.js';
import { invalidQuery } from './errors.js';
import type { EventFilter, PageSpec } from './filters.js';
import { textMessage } from './inspect-json.js';
import { type IpRange, parseIpFilter } from './ip.js';
import { ACTIONS } from './schemas/event-schema.js';
import { parseKeywordQuery } from './search-text.js';
import { fold } from './text-fold.js';
import { parseRfc3339Bound } from './time.js';

/** Query parameters as the HTTP layer or the CLI received them: repeatable ones may be arrays. */
export type RawQuery = Record<string, string | string[] | number | undefined>;

const FILTER_PARAMS = new Set([
  'from',
  'to',
  'user',
  'action',
  'category',
  'eventType',
  'targetType',
  'targetId',
  'target',
  'ip',
  'sessionId',
  'q',
]);
/** The paging parameters, for the callers that page (stats and exports do not: there a limit is refused). */
export const PAGE_PARAMS: readonly string[] = ['limit', 'cursor', 'order'];
const MAX_TERMS = 16;
const MAX_VALUES = 50;

export function rejectUnknown(raw: RawQuery, known: ReadonlySet<string>): void {
  for (const name of Object.keys(raw)) {
    if (raw[name] !== undefined && !known.has(name))
      throw invalidQuery(`/${name}`, 'is not a known parameter');
  }
}

export function list(raw: RawQuery, name: string): string[] | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const values = (Array.isArray(v) ? v : [v]).map(String);
  if (values.length > MAX_VALUES) throw invalidQuery(`/${name}`, `may be given at most ${MAX_VALUES} times`);
  for (const value of values) checkText(name, value);
  return values;
}

export function single(raw: RawQuery, name: string): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.length !== 1) throw invalidQuery(`/${name}`, 'may be given once');
  return checkText(name, String(Array.isArray(v) ? v[0] : v));
}

/**
 * A parameter's text MUST be well-formed Unicode without NUL — what every stored string is — so a NUL or a
 * lone surrogate is a 400 naming the parameter, never a driver error (SQLite's FTS5 and PostgreSQL's text
 * both refuse NUL).
 */
export function checkText(name: string, value: string): string {
  const problem = textMessage(value);
  if (problem) throw invalidQuery(`/${name}`, problem);
  return value;
}

/** A `from`/`to` bound in ms, exact for finer digits (rounded up: see parseRfc3339Bound). */
export function time(raw: RawQuery, name: string): number | undefined {
  const v = single(raw, name);
  if (v === undefined) return undefined;
  const ms = parseRfc3339Bound(v);
  if (ms === null) throw invalidQuery(`/${name}`, 'must be an RFC 3339 date-time, e.g. 2026-11-26T00:00:00Z');
  return ms;
}

/**
 * Parses the filters of GET /v1/events (and export, stats, history) into a store filter. Unknown
 * parameters are an error: a misspelt filter must not silently widen an audit query.
 */
export function parseEventFilter(raw: RawQuery, allowed: ReadonlySet<string> = new Set()): EventFilter {
  rejectUnknown(raw, new Set([...FILTER_PARAMS, ...allowed]));
  const f: EventFilter = {};
  f.fromMs = time(raw, 'from');
  f.toMs = time(raw, 'to');
  const users = list(raw, 'user');
  if (users) {
    f.users = users;
    f.usersFolded = users.map(fold);
  }
  f.actions = enumList(raw, 'action', ACTIONS);
  f.categories = list(raw, 'category');
  f.eventTypes = list(raw, 'eventType');
  f.targetType = single(raw, 'targetType');
  f.targetId = single(raw, 'targetId');
  const target = single(raw, 'target');
  if (target !== undefined) f.target = fold(target);
  f.ip = ipFilter(raw);
  f.sessionId = single(raw, 'sessionId');
  f.terms = keywordTerms(raw);
  for (const key of Object.keys(f) as (keyof EventFilter)[]) if (f[key] === undefined) delete f[key];
  return f;
}

export function ipFilter(raw: RawQuery): IpRange | undefined {
  const ip = single(raw, 'ip');
  if (ip === undefined) return undefined;
  // An event keeps a zone id in its ip (`fe80::1%eth0`), but the stores index the address alone: a zone in
  // the filter cannot be honoured, and read as its bare address it matched every zone.
  if (ip.includes('%'))
    throw invalidQuery(
      '/ip',
      'must not hold a zone id (%…): the filter matches addresses, and the address alone (fe80::1) finds it under every zone',
    );
  const range = parseIpFilter(ip.trim());
  if (!range) throw invalidQuery('/ip', 'must be an IPv4/IPv6 address or a CIDR block such as 10.0.0.0/8');
  return range;
}

export function keywordTerms(raw: RawQuery): string[] | undefined {
  const q = single(raw, 'q');
  if (q === undefined) return undefined;
  const terms = parseKeywordQuery(q);
  if (terms.length > MAX_TERMS) throw invalidQuery('/q', `may hold at most ${MAX_TERMS} terms`);
  return terms.length > 0 ? terms : undefined;
}

/** Values of a repeatable parameter, each one of `allowed`. */
export function enumList(raw: RawQuery, name: string, allowed: readonly string[]): string[] | undefined {
  const values = list(raw, name);
  const bad = values?.find((v) => !allowed.includes(v));
  if (bad !== undefined) throw invalidQuery(`/${name}`, `must be one of: ${allowed.join(', ')}`);
  return values;
}

export function parsePage(raw: RawQuery, defaults: { order: 'asc' | 'desc'; limit?: number }): PageSpec {
  const order = parseOrder(raw, defaults.order);
  const page: PageSpec = { order, limit: parseLimit(raw, defaults.limit ?? 50) };
  const cursorText = single(raw, 'cursor');
  if (cursorText !== undefined && cursorText !== '') {
    const c = decodeCursor(cursorText);
    if (c.order !== order) throw invalidQuery('/cursor', `was issued for order=${c.order}`);
    page.after = { occurredMs: c.occurredMs, seq: c.seq };
  }
  return page;
}

export function parseOrder(raw: RawQuery, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  const order = single(raw, 'order') ?? fallback;
  if (order !== 'asc' && order !== 'desc') throw invalidQuery('/order', 'must be asc or desc');
  return order;
}

export function parseLimit(raw: RawQuery, fallback: number): number {
  const limitText = single(raw, 'limit');
  if (limitText === undefined) return fallback;
  if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) {
    throw invalidQuery('/limit', 'must be an integer from 1 to 500');
  }
  return Number(limitText);
}
