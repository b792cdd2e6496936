import { type FormEvent, useState } from 'react';
import { api } from '../api/endpoints.ts';
import { Empty, Loading } from '../components/state-views.tsx';
import { TimeText } from '../components/time-cell.tsx';
import { useAsync } from '../hooks/use-async.ts';

/**
 * Erasure requests on the Data lifecycle page (docs/lifecycle.md#erasure-of-a-data-subject): a form that
 * erases one actor id and the tenant's erasures with their status. The page runs `act` (notice, errors).
 */
export function ErasureSection({
  token,
  generation,
  act,
}: {
  token: string;
  generation: number;
  act: (what: () => Promise<string>) => Promise<void>;
}) {
  const erasures = useAsync((signal) => api.erasures(token, { signal }), [token, generation]);
  const [actorId, setActorId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const done = await api.erase(token, actorId);
      setActorId('');
      return `Erased: key ${done.keyId} destroyed.`;
    });
  };
  const data = erasures.data;
  return (
    <section aria-labelledby="erasures-title">
      <h2 id="erasures-title">Erasure of a data subject</h2>
      {erasures.loading && !data ? (
        <Loading label="Loading the erasures…" />
      ) : data && !data.enabled ? (
        <Empty title="Personal data is not encrypted on this log: subjects cannot be erased.">
          Set AUDITLOG_ENCRYPT_PERSONAL_DATA=1 for new entries.
        </Empty>
      ) : (
        <>
          <form className="lifecycle-form" onSubmit={submit}>
            <label>
              Actor id to erase <input value={actorId} onChange={(e) => setActorId(e.target.value)} />
            </label>{' '}
            <button type="submit" disabled={actorId === ''}>
              Erase subject
            </button>
          </form>
          {data?.erasures.length ? (
            <table className="lifecycle-table" aria-label="Erasures">
              <thead>
                <tr>
                  <th>Erased</th>
                  <th>Key id</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {data.erasures.map((e) => (
                  <tr key={e.keyId}>
                    <td>
                      <TimeText iso={e.erasedAt} />
                    </td>
                    <td className="mono">{e.keyId}</td>
                    <td>{e.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty title="No subject erased yet." />
          )}
        </>
      )}
    </section>
  );
}
