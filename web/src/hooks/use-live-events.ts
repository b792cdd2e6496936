import { useEffect, useRef, useState } from 'react';
import type { AuditEvent, EventPage } from '../api/types.ts';

const POLL_MS = 4000;
const PAGE = 100;

/** Newest first: by occurredAt, then seq — the API's own order. */
export function compareNewestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? 1 : -1;
  return b.seq - a.seq;
}

/**
 * Live mode by polling: every few seconds the newest page of the current filter is fetched and events not
 * yet shown are merged in, newest first. Returns the ids that arrived last, for a brief highlight.
 */
export function useLiveEvents(
  enabled: boolean,
  queryKey: string,
  fetchNewest: (limit: number, signal: AbortSignal) => Promise<EventPage>,
  list: { current: () => AuditEvent[]; replace: (items: AuditEvent[]) => void; restart: () => void },
): { arrived: ReadonlySet<string>; lastPoll: Date | null; error: unknown } {
  const [arrived, setArrived] = useState<ReadonlySet<string>>(new Set());
  const [lastPoll, setLastPoll] = useState<Date | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fetchRef = useRef(fetchNewest);
  fetchRef.current = fetchNewest;

  // biome-ignore lint/correctness/useExhaustiveDependencies: restart polling when the query changes
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let controller: AbortController | null = null;
    const poll = async () => {
      controller = new AbortController();
      try {
        const page = await fetchRef.current(PAGE, controller.signal);
        if (stopped) return;
        const items = list.current();
        const known = new Set(items.map((e) => e.id));
        const added = page.events.filter((e) => !known.has(e.id));
        if (added.length > 0) {
          // A full page of unseen events means there may be a gap: start over from the newest page.
          if (added.length === page.events.length && page.events.length === PAGE) list.restart();
          else list.replace([...added, ...items].sort(compareNewestFirst));
        }
        setArrived(new Set(added.map((e) => e.id)));
        setLastPoll(new Date());
        setError(null);
      } catch (e) {
        if (!stopped) setError(e);
      }
    };
    const timer = window.setInterval(poll, POLL_MS);
    void poll();
    return () => {
      stopped = true;
      window.clearInterval(timer);
      controller?.abort();
    };
  }, [enabled, queryKey]);

  return { arrived, lastPoll, error };
}
