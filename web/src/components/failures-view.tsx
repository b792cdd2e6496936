import { useMemo } from 'react';
import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import type { FailureBucket } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { FAILURE_SPANS, type FailureSpan, spanParams } from '../format/failure-series.ts';
import { useAsync } from '../hooks/use-async.ts';
import { navigate, useLocation } from '../router.ts';
import { FailureChart } from './failure-chart.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from './state-views.tsx';

/**
 * Failed sign-in attempts over time, per user and per IP: one GET /v1/auth/failures per chart, the window
 * split into buckets by the server (`bucket=`), so the bars and their table are the server's numbers.
 */
export function FailuresView() {
  const token = useToken();
  const location = useLocation();
  const span: FailureSpan =
    FAILURE_SPANS.find((s) => s.key === location.search.get('span')) ?? FAILURE_SPANS[1];
  // biome-ignore lint/correctness/useExhaustiveDependencies: the end is fixed when the span is chosen
  const to = useMemo(() => new Date().toISOString(), [span.key]);
  const data = useAsync(
    async (signal) => {
      const load = async (groupBy: 'user' | 'ip'): Promise<FailureBucket[]> => {
        const r = await api.failures(token, { ...spanParams(span, to), groupBy }, { signal });
        if (!r.buckets) throw new Error('The server did not split the window into buckets (bucket=).');
        return r.buckets;
      };
      const [byUser, byIp] = await Promise.all([load('user'), load('ip')]);
      return { byUser, byIp };
    },
    [span, to, token],
  );

  return (
    <div className="failures-view">
      <div className="filter-bar">
        <div className="filter">
          <label htmlFor="failure-span">Period</label>
          <select
            id="failure-span"
            value={span.key}
            onChange={(e) => navigate(`${location.path}?span=${e.target.value}`)}
          >
            {FAILURE_SPANS.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label} ({s.bucketMinutes >= 60 ? `${s.bucketMinutes / 60} h` : `${s.bucketMinutes} min`}{' '}
                bars)
              </option>
            ))}
          </select>
        </div>
      </div>
      {data.loading && !data.data ? (
        <Loading label="Counting failed attempts…" />
      ) : data.error ? (
        isMissingEndpoint(data.error) ? (
          <NotAvailable what="The failed-attempts chart" />
        ) : (
          <ErrorBox error={data.error} onRetry={data.reload} />
        )
      ) : data.data && total(data.data.byUser) === 0 && total(data.data.byIp) === 0 ? (
        <Empty title="No failed sign-in attempts in this period." />
      ) : data.data ? (
        <div className="charts">
          <FailureChart title="Failed attempts per user" buckets={data.data.byUser} />
          <FailureChart title="Failed attempts per IP address" buckets={data.data.byIp} />
        </div>
      ) : null}
    </div>
  );
}

function total(buckets: FailureBucket[]): number {
  return buckets.reduce((n, b) => n + b.groups.reduce((m, g) => m + g.count, 0), 0);
}
