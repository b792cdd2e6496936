import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/endpoints.ts';
import type { AuditEvent } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { CollapsibleFilters } from '../components/collapsible-filters.tsx';
import { historyHref } from '../components/event-detail.tsx';
import { EventDetailPanel } from '../components/event-detail-panel.tsx';
import { EventTable, type EventTableHandle } from '../components/event-table.tsx';
import { ExportMenu } from '../components/export-menu.tsx';
import { FilterBar } from '../components/filter-bar.tsx';
import { IgnoredParams } from '../components/ignored-params.tsx';
import { KeywordSearch } from '../components/keyword-search.tsx';
import { LiveToggle } from '../components/live-toggle.tsx';
import { MatchCount } from '../components/match-count.tsx';
import { Empty, ErrorBox, Loading } from '../components/state-views.tsx';
import {
  type AuditFilter,
  activeFilterCount,
  filterFromSearch,
  filterKey,
  filterToParams,
  filterToSearch,
  ignoredInSearch,
} from '../filters/audit-filter.ts';
import { useKeysetPages } from '../hooks/use-keyset-pages.ts';
import { useLiveEvents } from '../hooks/use-live-events.ts';
import { useMediaQuery } from '../hooks/use-media-query.ts';
import { navigate, useLocation } from '../router.ts';

const PAGE_SIZE = 100;

/** The Audit Log: filters in the URL, a virtualised newest-first table, the detail of one event. */
export function AuditLogPage() {
  const token = useToken();
  const location = useLocation();
  const filter = useMemo(() => filterFromSearch(location.search), [location.search]);
  const key = filterKey(filter);
  const ignored = useMemo(() => ignoredInSearch(location.search), [location.search]);
  const openId = location.search.get('event') ?? undefined;
  const [live, setLive] = useState(false);
  const narrow = useMediaQuery('(max-width: 899px)');
  // Relative ranges ("last hour") are fixed when the query starts, so its pages agree with each other.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query key starts a new "now"
  const params = useMemo(() => filterToParams(filter), [key]);

  const go = useCallback(
    (f: AuditFilter, event?: string) => navigate(`/audit${filterToSearch(f, { event })}`),
    [],
  );

  const pages = useKeysetPages<AuditEvent>(key, (cursor, signal) =>
    api
      .events(token, { ...params, limit: PAGE_SIZE, cursor }, { signal })
      .then((p) => ({ items: p.events, nextCursor: p.nextCursor })),
  );
  const ready = !pages.initialLoading && pages.loadedKey === key;
  // A short keyword is searched a slice of the log per request: an empty page with a cursor means "not
  // found yet", so keep going (the table loads further as it is scrolled once rows appear).
  const searching = ready && pages.items.length === 0 && pages.hasMore && !pages.error;
  const { loadMore, loadingMore } = pages;
  useEffect(() => {
    if (searching && !loadingMore) loadMore();
  }, [searching, loadingMore, loadMore]);
  const pagesRef = useRef(pages);
  pagesRef.current = pages;
  const table = useRef<EventTableHandle>(null);
  const liveState = useLiveEvents({
    enabled: live,
    queryKey: key,
    // Live polling starts from the newest loaded row: not before the search has found one.
    ready: ready && !searching,
    fetchAfter: (afterSeq, limit, signal) => api.events(token, { ...params, afterSeq, limit }, { signal }),
    list: {
      current: () => pagesRef.current.items,
      hasMore: () => pagesRef.current.hasMore,
      replace: (items) => pages.setItems(() => items),
      restart: pages.reload,
    },
  });
  const fresh = useMemo(() => new Set(liveState.arrivals?.ids), [liveState.arrivals]);

  const openEvent = useCallback((e: AuditEvent) => go(filter, e.id), [filter, go]);
  const openTarget = useCallback((e: AuditEvent) => navigate(historyHref(e.target)), []);
  const closeDetail = useCallback(() => {
    go(filter);
    window.requestAnimationFrame(() => {
      document.querySelector<HTMLElement>(`[data-event-id="${CSS.escape(openId ?? '')}"]`)?.focus();
    });
  }, [filter, go, openId]);

  return (
    <div className={`page audit-page${openId ? ' with-detail' : ''}`}>
      {/* On a narrow window the detail covers the list: keep focus and screen readers out of what is hidden. */}
      <div className="page-main" inert={openId !== undefined && narrow}>
        <header className="page-header">
          <h1>Audit log</h1>
          <MatchCount
            queryKey={key}
            params={params}
            loaded={ready ? { count: pages.items.length, complete: !pages.hasMore } : null}
          />
          <div className="page-actions">
            <LiveToggle
              live={live}
              onChange={setLive}
              lastPoll={liveState.lastPoll}
              error={liveState.error}
              arrivals={liveState.arrivals}
              onShow={(id) => table.current?.reveal(id)}
            />
            <ExportMenu params={() => filterToParams(filter)} />
          </div>
        </header>
        <IgnoredParams names={ignored} />
        <KeywordSearch filter={filter} onApply={(f) => go(f)} />
        <CollapsibleFilters active={activeFilterCount(filter)}>
          <FilterBar filter={filter} onChange={(f) => go(f)} />
        </CollapsibleFilters>
        <div className="results" aria-busy={pages.initialLoading}>
          {pages.initialLoading && pages.items.length === 0 ? (
            <Loading label="Loading events…" />
          ) : searching ? (
            <Loading label="Searching older events…" />
          ) : pages.error && pages.items.length === 0 ? (
            <ErrorBox error={pages.error} onRetry={pages.retry} />
          ) : pages.items.length === 0 ? (
            <Empty title="No events match these filters.">
              {activeFilterCount(filter) > 0
                ? 'Widen the date range or clear a filter.'
                : 'Nothing has been recorded yet.'}
            </Empty>
          ) : (
            <>
              {pages.error ? <ErrorBox error={pages.error} onRetry={pages.retry} /> : null}
              <EventTable
                label="Audit events, newest first"
                events={pages.items}
                hasMore={pages.hasMore}
                loadingMore={pages.loadingMore}
                onLoadMore={pages.loadMore}
                selectedId={openId}
                fresh={fresh}
                handle={table}
                onOpen={openEvent}
                onOpenTarget={openTarget}
              />
            </>
          )}
        </div>
      </div>
      {openId ? (
        <EventDetailPanel
          id={openId}
          known={pages.items.find((e) => e.id === openId)}
          onClose={closeDetail}
        />
      ) : null}
    </div>
  );
}
