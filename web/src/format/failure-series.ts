import type { FailureBucket } from '../api/types.ts';

/** Spans of the failed-attempts chart: how far back, in how many buckets. */
export const FAILURE_SPANS = [
  { key: '1h', label: 'Last hour', bucketMinutes: 5, buckets: 12 },
  { key: '24h', label: 'Last 24 hours', bucketMinutes: 60, buckets: 24 },
  { key: '7d', label: 'Last 7 days', bucketMinutes: 360, buckets: 28 },
] as const;
export type FailureSpan = (typeof FAILURE_SPANS)[number];

export interface Series {
  key: string;
  total: number;
  counts: number[];
}

/** The GET /v1/auth/failures parameters of a span ending at `to`: one request answers the whole chart. */
export function spanParams(span: FailureSpan, to: string): { window: string; bucket: string; to: string } {
  return { window: `${span.bucketMinutes * span.buckets}m`, bucket: `${span.bucketMinutes}m`, to };
}

/**
 * Per-bucket counts of the `top` keys with the most failures over the span, and an "others" series for the
 * rest, so the chart stays readable when an attack touches hundreds of usernames.
 */
export function toSeries(buckets: FailureBucket[], top = 6): Series[] {
  const totals = new Map<string, number>();
  for (const b of buckets) for (const g of b.groups) totals.set(g.key, (totals.get(g.key) ?? 0) + g.count);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = ranked.slice(0, top).map(([key]) => key);
  const series: Series[] = shown.map((key) => ({
    key,
    total: totals.get(key)!,
    counts: buckets.map((b) => b.groups.find((g) => g.key === key)?.count ?? 0),
  }));
  if (ranked.length > top) {
    const rest = new Set(ranked.slice(top).map(([key]) => key));
    series.push({
      key: `${ranked.length - top} others`,
      total: ranked.slice(top).reduce((n, [, c]) => n + c, 0),
      counts: buckets.map((b) => b.groups.filter((g) => rest.has(g.key)).reduce((n, g) => n + g.count, 0)),
    });
  }
  return series;
}
