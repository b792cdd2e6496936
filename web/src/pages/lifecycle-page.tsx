import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api/endpoints.ts';
import type { LegalHold } from '../api/lifecycle-types.ts';
import { useToken } from '../auth/session-context.tsx';
import { useHasScope } from '../auth/token-info-provider.tsx';
import { useCatalog } from '../catalog/catalog-provider.tsx';
import { SafeText } from '../components/safe-text.tsx';
import { Empty, ErrorBox, Loading } from '../components/state-views.tsx';
import { TimeText } from '../components/time-cell.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { ErasureSection } from './erasure-section.tsx';

/**
 * Data lifecycle for admin tokens (docs/lifecycle.md): the tenant's retention policies, legal holds and
 * purge history and erasures, with forms over the same endpoints the CLI and API use. Every change is an audit event.
 */
export function LifecyclePage() {
  const admin = useHasScope('admin');
  // Without the admin scope every list is a 403: say so once, not "nothing here" under a refusal.
  if (admin === true) return <LifecycleControls />;
  return (
    <LifecycleFrame>
      {admin === false ? (
        <Empty title="Retention, legal holds, purges and erasures are managed with a token that has the admin scope." />
      ) : (
        <Loading label="Loading…" />
      )}
    </LifecycleFrame>
  );
}

function LifecycleFrame(props: { children: ReactNode }) {
  return (
    <div className="page lifecycle-page">
      <div className="page-main scrolling">
        <header className="page-header">
          <h1>Data lifecycle</h1>
        </header>
        {props.children}
      </div>
    </div>
  );
}

function LifecycleControls() {
  const token = useToken();
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const policies = useAsync((signal) => api.policies(token, { signal }), [token, generation]);
  const holds = useAsync((signal) => api.holds(token, { signal }), [token, generation]);
  const purges = useAsync((signal) => api.purges(token, { signal }), [token, generation]);
  const act = async (what: () => Promise<string>) => {
    setError(null);
    try {
      setNotice(await what());
      setGeneration((g) => g + 1);
    } catch (e) {
      setError(e);
    }
  };
  const loadError = policies.error ?? holds.error ?? purges.error;
  return (
    <LifecycleFrame>
      {error ? <ErrorBox error={error} /> : null}
      {notice ? (
        <p role="status" className="lifecycle-notice">
          {notice}
        </p>
      ) : null}
      {loadError ? <ErrorBox error={loadError} onRetry={() => setGeneration((g) => g + 1)} /> : null}
      <section aria-labelledby="policies-title">
        <h2 id="policies-title">Retention policies</h2>
        {policies.loading && !policies.data ? (
          <Loading label="Loading the policies…" />
        ) : policies.data?.policies.length ? (
          <table className="lifecycle-table" aria-label="Retention policies">
            <thead>
              <tr>
                <th>Stream</th>
                <th>Category</th>
                <th>Kept for</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {policies.data.policies.map((p) => (
                <tr key={`${p.stream}:${p.category ?? ''}`}>
                  <td>{p.stream === 'auth' ? 'Authentication log' : 'Audit log'}</td>
                  <td>{p.category ?? 'every other category'}</td>
                  <td>{p.maxAgeDays} days</td>
                  <td>
                    <TimeText iso={p.updatedAt} seconds={false} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty title="No retention policy: every entry is kept for ever." />
        )}
        <PolicyForm
          onSubmit={(body) =>
            act(async () => {
              const p = await api.setPolicy(token, body);
              return `Policy saved: ${p.category ?? p.stream} kept ${p.maxAgeDays} days.`;
            })
          }
        />
      </section>
      <section aria-labelledby="holds-title">
        <h2 id="holds-title">Legal holds</h2>
        {holds.loading && !holds.data ? (
          <Loading label="Loading the holds…" />
        ) : holds.data?.holds.length ? (
          <table className="lifecycle-table" aria-label="Legal holds">
            <thead>
              <tr>
                <th>Reason</th>
                <th>Holds</th>
                <th>Created</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {holds.data.holds.map((h) => (
                <tr key={h.id} data-hold-id={h.id}>
                  <td>
                    <SafeText value={h.reason} />
                  </td>
                  <td>
                    <SafeText value={criteria(h)} />
                  </td>
                  <td>
                    <TimeText iso={h.createdAt} seconds={false} />
                  </td>
                  <td>
                    {h.releasedAt ? (
                      'released'
                    ) : (
                      <button
                        type="button"
                        onClick={() =>
                          act(async () => {
                            await api.releaseHold(token, h.id);
                            return 'Hold released.';
                          })
                        }
                      >
                        Release
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty title="No legal hold." />
        )}
        <HoldForm
          onSubmit={(body) =>
            act(async () => {
              await api.createHold(token, body);
              return 'Hold created.';
            })
          }
        />
      </section>
      <section aria-labelledby="purges-title">
        <h2 id="purges-title">Purge history</h2>
        <button
          type="button"
          onClick={() =>
            act(async () => {
              const run = await api.purgeNow(token);
              return `Purged ${run.purged} entries in ${run.steps} signed step(s); ${run.held} kept by holds.`;
            })
          }
        >
          Purge now
        </button>
        {purges.loading && !purges.data ? (
          <Loading label="Loading the purges…" />
        ) : purges.data?.purges.length ? (
          <table className="lifecycle-table" aria-label="Purges">
            <thead>
              <tr>
                <th>Signed</th>
                <th>Stream</th>
                <th>Entries</th>
                <th>Seqs</th>
                <th>Key</th>
              </tr>
            </thead>
            <tbody>
              {[...purges.data.purges].reverse().map((p) => (
                <tr key={p.purgeId}>
                  <td>
                    <TimeText iso={p.signedAt} />
                  </td>
                  <td>{p.stream === 'auth' ? 'Authentication log' : 'Audit log'}</td>
                  <td>{p.count}</td>
                  <td>
                    {p.firstSeq}–{p.lastSeq}
                  </td>
                  <td className="mono">{p.keyId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty title="Nothing purged yet." />
        )}
      </section>
      <ErasureSection token={token} generation={generation} act={act} />
    </LifecycleFrame>
  );
}

function criteria(h: LegalHold): string {
  const parts = [
    h.actorId && `actor ${h.actorId}`,
    h.targetType && `target type ${h.targetType}`,
    h.targetId && `target ${h.targetId}`,
    h.category && `category ${h.category}`,
    h.from && `from ${h.from}`,
    h.to && `to ${h.to}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'every entry';
}

function PolicyForm({
  onSubmit,
}: {
  onSubmit: (body: { stream: string; category?: string; maxAgeDays: number }) => void;
}) {
  const catalog = useCatalog();
  const [target, setTarget] = useState('event:');
  const [days, setDays] = useState('365');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const [stream, category] = target.split(':') as [string, string];
    onSubmit({ stream, ...(category ? { category } : {}), maxAgeDays: Number(days) });
  };
  return (
    <form className="lifecycle-form" onSubmit={submit}>
      <label>
        Applies to{' '}
        <select value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="event:">Audit log, every other category</option>
          {catalog.categories.map((c) => (
            <option key={c.key} value={`event:${c.key}`}>
              Audit log, {c.label}
            </option>
          ))}
          <option value="auth:">Authentication log</option>
        </select>
      </label>{' '}
      <label>
        Days kept <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />
      </label>{' '}
      <button type="submit">Save policy</button>
    </form>
  );
}

function HoldForm({ onSubmit }: { onSubmit: (body: Record<string, string>) => void }) {
  const [reason, setReason] = useState('');
  const [actorId, setActorId] = useState('');
  const [targetId, setTargetId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ reason, ...(actorId ? { actorId } : {}), ...(targetId ? { targetId } : {}) });
  };
  return (
    <form className="lifecycle-form" onSubmit={submit}>
      <label>
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>{' '}
      <label>
        Actor <input value={actorId} onChange={(e) => setActorId(e.target.value)} />
      </label>{' '}
      <label>
        Target id <input value={targetId} onChange={(e) => setTargetId(e.target.value)} />
      </label>{' '}
      <button type="submit">Create hold</button>
    </form>
  );
}
