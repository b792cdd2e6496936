import { useEffect, useRef, useState } from 'react';
import type { AuditEvent, EventPage } from '../api/types.ts';
import { addArrivals, type LiveArrivals } from '../live/live-arrivals.ts';
import { mergeArrivals } from '../live/merge-arrivals.ts';

const POLL_MS = 4000;
const PAGE = 200;
/** Pages read per poll before a flood is handled by reloading the newest page instead. */
const MAX_PAGES = 5;

export interface LiveState {
  lastPoll: Date | null;
  error: unknown;
  arrivals: LiveArrivals | null;
}

/**
 * Live mode by polling GET /v1/events?afterSeq=<highest seq seen>&<filters>: the events *recorded* since,
 * whatever their occurredAt, so an event that arrives late with an old time is not missed (a poll of the
 * newest page would never see it). Each one is put into the loaded rows at its place in the time order.
 * Starts once the first page of the current query is in (`ready`), from the highest seq among its rows.
 */
export function useLiveEvents(options: {
  enabled: boolean;
  queryKey: string;
  ready: boolean;
  fetchAfter: (afterSeq: number, limit: number, signal: AbortSignal) => Promise<EventPage>;
  list: {
    current: () => AuditEvent[];
    hasMore: () => boolean;
    replace: (items: AuditEvent[]) => void;
    restart: () => void;
  };
}): LiveState {
  const { enabled, queryKey, ready } = options;
  const [lastPoll, setLastPoll] = useState<Date | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [arrivals, setArrivals] = useState<LiveArrivals | null>(null);
  const latest = useRef(options);
  latest.current = options;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query or switching off forgets the arrivals
  useEffect(() => {
    setArrivals(null);
  }, [queryKey, enabled]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: restart polling when the query changes
  useEffect(() => {
    if (!enabled || !ready) return;
    let stopped = false;
    let timer = 0;
    let controller: AbortController | null = null;
    let highest = latest.current.list.current().reduce((max, e) => Math.max(max, e.seq), 0);

    const poll = async () => {
      controller = new AbortController();
      const { fetchAfter, list } = latest.current;
      try {
        const events: AuditEvent[] = [];
        let full = true;
        for (let i = 0; i < MAX_PAGES && full; i++) {
          const page = await fetchAfter(highest, PAGE, controller.signal);
          if (stopped) return;
          events.push(...page.events);
          for (const e of page.events) highest = Math.max(highest, e.seq);
          // The server says how far it looked, so a filter with no new match does not rescan from the start.
          if (page.highSeq !== undefined) highest = Math.max(highest, page.highSeq);
          full = page.events.length === PAGE;
        }
        if (full) {
          // More than MAX_PAGES × PAGE events in one interval: show the newest page again instead (where
          // the arrivals so far may no longer be, so they are not counted on).
          list.restart();
          setArrivals(null);
          return;
        }
        const merged = mergeArrivals(list.current(), events, list.hasMore());
        if (merged.inserted.length > 0) {
          list.replace(merged.items);
          setArrivals((prev) => addArrivals(prev, merged));
        }
        setLastPoll(new Date());
        setError(null);
      } catch (e) {
        if (!stopped) setError(e);
      }
      if (!stopped) timer = window.setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      controller?.abort();
    };
  }, [enabled, queryKey, ready]);

  return { lastPoll, error, arrivals };
}
