import type { Params } from '../api/client.ts';
import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import type { AuthEvent } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { authTypeLabel, methodLabel, reasonLabel } from '../format/auth-labels.ts';
import { useKeysetPages } from '../hooks/use-keyset-pages.ts';
import { Link } from './link.tsx';
import { LoadMore } from './load-more.tsx';
import { SafeText } from './safe-text.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from './state-views.tsx';
import { TimeText } from './time-cell.tsx';

/** Sign-ins, failures and sign-outs (GET /v1/auth-events), newest first. */
export function AuthEventsView({ queryKey, params }: { queryKey: string; params: Params }) {
  const token = useToken();
  const pages = useKeysetPages<AuthEvent>(queryKey, (cursor, signal) =>
    api
      .authEvents(token, { ...params, limit: 100, cursor }, { signal })
      .then((p) => ({ items: p.events, nextCursor: p.nextCursor })),
  );
  if (pages.initialLoading) return <Loading label="Loading sign-in events…" />;
  if (pages.error && pages.items.length === 0) {
    return isMissingEndpoint(pages.error) ? (
      <NotAvailable what="The authentication log" />
    ) : (
      <ErrorBox error={pages.error} onRetry={pages.retry} />
    );
  }
  if (pages.items.length === 0) return <Empty title="No sign-in events match these filters." />;
  return (
    <div className="table-scroll">
      <table className="data-table auth-events">
        <caption className="visually-hidden">Authentication events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">IP address</th>
            <th scope="col">Method</th>
            <th scope="col">Outcome</th>
            <th scope="col">Session</th>
          </tr>
        </thead>
        <tbody>
          {pages.items.map((e) => (
            <tr key={e.id} data-auth-event-id={e.id}>
              <td>
                <TimeText iso={e.occurredAt} />
              </td>
              <td>
                <SafeText value={e.user.displayName ?? e.user.username} />
                {e.user.displayName ? (
                  <span className="user-handle">
                    <SafeText value={e.user.username} />
                  </span>
                ) : null}
              </td>
              <td>
                <SafeText value={e.ip} />
              </td>
              <td>{methodLabel(e.method)}</td>
              <td>
                <span
                  className={`badge outcome-${e.type === 'login_failure' ? 'failure' : e.type === 'login_success' ? 'success' : 'other'}`}
                >
                  {authTypeLabel(e.type)}
                </span>
                {e.reason ? (
                  <span className="muted">
                    {' '}
                    <SafeText value={reasonLabel(e.reason)} />
                  </span>
                ) : null}
              </td>
              <td>
                {e.sessionId ? (
                  <Link href={`/auth/sessions/${encodeURIComponent(e.sessionId)}`}>
                    <SafeText className="mono" value={e.sessionId} />
                  </Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <LoadMore pages={pages} />
    </div>
  );
}
