import type { Params } from '../api/client.ts';
import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import type { Alert } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { alertKindLabel } from '../format/auth-labels.ts';
import { useKeysetPages } from '../hooks/use-keyset-pages.ts';
import { Link } from './link.tsx';
import { LoadMore } from './load-more.tsx';
import { SafeText } from './safe-text.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from './state-views.tsx';
import { TimeText } from './time-cell.tsx';

/** The earliest time an event may carry (years 0000–9999). */
const EARLIEST = '0000-01-01T00:00:00.000Z';

/**
 * Detected attacks (GET /v1/alerts): brute force on one username, password spraying from one IP. A page of
 * 50 at a time, each alert naming at most 20 addresses or usernames (the server bounds both).
 */
export function AlertsView({ queryKey, params }: { queryKey: string; params: Params }) {
  const token = useToken();
  // Without `from` the server looks at the last 24 hours only: "Any time" (or a range with only an end) must
  // say from when, or the widest choice would show the fewest attacks.
  const query = { ...params, from: params.from || EARLIEST };
  const pages = useKeysetPages<Alert>(queryKey, (cursor, signal) =>
    api
      .alerts(token, { ...query, limit: 50, cursor }, { signal })
      .then((p) => ({ items: p.alerts, nextCursor: p.nextCursor ?? null })),
  );
  if (pages.initialLoading) return <Loading label="Loading alerts…" />;
  if (pages.error && pages.items.length === 0) {
    return isMissingEndpoint(pages.error) ? (
      <NotAvailable what="Attack detection" />
    ) : (
      <ErrorBox error={pages.error} onRetry={pages.retry} />
    );
  }
  if (pages.items.length === 0)
    return <Empty title="No brute-force or password-spraying attacks detected in this period." />;
  return (
    <>
      <ul className="alerts">
        {pages.items.map((a) => (
          <AlertCard key={`${a.kind}:${a.subject}:${a.firstAt}`} alert={a} />
        ))}
      </ul>
      <LoadMore pages={pages} />
    </>
  );
}

function AlertCard({ alert: a }: { alert: Alert }) {
  const isUser = a.kind === 'brute_force';
  const others = (isUser ? a.ips : a.usernames) ?? [];
  const total = (isUser ? a.ipCount : a.usernameCount) ?? others.length;
  const attempts = `/auth/events?${
    a.attemptsQuery ?? `type=login_failure&${isUser ? 'user' : 'ip'}=${encodeURIComponent(a.subject)}`
  }`;
  return (
    <li className={`alert-card alert-${a.kind}`} data-alert-kind={a.kind}>
      <div className="alert-head">
        <span className="badge badge-alert">{alertKindLabel(a.kind)}</span>
        <strong>
          <SafeText value={a.subject} />
        </strong>
        <span>{a.count} failed attempts</span>
      </div>
      <div className="muted small">
        <TimeText iso={a.firstAt} /> – <TimeText iso={a.lastAt} />
      </div>
      {others.length > 0 ? (
        <div className="small" data-alert-detail>
          {isUser ? 'From' : 'Usernames tried'} ({total.toLocaleString()}
          {total > others.length ? `, ${others.length} most tried shown` : ''}):{' '}
          {others.map((o, i) => (
            <span key={o}>
              {i > 0 ? ', ' : ''}
              <SafeText value={o} />
            </span>
          ))}
          {total > others.length ? ` … +${(total - others.length).toLocaleString()}` : ''}
        </div>
      ) : null}
      <Link href={attempts}>Show these attempts</Link>
    </li>
  );
}
