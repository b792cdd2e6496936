import { useEffect, useState } from 'react';
import type { Params } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';

/**
 * The number of matching events, counted on request (GET /v1/stats): with a million events stored a count
 * takes seconds and holds up the server's other reads, so the table never waits for one.
 */
export function MatchCount({ queryKey, params }: { queryKey: string; params: () => Params }) {
  const token = useToken();
  const [state, setState] = useState<{ key: string; count?: number; busy?: boolean; error?: string } | null>(
    null,
  );
  useEffect(() => {
    setState((s) => (s && s.key !== queryKey ? null : s));
  }, [queryKey]);

  const count = async () => {
    const key = queryKey;
    setState({ key, busy: true });
    try {
      const r = await api.stats(token, { ...params(), groupBy: 'action' });
      const n = r.groups.reduce((sum, g) => sum + g.count, 0);
      setState((s) => (s?.key === key ? { key, count: n } : s));
    } catch (e) {
      setState((s) => (s?.key === key ? { key, error: (e as Error).message } : s));
    }
  };

  const current = state?.key === queryKey ? state : null;
  return (
    <p className="result-count" aria-live="polite">
      {current?.count !== undefined ? (
        `${current.count.toLocaleString()} matching event${current.count === 1 ? '' : 's'}`
      ) : current?.error ? (
        <span className="field-error">Count failed: {current.error}</span>
      ) : (
        <button type="button" className="link" onClick={count} disabled={current?.busy}>
          {current?.busy ? 'Counting…' : 'Count matching events'}
        </button>
      )}
    </p>
  );
}
