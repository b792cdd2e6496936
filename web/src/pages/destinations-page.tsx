import { api } from '../api/endpoints.ts';
import type { Destination } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { SafeText } from '../components/safe-text.tsx';
import { Empty, ErrorBox, Loading } from '../components/state-views.tsx';
import { TimeText } from '../components/time-cell.tsx';
import { useAsync } from '../hooks/use-async.ts';

/**
 * Where the tenant's log is streamed (GET /v1/destinations, scope admin), with each destination's delivery
 * status. Read-only: destinations are managed through the API and the CLI (docs/streaming.md).
 */
export function DestinationsPage() {
  const token = useToken();
  const state = useAsync((signal) => api.destinations(token, { signal }), [token]);
  const destinations = state.data?.destinations;
  return (
    <div className="page destinations-page">
      <div className="page-main scrolling">
        <header className="page-header">
          <h1>Destinations</h1>
          <div className="page-actions">
            <button type="button" onClick={state.reload} disabled={state.loading}>
              Refresh
            </button>
          </div>
        </header>
        <p className="muted">Where this tenant's log is streamed, at least once and in order.</p>
        {destinations === undefined && state.loading ? (
          <Loading label="Loading destinations…" />
        ) : state.error ? (
          <ErrorBox error={state.error} onRetry={state.reload} />
        ) : !destinations || destinations.length === 0 ? (
          <Empty title="No destinations.">
            Create one with POST /v1/destinations or auditlog destination create.
          </Empty>
        ) : (
          <table className="destinations-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Sends to</th>
                <th scope="col">State</th>
                <th scope="col">Delivered</th>
                <th scope="col">Behind</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {destinations.map((d) => (
                <DestinationRow key={d.id} d={d} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

function DestinationRow({ d }: { d: Destination }) {
  const s = d.status;
  return (
    <tr data-destination-id={d.id} className={d.state === 'paused' ? 'paused' : undefined}>
      <td>
        <SafeText value={d.name} />
      </td>
      <td>
        {d.kind} <span className="muted small">{d.format}</span>
      </td>
      <td className="destination-target">
        <SafeText value={target(d)} />
      </td>
      <td className="destination-state">
        {d.state === 'paused' ? 'Paused' : 'Active'}
        {d.pausedReason ? (
          <div className="muted small">
            <SafeText value={d.pausedReason} />
          </div>
        ) : null}
      </td>
      <td>
        seq {s.deliveredSeq}
        {s.deliveredAt ? (
          <div className="muted small">
            <TimeText iso={s.deliveredAt} />
          </div>
        ) : null}
      </td>
      <td className="destination-behind">
        {s.eventsBehind === 0 ? 'Up to date' : `${s.eventsBehind} entries, ${formatSeconds(s.secondsBehind)}`}
      </td>
      <td className="destination-error">
        {s.lastError ? <SafeText value={s.lastError} /> : <span className="muted">—</span>}
        {s.failures > 0 ? <div className="muted small">{s.failures} failed attempts in a row</div> : null}
      </td>
    </tr>
  );
}

function target(d: Destination): string {
  if (d.kind === 'webhook') return d.url ?? '';
  if (d.kind === 'syslog') return `${d.tls ? 'tls' : 'tcp'}://${d.host}:${d.port}`;
  return `${d.subject} on ${d.servers}`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
