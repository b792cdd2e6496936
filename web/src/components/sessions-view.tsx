import type { Params } from '../api/client.ts';
import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import type { Session } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { endReasonLabel, methodLabel } from '../format/auth-labels.ts';
import { formatDuration } from '../format/format-time.ts';
import { useKeysetPages } from '../hooks/use-keyset-pages.ts';
import { Link } from './link.tsx';
import { LoadMore } from './load-more.tsx';
import { SafeText } from './safe-text.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from './state-views.tsx';
import { TimeText } from './time-cell.tsx';

/** Open per the server's `active` flag; a server without it: not ended yet. */
export function isOpen(s: Session): boolean {
  return s.active ?? s.endedAt === null;
}

/** Login sessions (GET /v1/sessions): duration and end reason; open sessions are marked. */
export function SessionsView({ queryKey, params }: { queryKey: string; params: Params }) {
  const token = useToken();
  const pages = useKeysetPages<Session>(queryKey, (cursor, signal) =>
    api
      .sessions(token, { ...params, limit: 100, cursor }, { signal })
      .then((p) => ({ items: p.sessions, nextCursor: p.nextCursor })),
  );
  if (pages.initialLoading) return <Loading label="Loading sessions…" />;
  if (pages.error && pages.items.length === 0) {
    return isMissingEndpoint(pages.error) ? (
      <NotAvailable what="The sessions view" />
    ) : (
      <ErrorBox error={pages.error} onRetry={pages.retry} />
    );
  }
  if (pages.items.length === 0) return <Empty title="No sessions match these filters." />;
  return (
    <div className="table-scroll">
      <table className="data-table sessions">
        <caption className="visually-hidden">Login sessions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Signed in</th>
            <th scope="col">Ended</th>
            <th scope="col">Duration</th>
            <th scope="col">Method</th>
            <th scope="col">IP address</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {pages.items.map((s) => (
            <tr
              key={s.sessionId}
              data-session-id={s.sessionId}
              className={isOpen(s) ? 'session-open' : undefined}
            >
              <td>
                <SafeText value={s.user.displayName ?? s.user.username} />
                {s.user.displayName ? (
                  <span className="user-handle">
                    <SafeText value={s.user.username} />
                  </span>
                ) : null}
              </td>
              <td>
                {s.loginAt ? <TimeText iso={s.loginAt} /> : <span className="muted">not recorded</span>}
              </td>
              <td>
                {!isOpen(s) && s.endedAt ? (
                  <>
                    <TimeText iso={s.endedAt} /> <span className="muted">{endReasonLabel(s.endReason)}</span>
                  </>
                ) : (
                  <span className="badge badge-open">Open</span>
                )}
              </td>
              <td>
                {s.durationSeconds === null ? (
                  // No duration: still open, or ended with no login on record (loginMissing).
                  <span className="muted">{isOpen(s) ? 'ongoing' : 'unknown'}</span>
                ) : (
                  formatDuration(s.durationSeconds)
                )}
              </td>
              <td>{methodLabel(s.method)}</td>
              <td>
                <SafeText value={s.ip ?? ''} />
              </td>
              <td>
                <Link href={`/auth/sessions/${encodeURIComponent(s.sessionId)}`}>Admin actions</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <LoadMore pages={pages} />
    </div>
  );
}
