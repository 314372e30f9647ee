import { useCallback, useEffect, useState } from 'react';
import { ConsoleEnginesDocument, ConsoleViewerDocument, type ConsoleEnginesQuery } from '@switchyard/client/browser';
import { ConsoleContext, useConsole, type Viewer } from './api/hooks.ts';
import { Session, storeCredential, storedCredential } from './api/session.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { brandName, brandingTheme } from './theme/branding-theme.ts';
import { SignIn } from './pages/sign-in.tsx';
import { RunsPage } from './pages/runs-page.tsx';
import { RunPage } from './pages/run-page.tsx';
import { InboxPage } from './pages/inbox-page.tsx';
import { AdminPage } from './pages/admin-page.tsx';
import { TenantsPage } from './pages/tenants-page.tsx';
import { ConnectionIndicator } from './components/connection-indicator.tsx';

type Engines = ConsoleEnginesQuery;

export function App() {
  const [session, setSession] = useState<Session | null>(() => {
    const credential = storedCredential();
    return credential ? new Session(credential) : null;
  });
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [engines, setEngines] = useState<Engines | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const signOut = useCallback(() => {
    void session?.close();
    storeCredential(null);
    setSession(null);
    setViewer(null);
    setEngines(null);
    navigate('/');
  }, [session]);

  const reloadViewer = useCallback(async () => {
    if (!session) return;
    const { viewer: loaded } = await session.client.request(ConsoleViewerDocument);
    setViewer(loaded);
  }, [session]);

  useEffect(() => {
    if (!session) return;
    let cancelled = false;
    setFailure(null);
    session.client
      .request(ConsoleViewerDocument)
      .then(({ viewer: loaded }) => {
        if (!cancelled) setViewer(loaded);
      })
      .catch((error: Error & { code?: string }) => {
        if (cancelled) return;
        if (error.code === 'UNAUTHENTICATED') signOut();
        else setFailure(error.message);
      });
    session.client
      .request(ConsoleEnginesDocument)
      .then((loaded) => !cancelled && setEngines(loaded))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session]);

  const branding = viewer?.tenant?.branding ?? null;
  const name = brandName(branding, viewer?.tenant?.name);
  useEffect(() => {
    const theme = brandingTheme(branding);
    for (const [property, value] of Object.entries(theme)) document.documentElement.style.setProperty(property, value);
    document.title = viewer ? `${name} · console` : 'Switchyard console';
  }, [branding, name, viewer]);

  if (!session) {
    return (
      <SignIn
        onSignedIn={(signedIn, returnTo) => {
          storeCredential(signedIn.credential);
          setSession(signedIn);
          if (returnTo) window.history.replaceState(null, '', returnTo);
        }}
      />
    );
  }
  if (!viewer) {
    return (
      <main className="sign-in">
        {failure ? (
          <div className="card">
            <p className="form-error" role="alert">
              The console could not reach the API: {failure}
            </p>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </main>
    );
  }
  const simulated = engines ? [engines.langgraphEngine, engines.crewaiEngine, engines.autogenEngine].filter((e) => e.simulatedModel) : [];
  return (
    <ConsoleContext.Provider value={{ session, viewer, reloadViewer }}>
      <Shell name={name} logoUrl={branding?.logoUrl ?? null} onSignOut={signOut} simulated={simulated.map((e) => e.framework)} />
    </ConsoleContext.Provider>
  );
}

function Shell({ name, logoUrl, onSignOut, simulated }: { name: string; logoUrl: string | null; onSignOut: () => void; simulated: string[] }) {
  const { path } = useLocation();
  const { viewer } = useConsole();
  const role = viewer.role;
  const hasTenant = !!viewer.tenant;
  const nav = hasTenant
          ? [
              { to: '/', label: 'Runs', active: path === '/' || path.startsWith('/runs') },
              { to: '/inbox', label: 'Inbox', active: path.startsWith('/inbox') },
              ...(role === 'TENANT_ADMIN' ? [{ to: '/admin', label: 'Tenant admin', active: path.startsWith('/admin') }] : []),
            ]
          : [{ to: '/', label: 'Tenants', active: true }];
  return (
          <>
            <header className="topbar">
              <div className="brand">
                {logoUrl ? <img src={logoUrl} alt="" className="brand-logo" /> : null}
                <span className="brand-name" data-testid="brand-name">
                  {name}
                </span>
              </div>
              <nav aria-label="Main">
                <ul>
                  {nav.map((item) => (
                    <li key={item.to}>
                      <Link to={item.to} aria-current={item.active ? 'page' : undefined}>
                        {item.label}
                      </Link>
                    </li>
                  ))}
                </ul>
              </nav>
              <div className="session">
                <ConnectionIndicator />
                <span className="role" title="The role of the key you signed in with">
                  {role.replace('_', ' ').toLowerCase()}
                </span>
                <button type="button" className="on-brand" onClick={onSignOut}>
                  Sign out
                </button>
              </div>
            </header>
            {simulated.length > 0 ? (
              <div className="simulated-banner" role="status">
                <strong>Model output is simulated.</strong> {simulated.length === 3 ? 'Every engine' : simulated.join(', ')} answers with the bundled LLM
                simulator, not a real model; configure a provider to get real answers.
              </div>
            ) : null}
            <main className="content">{hasTenant ? <TenantRoutes path={path} /> : <TenantsPage />}</main>
          </>
  );
}

function TenantRoutes({ path }: { path: string }) {
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) return <RunPage id={decodeURIComponent(run[1]!)} />;
  if (path.startsWith('/inbox')) return <InboxPage />;
  if (path.startsWith('/admin')) return <AdminPage />;
  return <RunsPage />;
}
