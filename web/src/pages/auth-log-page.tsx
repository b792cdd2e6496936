import { useMemo } from 'react';
import { AlertsView } from '../components/alerts-view.tsx';
import { AuthEventsView } from '../components/auth-events-view.tsx';
import { AuthFilterBar, type AuthFilterField } from '../components/auth-filter-bar.tsx';
import { FailuresView } from '../components/failures-view.tsx';
import { IgnoredParams } from '../components/ignored-params.tsx';
import { Link } from '../components/link.tsx';
import { SessionsView } from '../components/sessions-view.tsx';
import {
  type AuthFilter,
  authFilterFromSearch,
  authFilterToParams,
  authFilterToSearch,
} from '../filters/auth-filter.ts';
import type { RangeKey } from '../filters/date-range.ts';
import { ignoredParams } from '../filters/ignored-params.ts';
import { FAILURE_SPANS } from '../format/failure-series.ts';
import { navigate, useLocation } from '../router.ts';

interface Tab {
  key: string;
  label: string;
  fields: AuthFilterField[];
  defaultRange: RangeKey;
  /** What its results are called, in the notice of ignored URL parameters. */
  results: string;
}

const TABS: Tab[] = [
  {
    key: 'events',
    label: 'Sign-in events',
    fields: ['user', 'ip', 'type', 'method', 'q'],
    defaultRange: 'all',
    results: 'sign-in events',
  },
  {
    key: 'sessions',
    label: 'Sessions',
    fields: ['user', 'ip', 'active'],
    defaultRange: 'all',
    results: 'sessions',
  },
  { key: 'failures', label: 'Failed attempts', fields: [], defaultRange: 'all', results: 'charts' },
  { key: 'alerts', label: 'Alerts', fields: [], defaultRange: '24h', results: 'alerts' },
];

/** The URL parameters a tab reads: its date range and filters; the charts have a period of their own instead. */
function readsOf(tab: Tab): ReadonlySet<string> {
  return new Set(tab.key === 'failures' ? ['span'] : ['range', 'from', 'to', ...tab.fields]);
}

/** Values a tab would quietly replace by its default: named as ignored too. */
const VALID = {
  active: (v: string) => v === 'true' || v === 'false',
  span: (v: string) => FAILURE_SPANS.some((s) => s.key === v),
};

/** The Authentication Log: sign-in events, sessions, failed attempts over time, attack alerts. */
export function AuthLogPage({ tab: tabKey }: { tab: string }) {
  const location = useLocation();
  const tab = TABS.find((t) => t.key === tabKey);
  const filter = useMemo(
    () => authFilterFromSearch(location.search, tab?.defaultRange),
    [location.search, tab],
  );
  if (!tab) {
    return (
      <div className="page">
        <h1>Page not found</h1>
        <Link href="/auth/events">Go to the authentication log</Link>
      </div>
    );
  }
  const ignored = ignoredParams(location.search, readsOf(tab), VALID);
  const key = authFilterToSearch(filter, tab.defaultRange);
  const params = authFilterToParams(filter, tab.fields as never);
  const go = (f: AuthFilter) => navigate(`/auth/${tab.key}${authFilterToSearch(f, tab.defaultRange)}`);

  return (
    <div className="page auth-page">
      <div className="page-main scrolling">
        <header className="page-header">
          <h1>Authentication log</h1>
        </header>
        <nav className="tabs" aria-label="Authentication log views">
          {TABS.map((t) => (
            <Link key={t.key} href={`/auth/${t.key}`} className="tab" current={t.key === tab.key}>
              {t.label}
            </Link>
          ))}
        </nav>
        <IgnoredParams names={ignored} results={tab.results} />
        {tab.key !== 'failures' ? <AuthFilterBar filter={filter} fields={tab.fields} onChange={go} /> : null}
        <section aria-label={tab.label} className="tab-panel">
          {tab.key === 'events' ? <AuthEventsView queryKey={key} params={params} /> : null}
          {tab.key === 'sessions' ? <SessionsView queryKey={key} params={params} /> : null}
          {tab.key === 'failures' ? <FailuresView /> : null}
          {tab.key === 'alerts' ? <AlertsView queryKey={key} params={params} /> : null}
        </section>
      </div>
    </div>
  );
}
