import { useMemo } from 'react';
import { AlertsView } from '../components/alerts-view.tsx';
import { AuthEventsView } from '../components/auth-events-view.tsx';
import { AuthFilterBar, type AuthFilterField } from '../components/auth-filter-bar.tsx';
import { FailuresView } from '../components/failures-view.tsx';
import { Link } from '../components/link.tsx';
import { SessionsView } from '../components/sessions-view.tsx';
import {
  type AuthFilter,
  authFilterFromSearch,
  authFilterToParams,
  authFilterToSearch,
} from '../filters/auth-filter.ts';
import type { RangeKey } from '../filters/date-range.ts';
import { navigate, useLocation } from '../router.ts';

interface Tab {
  key: string;
  label: string;
  fields: AuthFilterField[];
  defaultRange: RangeKey;
}

const TABS: Tab[] = [
  {
    key: 'events',
    label: 'Sign-in events',
    fields: ['user', 'ip', 'type', 'method', 'q'],
    defaultRange: 'all',
  },
  { key: 'sessions', label: 'Sessions', fields: ['user', 'ip', 'active'], defaultRange: 'all' },
  { key: 'failures', label: 'Failed attempts', fields: [], defaultRange: 'all' },
  { key: 'alerts', label: 'Alerts', fields: [], defaultRange: '24h' },
];

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
