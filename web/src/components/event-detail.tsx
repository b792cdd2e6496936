import { type ReactNode, useEffect, useRef } from 'react';
import type { AuditEvent } from '../api/types.ts';
import { useCatalog } from '../catalog/catalog-provider.tsx';
import { formatUtc } from '../format/format-time.ts';
import { targetLabel } from '../format/format-value.ts';
import { ActionBadge } from './action-badge.tsx';
import { ChangeList } from './change-list.tsx';
import { ExpandableText } from './expandable-text.tsx';
import { InclusionCheck } from './inclusion-check.tsx';
import { Link } from './link.tsx';
import { SafeText } from './safe-text.tsx';
import { TimeText } from './time-cell.tsx';
import { ValueDiff } from './value-diff.tsx';

export function historyHref(target: AuditEvent['target']): string {
  return `/audit/history/${encodeURIComponent(target.type)}/${encodeURIComponent(target.id)}`;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Everything recorded about one event: context, the changed fields, and old → new side by side. */
export function EventDetail({ event: e }: { event: AuditEvent }) {
  const a = e.actor;
  const catalog = useCatalog();
  const typeLabel = catalog.eventTypeLabel(e.eventType);
  return (
    <div className="event-detail">
      <dl className="fields">
        <Field label="When">
          <TimeText iso={e.occurredAt} /> <span className="muted">({formatUtc(e.occurredAt)})</span>
        </Field>
        <Field label="User">
          <SafeText value={a.displayName ?? a.username ?? a.id} />
          {a.username ? (
            <span className="muted">
              {' '}
              (<SafeText value={a.username} />)
            </span>
          ) : null}
          <div className="muted small">
            id <SafeText value={a.id} /> · {a.type ?? 'user'}
          </div>
        </Field>
        <Field label="Action">
          <ActionBadge action={e.action} />{' '}
          {typeLabel ? (
            <>
              <SafeText value={typeLabel} /> <SafeText className="muted mono" value={e.eventType} />
            </>
          ) : (
            <SafeText value={e.eventType} />
          )}
        </Field>
        <Field label="Category">
          <SafeText value={catalog.categoryLabel(e.category)} />
        </Field>
        <Field label="Target">
          <Link href={historyHref(e.target)} title="Show every change to this entity">
            <SafeText value={targetLabel(e.target)} />
          </Link>
          {e.target.name ? (
            <div className="muted small">
              id <SafeText value={e.target.id} />
            </div>
          ) : null}
        </Field>
        <Field label="IP address">
          {e.ip ? <SafeText value={e.ip} /> : <span className="muted">—</span>}
        </Field>
        {e.userAgent ? (
          <Field label="User agent">
            <SafeText value={e.userAgent} />
          </Field>
        ) : null}
        {e.sessionId ? (
          <Field label="Session">
            <Link href={`/auth/sessions/${encodeURIComponent(e.sessionId)}`}>
              <SafeText value={e.sessionId} />
            </Link>
          </Field>
        ) : null}
        {e.reason ? (
          <Field label="Reason">
            <ExpandableText value={e.reason} />
          </Field>
        ) : null}
        {e.requestId ? (
          <Field label="Request id">
            <SafeText value={e.requestId} />
          </Field>
        ) : null}
        <Field label="Event id">
          <SafeText className="mono" value={e.id} /> <span className="muted">· seq {e.seq}</span>
        </Field>
        <Field label="Received">
          <TimeText iso={e.receivedAt} />
        </Field>
        <Field label="Proof">
          <InclusionCheck eventId={e.id} />
        </Field>
      </dl>
      <h3>Changed fields ({e.changes.length})</h3>
      <ChangeList changes={e.changes} />
      <h3>Before → after</h3>
      <ValueDiff oldValue={e.oldValue} newValue={e.newValue} changes={e.changes} />
      {e.metadata && Object.keys(e.metadata).length > 0 ? (
        <>
          <h3>Metadata</h3>
          <pre className="json">
            <SafeText value={JSON.stringify(e.metadata, null, 2)} />
          </pre>
        </>
      ) : null}
    </div>
  );
}

/** A side panel (full screen when narrow) that takes focus when it opens and closes with Escape. */
export function DetailPanel({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <aside
      className="detail-panel"
      aria-labelledby="detail-title"
      onKeyDown={(ev) => {
        if (ev.key === 'Escape') onClose();
      }}
    >
      <header className="detail-header">
        <h2 id="detail-title" tabIndex={-1} ref={heading}>
          {title}
        </h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      <div className="detail-body">{children}</div>
    </aside>
  );
}
