import { useMemo } from 'react';
import { isMissingEndpoint } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';
import {
  type Bucket,
  bucketEnds,
  FAILURE_SPANS,
  type FailureSpan,
  toSeries,
} from '../format/failure-series.ts';
import { useAsync } from '../hooks/use-async.ts';
import { navigate, useLocation } from '../router.ts';
import { FailureChart } from './failure-chart.tsx';
import { Empty, ErrorBox, Loading, NotAvailable } from './state-views.tsx';

/**
 * Failed sign-in attempts over time, per user and per IP: one GET /v1/auth/failures per bucket (the
 * endpoint counts one window), fetched in parallel.
 */
export function FailuresView() {
  const token = useToken();
  const location = useLocation();
  const span: FailureSpan =
    FAILURE_SPANS.find((s) => s.key === location.search.get('span')) ?? FAILURE_SPANS[1];
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ends are fixed when the span is chosen
  const ends = useMemo(() => bucketEnds(span, Date.now()), [span.key]);
  const data = useAsync(
    async (signal) => {
      const load = (groupBy: 'user' | 'ip') =>
        Promise.all(
          ends.map((to) =>
            api
              .failures(token, { window: `${span.bucketMinutes}m`, groupBy, to }, { signal })
              .then((r): Bucket => ({ to, groups: r.groups })),
          ),
        );
      const [byUser, byIp] = await Promise.all([load('user'), load('ip')]);
      return { byUser: toSeries(byUser), byIp: toSeries(byIp) };
    },
    [ends, token],
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
      ) : data.data && data.data.byUser.length === 0 && data.data.byIp.length === 0 ? (
        <Empty title="No failed sign-in attempts in this period." />
      ) : data.data ? (
        <div className="charts">
          <FailureChart title="Failed attempts per user" series={data.data.byUser} ends={ends} />
          <FailureChart title="Failed attempts per IP address" series={data.data.byIp} ends={ends} />
        </div>
      ) : null}
    </div>
  );
}
