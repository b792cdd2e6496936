import { useCallback } from 'react';
import { api } from '../api/endpoints.ts';
import type { AuditEvent } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { useCatalog } from '../catalog/catalog-provider.tsx';
import { ActionBadge } from '../components/action-badge.tsx';
import { ChangeList } from '../components/change-list.tsx';
import { EventDetailPanel } from '../components/event-detail-panel.tsx';
import { IgnoredParams } from '../components/ignored-params.tsx';
import { Link } from '../components/link.tsx';
import { SafeText } from '../components/safe-text.tsx';
import { Empty, ErrorBox, Loading } from '../components/state-views.tsx';
import { TimeText } from '../components/time-cell.tsx';
import { ignoredParams } from '../filters/ignored-params.ts';
import { actorNames } from '../format/format-value.ts';
import { useKeysetPages } from '../hooks/use-keyset-pages.ts';
import { navigate, useLocation } from '../router.ts';

/** The one URL parameter the page reads: the open detail. Others in a link are named, not dropped in silence. */
const READS: ReadonlySet<string> = new Set(['event']);

/** Every event of one entity, oldest first (GET /v1/entities/{type}/{id}/history), as a timeline. */
export function EntityHistoryPage({ type, id }: { type: string; id: string }) {
  const token = useToken();
  const location = useLocation();
  const openId = location.search.get('event') ?? undefined;
  const ignored = ignoredParams(location.search, READS);
  const pages = useKeysetPages<AuditEvent>(`${type}\u0000${id}`, (cursor, signal) =>
    api
      .history(token, type, id, { limit: 100, cursor }, { signal })
      .then((p) => ({ items: p.events, nextCursor: p.nextCursor })),
  );
  const open = useCallback(
    (eventId?: string) => navigate(location.path + (eventId ? `?event=${encodeURIComponent(eventId)}` : '')),
    [location.path],
  );
  const name = pages.items.find((e) => e.target.name)?.target.name;

  return (
    <div className={`page history-page${openId ? ' with-detail' : ''}`}>
      <div className="page-main scrolling">
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <Link href="/audit">Audit log</Link> <span aria-hidden="true">›</span> History
        </nav>
        <header className="page-header">
          <h1>
            History of <SafeText value={`${type}: ${name ?? id}`} />
          </h1>
          <p className="muted">
            Every recorded change to this entity, oldest first.{' '}
            <Link href={`/audit?targetType=${encodeURIComponent(type)}&targetId=${encodeURIComponent(id)}`}>
              Show in the audit log
            </Link>
          </p>
        </header>
        <IgnoredParams names={ignored} />
        {pages.initialLoading ? (
          <Loading label="Loading history…" />
        ) : pages.error && pages.items.length === 0 ? (
          <ErrorBox error={pages.error} onRetry={pages.retry} />
        ) : pages.items.length === 0 ? (
          <Empty title="No events for this entity." />
        ) : (
          <ol className="timeline" aria-label={`History of ${type}: ${id}`}>
            {pages.items.map((e) => (
              <HistoryEntry key={e.id} event={e} selected={e.id === openId} onOpen={() => open(e.id)} />
            ))}
          </ol>
        )}
        {pages.hasMore && !pages.initialLoading ? (
          <button type="button" onClick={pages.loadMore} disabled={pages.loadingMore}>
            {pages.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </div>
      {openId ? (
        <EventDetailPanel
          id={openId}
          known={pages.items.find((e) => e.id === openId)}
          onClose={() => open()}
        />
      ) : null}
    </div>
  );
}

function HistoryEntry({
  event: e,
  selected,
  onOpen,
}: {
  event: AuditEvent;
  selected: boolean;
  onOpen: () => void;
}) {
  const who = actorNames(e.actor);
  const { categoryLabel, eventTypeLabel } = useCatalog();
  const typeLabel = eventTypeLabel(e.eventType);
  return (
    <li className={`timeline-entry${selected ? ' row-selected' : ''}`} data-event-id={e.id}>
      <div className="timeline-head">
        <TimeText iso={e.occurredAt} />
        <ActionBadge action={e.action} />
        {typeLabel ? <SafeText value={typeLabel} /> : null}
        <SafeText className={typeLabel ? 'mono muted' : 'mono'} value={e.eventType} />
        <span className="muted">
          by <SafeText value={who.primary} />
          {who.secondary ? (
            <>
              {' '}
              (<SafeText value={who.secondary} />)
            </>
          ) : null}
          {' · '}
          <SafeText value={categoryLabel(e.category)} />
        </span>
        <button type="button" className="link" onClick={onOpen}>
          Details
        </button>
      </div>
      <ChangeList changes={e.changes} />
    </li>
  );
}
