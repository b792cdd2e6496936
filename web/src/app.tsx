import { useEffect } from 'react';
import { SessionProvider, useSession } from './auth/session-context.tsx';
import { TokenInfoProvider, useHasScope, useTokenInfo } from './auth/token-info-provider.tsx';
import { CatalogProvider } from './catalog/catalog-provider.tsx';
import { Link } from './components/link.tsx';
import { SafeText } from './components/safe-text.tsx';
import { formatLocal } from './format/format-time.ts';
import { AuditLogPage } from './pages/audit-log-page.tsx';
import { AuthLogPage } from './pages/auth-log-page.tsx';
import { DestinationsPage } from './pages/destinations-page.tsx';
import { EntityHistoryPage } from './pages/entity-history-page.tsx';
import { LifecyclePage } from './pages/lifecycle-page.tsx';
import { SessionPage } from './pages/session-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { matchPath, navigate, useLocation } from './router.ts';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { session, signOut } = useSession();
  const { path } = useLocation();
  const redirect = path === '/' || path === '/sign-in' ? '/audit' : path === '/auth' ? '/auth/events' : null;
  useEffect(() => {
    if (session && redirect) navigate(redirect, { replace: true });
  }, [session, redirect]);
  useEffect(() => {
    document.title = `${titleOf(path)} · Audit log`;
  }, [path]);

  if (!session) return <SignInPage />;
  return (
    <TokenInfoProvider token={session.token}>
      <CatalogProvider token={session.token}>
        <div className="app">
          <a className="skip-link" href="#main">
            Skip to content
          </a>
          <header className="app-header">
            <span className="brand">auditlog</span>
            <nav aria-label="Main">
              <Link href="/audit" current={path.startsWith('/audit')}>
                Audit log
              </Link>
              <Link href="/auth/events" current={path.startsWith('/auth')}>
                Authentication log
              </Link>
              <AdminLinks path={path} />
            </nav>
            <SessionSummary embedded={session.embedded} fragmentExpiry={session.expiresAt} />
            {session.embedded ? null : (
              <button type="button" className="sign-out" onClick={() => signOut()}>
                Sign out
              </button>
            )}
          </header>
          <main id="main" tabIndex={-1}>
            <Route path={path} />
          </main>
        </div>
      </CatalogProvider>
    </TokenInfoProvider>
  );
}

/** Pages for tokens with the admin scope only (the API refuses the others anyway). */
function AdminLinks({ path }: { path: string }) {
  if (!useHasScope('admin')) return null;
  return (
    <>
      <Link href="/destinations" current={path.startsWith('/destinations')}>
        Destinations
      </Link>
      <Link href="/admin/lifecycle" current={path.startsWith('/admin')}>
        Data lifecycle
      </Link>
    </>
  );
}

/**
 * The tenant whose log this is, and when the session ends: the expiry the server reports (GET /v1/me);
 * until it has answered, a viewer session shows the expiry its host platform passed in the fragment.
 */
function SessionSummary({ embedded, fragmentExpiry }: { embedded: boolean; fragmentExpiry: string | null }) {
  const info = useTokenInfo();
  const expiresAt = info ? info.expiresAt : fragmentExpiry;
  const until = expiresAt && !Number.isNaN(Date.parse(expiresAt)) ? formatLocal(expiresAt, false) : null;
  const sameDay = until?.slice(0, 10) === formatLocal(new Date().toISOString(), false).slice(0, 10);
  const viewer = embedded || info?.kind === 'viewer';
  return (
    <span className="session-summary muted small">
      {info ? (
        <span className="tenant" title={info.name ? `Token: ${info.name}` : undefined}>
          Tenant <SafeText className="tenant-name" value={info.tenant} />
        </span>
      ) : null}
      {viewer || until ? (
        <span className="session-expiry">
          {viewer ? 'Viewer session' : 'Token'}
          {until ? (
            <>
              {viewer ? ' until ' : ' expires '}
              <time dateTime={expiresAt!}>{sameDay ? until.slice(11) : until}</time>
            </>
          ) : null}
        </span>
      ) : null}
    </span>
  );
}

/** Data lifecycle, for tokens with the admin scope. */
function Route({ path }: { path: string }) {
  if (path === '/audit') return <AuditLogPage />;
  if (path === '/destinations') return <DestinationsPage />;
  if (path === '/admin/lifecycle') return <LifecyclePage />;
  const history = matchPath('/audit/history/:type/:id', path);
  if (history) return <EntityHistoryPage key={path} type={history.type!} id={history.id!} />;
  const session = matchPath('/auth/sessions/:id', path);
  if (session) return <SessionPage key={path} id={session.id!} />;
  const tab = matchPath('/auth/:tab', path);
  if (tab) return <AuthLogPage tab={tab.tab!} />;
  if (path === '/' || path === '/sign-in' || path === '/auth') return null;
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        <Link href="/audit">Go to the audit log</Link>
      </p>
    </div>
  );
}

function titleOf(path: string): string {
  if (path.startsWith('/audit/history')) return 'Entity history';
  if (path.startsWith('/audit')) return 'Audit log';
  if (path.startsWith('/auth/sessions/')) return 'Session';
  if (path.startsWith('/auth')) return 'Authentication log';
  if (path.startsWith('/destinations')) return 'Destinations';
  if (path.startsWith('/admin')) return 'Data lifecycle';
  return 'Sign in';
}
