import type { Params } from '../api/client.ts';
import { type DateRange, rangeFromSearch, rangeToParams } from './date-range.ts';

/** The filters of the Authentication Log tabs; like the audit filter, the URL holds them under API names. */
export interface AuthFilter extends DateRange {
  user?: string;
  ip?: string;
  type?: string;
  method?: string;
  q?: string;
  active?: 'true' | 'false';
}

const KEYS = ['user', 'ip', 'type', 'method', 'q', 'active'] as const;

export function authFilterFromSearch(
  search: URLSearchParams,
  defaultRange: DateRange['range'] = 'all',
): AuthFilter {
  const f: AuthFilter = rangeFromSearch(search, defaultRange);
  for (const k of KEYS) {
    const v = search.get(k);
    if (v) (f as unknown as Record<string, string>)[k] = v;
  }
  if (f.active !== undefined && f.active !== 'true' && f.active !== 'false') delete f.active;
  return f;
}

export function authFilterToSearch(f: AuthFilter, defaultRange: DateRange['range'] = 'all'): string {
  const s = new URLSearchParams();
  if (f.range !== defaultRange) s.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from) s.set('from', f.from);
    if (f.to) s.set('to', f.to);
  }
  for (const k of KEYS) if (f[k]) s.set(k, f[k]!);
  const text = s.toString();
  return text ? `?${text}` : '';
}

export function authFilterToParams(
  f: AuthFilter,
  keys: readonly (typeof KEYS)[number][],
  now = Date.now(),
): Params {
  const p: Params = { ...rangeToParams(f, now) };
  for (const k of keys) p[k] = f[k];
  return p;
}
