import type { Destination } from '../api/types.ts';
import { SafeText } from './safe-text.tsx';
import { TimeText } from './time-cell.tsx';

/** What a row's buttons ask the page to do (the page calls the API, or opens a panel). */
export type DestinationAction = 'edit' | 'pause' | 'resume' | 'test' | 'replay' | 'rotate' | 'delete';

/**
 * One destination: target, state, delivery status (last delivered seq and time, how far behind, last error)
 * and, for admin tokens (`manage`), the buttons that change it. Names and errors are text, never markup.
 */
export function DestinationRow({
  d,
  manage,
  busy,
  onAction,
}: {
  d: Destination;
  manage: boolean;
  busy: boolean;
  onAction: (action: DestinationAction, d: Destination) => void;
}) {
  const s = d.status;
  const button = (action: DestinationAction, label: string) => (
    <button type="button" disabled={busy} onClick={() => onAction(action, d)}>
      {label}
    </button>
  );
  return (
    <tr data-destination-id={d.id} className={d.state === 'paused' ? 'paused' : undefined}>
      <td className="destination-name">
        <SafeText value={d.name} />
      </td>
      <td>
        {d.kind} <span className="muted small">{d.format}</span>
      </td>
      <td className="destination-target">
        <SafeText value={target(d)} />
        {d.kind === 'webhook' ? (
          <div className="muted small destination-secret">
            secret set <span className="mono">{d.secretFingerprint}</span>
          </div>
        ) : null}
        <div className="muted small">
          <SafeText value={filterText(d)} />
        </div>
      </td>
      <td className="destination-state">
        {d.state === 'paused' ? 'Paused' : 'Active'}
        {d.pausedReason ? (
          <div className="muted small">
            <SafeText value={d.pausedReason} />
          </div>
        ) : null}
      </td>
      <td className="destination-delivered">
        <span className="delivered-seq">seq {s.deliveredSeq}</span>
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
      {manage ? (
        <td className="destination-actions">
          {button('edit', 'Edit')}
          {d.state === 'paused' ? button('resume', 'Resume') : button('pause', 'Pause')}
          {button('test', 'Send test')}
          {button('replay', 'Replay')}
          {d.kind === 'webhook' ? button('rotate', 'Rotate secret') : null}
          {button('delete', 'Delete')}
        </td>
      ) : null}
    </tr>
  );
}

function target(d: Destination): string {
  if (d.kind === 'webhook') return d.url ?? '';
  if (d.kind === 'syslog') return `${d.tls ? 'tls' : 'tcp'}://${d.host}:${d.port}`;
  return `${d.subject} on ${d.servers}`;
}

function filterText(d: Destination): string {
  const f = d.filter;
  // Absent or empty: all (the API's rule).
  const streams = f.streams?.length ? f.streams : ['admin', 'auth'];
  const parts = [
    streams.length === 2 ? 'all entries' : streams[0] === 'admin' ? 'administrative events' : 'sign-ins',
    f.categories?.length ? `categories ${f.categories.join(', ')}` : '',
    f.eventTypes?.length ? `types ${f.eventTypes.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
