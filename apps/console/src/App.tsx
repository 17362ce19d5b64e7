/**
 * The shell: who is signed in (GET /api/v1/session), the navigation, the one time-range picker, the live-feed
 * indicator, the theme toggle, and the current page (each page a lazily loaded chunk).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, type ComponentType, type ReactNode } from 'react';
import { ApiError, errorMessage, onUnauthorized, request, send } from './api/client';
import { SessionInfo } from './api/schemas';
import { RangePicker } from './components/RangePicker';
import { useNow, useRoute, useTheme } from './hooks';
import { startLive, stopLive, useLive } from './live/store';
import { SignIn } from './pages/SignIn';
import { fmtAgo } from './shape/format';
import { buildHash, PAGE_LABELS, PAGES, type Page, type Route } from './shape/url';

/** What every page receives. */
export interface PageProps {
  route: Route;
  setParams: (changes: Record<string, string | undefined>, replace?: boolean) => void;
  role: string;
}

const PAGE_COMPONENTS: Record<Page, ComponentType<PageProps>> = {
  overview: lazy(() => import('./pages/Overview')),
  groups: lazy(() => import('./pages/Groups')),
  queues: lazy(() => import('./pages/Queues')),
  dlq: lazy(() => import('./pages/DeadLetters')),
  replay: lazy(() => import('./pages/Replay')),
  throttles: lazy(() => import('./pages/Throttles')),
  order: lazy(() => import('./pages/Order')),
  inference: lazy(() => import('./pages/Inference')),
  cost: lazy(() => import('./pages/Cost')),
  alerts: lazy(() => import('./pages/Alerts')),
  audit: lazy(() => import('./pages/Audit')),
};

/** Parameters that follow the user from page to page. */
const GLOBAL_PARAMS = ['range', 'from', 'to'];

function LiveIndicator(): ReactNode {
  const live = useLive();
  const now = useNow(5000);
  const label = live.status === 'open' ? `Live${live.lastEventMs ? `, updated ${fmtAgo(live.lastEventMs, now)}` : ''}` : live.status === 'connecting' ? 'Connecting to the live feed…' : 'Live feed off';
  return (
    <span className={`live live-${live.status}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" /> {label}
    </span>
  );
}

export function App(): ReactNode {
  const qc = useQueryClient();
  const { route, setParams } = useRoute();
  const theme = useTheme();
  const session = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        return SessionInfo.parse(await request('session', { signOutOn401: false }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
  useEffect(
    () =>
      onUnauthorized(() => {
        stopLive();
        qc.setQueryData(['session'], null);
      }),
    [qc],
  );
  const signedIn = !!session.data;
  useEffect(() => {
    if (signedIn) startLive();
    return () => stopLive();
  }, [signedIn]);
  useEffect(() => {
    document.title = `${PAGE_LABELS[route.page]} · Switchyard`;
  }, [route.page]);

  if (session.isPending) return <p className="boot" role="status">Loading Switchyard…</p>;
  if (session.isError) return <p className="boot error" role="alert">{errorMessage(session.error)}</p>;
  if (!session.data || route.page === 'signin')
    return (
      <SignIn
        onSignedIn={(info) => {
          qc.setQueryData(['session'], info);
          if (route.page === 'signin') window.location.hash = route.params.next ?? '#/overview';
        }}
      />
    );

  const page = route.page as Page;
  const PageComponent = PAGE_COMPONENTS[page];
  const keep = Object.fromEntries(GLOBAL_PARAMS.flatMap((k) => (route.params[k] ? [[k, route.params[k]!]] : [])));
  const signOut = async (): Promise<void> => {
    await send('DELETE', 'session').catch(() => undefined);
    stopLive();
    // Drop everything the signed-in user loaded, but keep the observed session query so the shell re-renders.
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    qc.setQueryData(['session'], null);
  };
  return (
    <div className="shell">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <nav className="nav" aria-label="Pages">
        <div className="brand">Switchyard</div>
        <ul>
          {PAGES.map((p) => (
            <li key={p}>
              <a href={buildHash({ page: p, params: keep })} aria-current={p === page ? 'page' : undefined}>
                {PAGE_LABELS[p]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main-col">
        <header className="topbar">
          <h1>{PAGE_LABELS[page]}</h1>
          <RangePicker params={route.params} setParams={setParams} />
          <LiveIndicator />
          <button type="button" onClick={theme.cycle} aria-label={`Theme: ${theme.theme}. Change theme`} title="Change theme">
            {theme.theme === 'system' ? '◐ auto' : theme.theme === 'dark' ? '☾ dark' : '☀ light'}
          </button>
          <span className="whoami" title={`role ${session.data.role}`}>
            {session.data.name} · {session.data.role}
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<p className="muted" role="status">Loading page…</p>}>
            <PageComponent route={route} setParams={setParams} role={session.data.role} />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
