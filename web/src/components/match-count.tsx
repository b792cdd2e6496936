import { useEffect, useRef, useState } from 'react';
import type { Params } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';
import { rollupCountGroup } from '../filters/count-plan.ts';
import { rangeSpanMs } from '../filters/date-range.ts';

/** Ranges up to this long are counted without asking (≤ 0.2 s with a million events over a year). */
export const AUTO_COUNT_SPAN_MS = 7 * 86_400_000;
const DEBOUNCE_MS = 400;
/** A preset's span grows by the time since it was applied: this much of it still counts as within. */
const PRESET_SLACK_MS = 3_600_000;

type CountState = { key: string; count?: number; busy?: boolean; error?: string };

/**
 * The number of matching events (GET /v1/stats). Shown without asking when it is free — every match is
 * already loaded — or cheap: a filter the server counts from its per-day rollups (any date range, with at
 * most one of action, category, event type or user: milliseconds at 10M events), or a date range of at most
 * 7 days, counted once the first page is in and the filter has stayed put for a moment. Otherwise on request:
 * with a million events a count that reads the events (a target, a keyword, two filters over a long range) takes
 * 4–7 s in a reader thread of the server, and the server cannot stop a count a client no longer wants, so
 * counting on every filter change would keep its two readers busy and slow every reader's table. For the
 * same reason a tab never runs two counts at once: a newer one waits for the older to end.
 */
export function MatchCount(props: {
  queryKey: string;
  params: Params;
  /** The first page of this query is in; `complete` when there are no more pages. */
  loaded: { count: number; complete: boolean } | null;
}) {
  const { queryKey, params, loaded } = props;
  const token = useToken();
  const [state, setState] = useState<CountState | null>(null);
  const running = useRef<Promise<void> | null>(null);
  const span = rangeSpanMs(params as { from?: string; to?: string });
  const rollups = rollupCountGroup(params);
  // "Last 7 days" starts 7 days before the moment it was chosen, so by now it spans a little more.
  const auto = rollups !== null || (span !== null && span <= AUTO_COUNT_SPAN_MS + PRESET_SLACK_MS);

  const queued = useRef<string | null>(null);
  const currentKey = useRef(queryKey);
  currentKey.current = queryKey;

  /** Counts for `key` once no other count of this tab is running; skipped if the filter moved on. */
  const count = async (key: string) => {
    if (queued.current === key) return;
    queued.current = key;
    setState({ key, busy: true });
    while (running.current) await running.current;
    if (queued.current === key) queued.current = null;
    if (currentKey.current !== key) return;
    const done = api.stats(token, { ...params, groupBy: rollups ?? 'action' }).then(
      (r) => {
        const n = r.groups.reduce((sum, g) => sum + g.count, 0);
        setState((s) => (s?.key === key ? { key, count: n } : s));
      },
      (e: unknown) => setState((s) => (s?.key === key ? { key, error: (e as Error).message } : s)),
    );
    running.current = done;
    await done;
    if (running.current === done) running.current = null;
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: one automatic count per query, once its first page is in
  useEffect(() => {
    if (!auto || !loaded || loaded.complete) return;
    const timer = window.setTimeout(() => void count(queryKey), DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [queryKey, auto, loaded !== null, loaded?.complete]);

  const current = state?.key === queryKey ? state : null;
  const exact = loaded?.complete ? loaded.count : current?.count;
  return (
    <p className="result-count" aria-live="polite">
      {exact !== undefined ? (
        `${exact.toLocaleString()} matching event${exact === 1 ? '' : 's'}`
      ) : current?.error ? (
        <span className="field-error">Count failed: {current.error}</span>
      ) : current?.busy || (auto && loaded) ? (
        'Counting…'
      ) : (
        <button
          type="button"
          className="link"
          disabled={!loaded}
          onClick={() => void count(queryKey)}
          title="Counting every matching event takes a few seconds on a large log"
        >
          Count matching events
        </button>
      )}
    </p>
  );
}
