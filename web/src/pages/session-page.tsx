import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';
import { ActionBadge } from '../components/action-badge.tsx';
import { IgnoredParams } from '../components/ignored-params.tsx';
import { Link } from '../components/link.tsx';
import { SafeText } from '../components/safe-text.tsx';
import { isOpen } from '../components/sessions-view.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from '../components/state-views.tsx';
import { TimeText } from '../components/time-cell.tsx';
import { ignoredParams } from '../filters/ignored-params.ts';
import { endReasonLabel, methodLabel } from '../format/auth-labels.ts';
import { formatDuration } from '../format/format-time.ts';
import { changeSummary, targetLabel } from '../format/format-value.ts';
import { useAsync } from '../hooks/use-async.ts';
import { useLocation } from '../router.ts';

/** The page reads no URL parameter: any in a link is named, not dropped in silence. */
const READS: ReadonlySet<string> = new Set();

/** One login session (GET /v1/sessions/{id}) and the administrative actions performed in it. */
export function SessionPage({ id }: { id: string }) {
  const token = useToken();
  const data = useAsync((signal) => api.session(token, id, { signal }), [id, token]);
  const ignored = ignoredParams(useLocation().search, READS);
  const auditHref = (eventId?: string) =>
    `/audit?sessionId=${encodeURIComponent(id)}${eventId ? `&event=${encodeURIComponent(eventId)}` : ''}`;
  const s = data.data;
  return (
    <div className="page session-page">
      <div className="page-main scrolling">
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <Link href="/auth/sessions">Sessions</Link> <span aria-hidden="true">›</span>{' '}
          <SafeText value={id} />
        </nav>
        <header className="page-header">
          <h1>
            Session <SafeText className="mono" value={id} />
          </h1>
        </header>
        <IgnoredParams names={ignored} results="actions" />
        {data.loading && !s ? (
          <Loading label="Loading the session…" />
        ) : data.error ? (
          isMissingEndpoint(data.error) ? (
            <NotAvailable what="The sessions view" />
          ) : (
            <ErrorBox error={data.error} onRetry={data.reload} />
          )
        ) : s ? (
          <>
            <dl className="fields fields-inline">
              <div className="field">
                <dt>User</dt>
                <dd>
                  <SafeText value={s.user.displayName ?? s.user.username} />{' '}
                  <span className="muted">
                    (<SafeText value={s.user.username} />)
                  </span>
                </dd>
              </div>
              <div className="field">
                <dt>Signed in</dt>
                <dd>
                  {s.loginAt ? <TimeText iso={s.loginAt} /> : <span className="muted">not recorded</span>} ·{' '}
                  {methodLabel(s.method)} · <SafeText value={s.ip ?? ''} />
                </dd>
              </div>
              <div className="field">
                <dt>Ended</dt>
                <dd>
                  {!isOpen(s) && s.endedAt ? (
                    <>
                      <TimeText iso={s.endedAt} /> · {endReasonLabel(s.endReason)} · lasted{' '}
                      {s.durationSeconds === null ? '—' : formatDuration(s.durationSeconds)}
                    </>
                  ) : (
                    <span className="badge badge-open">Open</span>
                  )}
                </dd>
              </div>
              {s.userAgent ? (
                <div className="field">
                  <dt>User agent</dt>
                  <dd>
                    <SafeText value={s.userAgent} />
                  </dd>
                </div>
              ) : null}
            </dl>
            <h2>
              Administrative actions in this session ({s.actions.length}
              {s.actionsTruncated ? '+' : ''})
            </h2>
            {s.actionsTruncated ? (
              <p className="notice">
                Only the first {s.actions.length} actions are listed here;{' '}
                <Link href={auditHref()}>the audit log shows all of them</Link>.
              </p>
            ) : null}
            {s.actions.length === 0 ? (
              <Empty title="No administrative action was recorded in this session." />
            ) : (
              <div className="table-scroll">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Action</th>
                      <th scope="col">Target</th>
                      <th scope="col">Changes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.actions.map((e) => (
                      <tr key={e.id} data-event-id={e.id}>
                        <td>
                          <TimeText iso={e.occurredAt} />
                        </td>
                        <td>
                          <ActionBadge action={e.action} />{' '}
                          <SafeText className="mono small" value={e.eventType} />
                        </td>
                        <td>
                          <Link href={auditHref(e.id)}>
                            <SafeText value={targetLabel(e.target)} />
                          </Link>
                        </td>
                        <td>
                          <SafeText value={changeSummary(e)} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p>
              <Link href={auditHref()}>Open these actions in the audit log</Link>
            </p>
          </>
        ) : null}
      </div>
    </div>
  );
}
