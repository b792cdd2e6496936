import { useEffect, useState } from 'react';
import type { DestinationAndSecret } from '../api/destination-types.ts';
import { api } from '../api/endpoints.ts';
import type { Destination } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { useHasScope } from '../auth/token-info-provider.tsx';
import { DestinationForm } from '../components/destination-form.tsx';
import { DeletePanel, ReplayPanel, RotatePanel, SecretOnce } from '../components/destination-panels.tsx';
import { type DestinationAction, DestinationRow } from '../components/destination-row.tsx';
import { Empty, ErrorBox, Loading } from '../components/state-views.tsx';
import { useAsync } from '../hooks/use-async.ts';

/** How often the status is read again while the page is open and visible. */
const REFRESH_MS = 2000;

type Panel = { type: 'create' } | { type: 'edit' | 'replay' | 'rotate' | 'delete'; d: Destination };

/**
 * Where the tenant's log is streamed (docs/streaming.md), with each destination's delivery status, read
 * again every few seconds. With the admin scope: create, edit, pause, resume, test-send, replay, rotate a
 * webhook's secret and delete, through the same endpoints as the API and the CLI. Tokens without it see
 * no controls (and the API would refuse them).
 */
export function DestinationsPage() {
  const token = useToken();
  const admin = useHasScope('admin');
  const [tick, setTick] = useState(0);
  const [panel, setPanel] = useState<Panel | null>(null);
  const [notice, setNotice] = useState('');
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const state = useAsync(
    (signal) =>
      // Asked only once the token is known to have the admin scope: others would only get a 403.
      admin === true ? api.destinations(token, { signal }) : Promise.resolve(undefined),
    [token, admin, tick],
  );
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) setTick((t) => t + 1);
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);
  const refresh = () => setTick((t) => t + 1);
  const done = (message: string) => {
    setPanel(null);
    setNotice(message);
    refresh();
  };

  const onAction = async (action: DestinationAction, d: Destination) => {
    setNotice('');
    setActionError(null);
    if (action === 'edit' || action === 'replay' || action === 'rotate' || action === 'delete') {
      setPanel({ type: action, d });
      return;
    }
    setBusy(true);
    try {
      if (action === 'pause') {
        await api.pauseDestination(token, d.id);
        setNotice(`Paused “${d.name}”: entries wait, none is skipped.`);
      } else if (action === 'resume') {
        await api.resumeDestination(token, d.id);
        setNotice(`Resumed “${d.name}”.`);
      } else {
        const r = await api.testDestination(token, d.id);
        setNotice(
          r.delivered
            ? `Test entry delivered to “${d.name}” in ${r.ms} ms.`
            : `Test entry not delivered to “${d.name}”: ${r.error ?? 'no reason given'}`,
        );
      }
      refresh();
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  };

  const destinations = admin === true ? state.data?.destinations : undefined;
  const manage = admin === true;
  return (
    <div className="page destinations-page">
      <div className="page-main scrolling">
        <header className="page-header">
          <h1>Destinations</h1>
          <div className="page-actions">
            {manage ? (
              <button
                type="button"
                className="primary"
                onClick={() => {
                  setNotice('');
                  setPanel({ type: 'create' });
                }}
              >
                New destination
              </button>
            ) : null}
            <button type="button" onClick={refresh}>
              Refresh
            </button>
          </div>
        </header>
        <p className="muted">Where this tenant's log is streamed, at least once and in order.</p>
        {admin === false ? (
          <Empty title="Destinations are managed with a token that has the admin scope." />
        ) : null}
        {notice ? (
          <p role="status" className="destination-notice">
            {notice}
          </p>
        ) : null}
        {actionError ? <ErrorBox error={actionError} /> : null}
        {manage && panel ? (
          <PanelView
            key={panel.type === 'create' ? 'create' : `${panel.type}:${panel.d.id}`}
            panel={panel}
            onClose={() => setPanel(null)}
            onChanged={refresh}
            onDone={done}
          />
        ) : null}
        {admin === false ? null : destinations === undefined && (state.loading || admin === undefined) ? (
          <Loading label="Loading destinations…" />
        ) : state.error ? (
          <ErrorBox error={state.error} onRetry={refresh} />
        ) : !destinations || destinations.length === 0 ? (
          <Empty title="No destinations.">
            {manage ? 'Create one with New destination.' : 'An admin token creates them.'}
          </Empty>
        ) : (
          <table className="destinations-table" aria-label="Destinations">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Sends to</th>
                <th scope="col">State</th>
                <th scope="col">Delivered</th>
                <th scope="col">Behind</th>
                <th scope="col">Last error</th>
                {manage ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {destinations.map((d) => (
                <DestinationRow key={d.id} d={d} manage={manage} busy={busy} onAction={onAction} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

/** The open form or confirmation; a new webhook secret replaces it until closed (and is then forgotten). */
function PanelView({
  panel,
  onClose,
  onChanged,
  onDone,
}: {
  panel: Panel;
  onClose: () => void;
  onChanged: () => void;
  onDone: (message: string) => void;
}) {
  const [secret, setSecret] = useState<DestinationAndSecret | null>(null);
  const showSecret = (r: DestinationAndSecret) => {
    onChanged();
    setSecret(r);
  };
  if (secret)
    return (
      <SecretOnce
        result={secret}
        onClose={() => onDone(`“${secret.destination.name}” saved; its secret is no longer shown.`)}
      />
    );
  switch (panel.type) {
    case 'create':
      return (
        <DestinationForm
          onCancel={onClose}
          onSaved={(r) => (r.secret ? showSecret(r) : onDone(`Created “${r.destination.name}”.`))}
        />
      );
    case 'edit':
      return (
        <DestinationForm
          key={panel.d.id}
          editing={panel.d}
          onCancel={onClose}
          onSaved={(r) => onDone(`Saved “${r.destination.name}”.`)}
        />
      );
    case 'replay':
      return <ReplayPanel key={panel.d.id} d={panel.d} onCancel={onClose} onDone={onDone} />;
    case 'rotate':
      return <RotatePanel key={panel.d.id} d={panel.d} onCancel={onClose} onRotated={showSecret} />;
    case 'delete':
      return <DeletePanel key={panel.d.id} d={panel.d} onCancel={onClose} onDone={onDone} />;
  }
}
