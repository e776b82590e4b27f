import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createApi } from './api/client.js';
import { type Session, SessionContext } from './api/session.js';
import type { CatalogAnswer, Me } from './api/types.js';
import { BenchmarksPage } from './pages/benchmarks-page.js';
import { CatalogPage } from './pages/catalog-page.js';
import { KeysPage } from './pages/keys-page.js';
import { LivePage } from './pages/live-page.js';
import { LocalModelsPage } from './pages/local-models-page.js';
import { RoutingPage } from './pages/routing-page.js';
import { SetupPage } from './pages/setup-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { VersionsPage } from './pages/versions-page.js';
import { storedToken, storeToken } from './token-store.js';
import { navigate, useHashRoute } from './use-hash-route.js';

interface PageEntry {
  route: string;
  title: string;
  adminOnly: boolean;
  render: () => React.ReactNode;
}

const pages: PageEntry[] = [
  { route: 'setup', title: 'Setup', adminOnly: true, render: () => <SetupPage /> },
  { route: 'catalog', title: 'Catalog', adminOnly: false, render: () => <CatalogPage /> },
  { route: 'local', title: 'Local models', adminOnly: true, render: () => <LocalModelsPage /> },
  { route: 'keys', title: 'Keys', adminOnly: false, render: () => <KeysPage /> },
  { route: 'routing', title: 'Routing', adminOnly: false, render: () => <RoutingPage /> },
  { route: 'versions', title: 'Versions', adminOnly: true, render: () => <VersionsPage /> },
  { route: 'benchmarks', title: 'Benchmarks', adminOnly: false, render: () => <BenchmarksPage /> },
  { route: 'live', title: 'Live', adminOnly: true, render: () => <LivePage /> },
];

/** The dashboard: sign-in, then one page at a time under a navigation bar. */
export function App() {
  const [token, setToken] = useState<string | null>(storedToken);
  const [me, setMe] = useState<Me>();
  const [signInError, setSignInError] = useState<string>();
  const route = useHashRoute();
  const main = useRef<HTMLElement>(null);

  const signOut = useCallback(() => {
    storeToken(null);
    setToken(null);
    setMe(undefined);
  }, []);
  const expired = useCallback(() => {
    setSignInError('The gateway no longer accepts this token; sign in again.');
    signOut();
  }, [signOut]);
  const api = useMemo(() => (token ? createApi(token, expired) : undefined), [token, expired]);

  // Who the token belongs to; an admin on a gateway without providers starts on setup.
  useEffect(() => {
    if (!api) return;
    let live = true;
    api.get<Me>('/api/me').then(
      async (who) => {
        if (!live) return;
        setMe(who);
        if (window.location.hash.length > 2) return;
        const catalog = await api
          .get<CatalogAnswer>('/api/catalog?limit=1&refresh=never')
          .catch(() => undefined);
        navigate(who.kind === 'admin' && catalog?.meta.setup.needed ? 'setup' : 'catalog');
      },
      (error: unknown) => {
        if (!live) return;
        setSignInError(error instanceof ApiError ? error.message : String(error));
        if (!(error instanceof ApiError && error.status === 401)) signOut();
      },
    );
    return () => {
      live = false;
    };
  }, [api, signOut]);

  const page = pages.find((entry) => entry.route === route) ?? pages[1];
  useEffect(() => {
    if (page) document.title = `${page.title} · tta-models`;
    // Move focus to the new page's heading area for keyboard and screen-reader users.
    main.current?.focus({ preventScroll: true });
  }, [page]);

  if (!token || !api) {
    return (
      <SignInPage
        error={signInError}
        onSignIn={(value) => {
          storeToken(value);
          setSignInError(undefined);
          setToken(value);
        }}
      />
    );
  }
  if (!me) {
    return (
      <main className="loading-screen" aria-busy="true">
        <p>Signing in…</p>
      </main>
    );
  }

  const isAdmin = me.kind === 'admin';
  const session: Session = { api, me, isAdmin, signOut };
  const visible = pages.filter((entry) => isAdmin || !entry.adminOnly);
  const allowed = page && (isAdmin || !page.adminOnly);

  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <span className="brand-name">tta-models</span>
          <span className="who" data-testid="who">
            {isAdmin ? 'admin' : `user ${me.name ?? ''}`}
          </span>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
        <nav aria-label="Pages">
          <ul>
            {visible.map((entry) => (
              <li key={entry.route}>
                <a
                  href={`#/${entry.route}`}
                  aria-current={entry.route === page?.route ? 'page' : undefined}
                >
                  {entry.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {allowed ? (
          page.render()
        ) : (
          <p>This page is for the administrator; your token may not open it.</p>
        )}
      </main>
    </SessionContext.Provider>
  );
}
