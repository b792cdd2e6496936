/** Date-range presets. Relative presets have no end, so new events (and live mode) still match. */

export const RANGE_PRESETS = [
  { key: 'all', label: 'Any time', ms: null },
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { key: 'custom', label: 'Custom…', ms: null },
] as const;

export type RangeKey = (typeof RANGE_PRESETS)[number]['key'];

export function isRangeKey(value: string | null): value is RangeKey {
  return RANGE_PRESETS.some((p) => p.key === value);
}

export interface DateRange {
  range: RangeKey;
  /** RFC 3339, only for `custom`. */
  from?: string;
  to?: string;
}

/** Whether a page URL holds a date (`from` or `to`, not empty). */
export function hasDates(search: URLSearchParams): boolean {
  return Boolean(search.get('from') || search.get('to'));
}

/**
 * The date range a page URL holds. Dates make it custom, even next to a preset `range`: a pasted link with
 * dates in it means those dates (the preset is named as ignored, see ignoredParams), and the URL uses the
 * API's names, whose `from`/`to` mean the same.
 */
export function rangeFromSearch(search: URLSearchParams, defaultRange: RangeKey = 'all'): DateRange {
  if (hasDates(search)) {
    return { range: 'custom', from: search.get('from') || undefined, to: search.get('to') || undefined };
  }
  const r = search.get('range');
  return { range: isRangeKey(r) ? r : defaultRange };
}

/** The `from`/`to` API parameters of a range at `now`. */
export function rangeToParams(r: DateRange, now = Date.now()): { from?: string; to?: string } {
  if (r.range === 'custom') return { from: r.from, to: r.to };
  const preset = RANGE_PRESETS.find((p) => p.key === r.range);
  if (!preset?.ms) return {};
  return { from: new Date(now - preset.ms).toISOString() };
}

/** `2026-01-31T14:05` in local time, for <input type="datetime-local">. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The reverse of toLocalInput: a local date-time (or date) to RFC 3339 UTC; undefined when empty/invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(/T/.test(value) ? value : `${value}T00:00`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** How long a from/to range spans (to defaults to `now`); null when it has no start (unbounded). */
export function rangeSpanMs(p: { from?: string; to?: string }, now = Date.now()): number | null {
  const from = p.from ? Date.parse(p.from) : Number.NaN;
  if (Number.isNaN(from)) return null;
  const to = p.to ? Date.parse(p.to) : now;
  return Number.isNaN(to) ? null : Math.max(0, to - from);
}
