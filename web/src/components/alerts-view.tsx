import type { Params } from '../api/client.ts';
import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import type { Alert } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { alertKindLabel } from '../format/auth-labels.ts';
import { useAsync } from '../hooks/use-async.ts';
import { Link } from './link.tsx';
import { SafeText } from './safe-text.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from './state-views.tsx';
import { TimeText } from './time-cell.tsx';

/** Detected attacks (GET /v1/alerts): brute force on one username, password spraying from one IP. */
export function AlertsView({ params }: { params: Params }) {
  const token = useToken();
  const data = useAsync((signal) => api.alerts(token, params, { signal }), [JSON.stringify(params), token]);
  if (data.loading && !data.data) return <Loading label="Loading alerts…" />;
  if (data.error) {
    return isMissingEndpoint(data.error) ? (
      <NotAvailable what="Attack detection" />
    ) : (
      <ErrorBox error={data.error} onRetry={data.reload} />
    );
  }
  const alerts = data.data?.alerts ?? [];
  if (alerts.length === 0)
    return <Empty title="No brute-force or password-spraying attacks detected in this period." />;
  return (
    <ul className="alerts">
      {alerts.map((a) => (
        <AlertCard key={`${a.kind}:${a.subject}:${a.firstAt}`} alert={a} />
      ))}
    </ul>
  );
}

function AlertCard({ alert: a }: { alert: Alert }) {
  const isUser = a.kind === 'brute_force';
  const others = (isUser ? a.ips : a.usernames) ?? [];
  const attempts = `/auth/events?type=login_failure&${isUser ? 'user' : 'ip'}=${encodeURIComponent(a.subject)}`;
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
        <div className="small">
          {isUser ? 'From' : 'Usernames tried'} ({others.length}):{' '}
          {others.slice(0, 20).map((o, i) => (
            <span key={o}>
              {i > 0 ? ', ' : ''}
              <SafeText value={o} />
            </span>
          ))}
          {others.length > 20 ? ` … +${others.length - 20}` : ''}
        </div>
      ) : null}
      <Link href={attempts}>Show these attempts</Link>
    </li>
  );
}
