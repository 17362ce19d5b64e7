/**
 * Small hooks at the edge of the app: the route in the URL hash, the wall clock (the one place the console reads
 * it), the resolved time window, and the theme.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { buildHash, parseHash, withParams, type Route } from './shape/url';
import { resolveWindow, type TimeWindow } from './shape/time';

const subscribeHash = (cb: () => void): (() => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

/** The route, and functions to change it (`replace` keeps the history clean while typing in a filter). */
export function useRoute(): { route: Route; go: (r: Route) => void; setParams: (changes: Record<string, string | undefined>, replace?: boolean) => void } {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  const route = useMemo(() => parseHash(hash), [hash]);
  const go = useCallback((r: Route) => {
    window.location.hash = buildHash(r);
  }, []);
  const setParams = useCallback(
    (changes: Record<string, string | undefined>, replace = false) => {
      const next = buildHash(withParams(parseHash(window.location.hash), changes));
      if (replace) {
        window.history.replaceState(null, '', next);
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } else window.location.hash = next;
    },
    [],
  );
  return { route, go, setParams };
}

/** The wall clock, re-read every `everyMs` (default 1000). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
  return now;
}

/**
 * The page's time window. A live window's ends are rounded to `stepMs` (default 10 s) so query keys stay stable
 * between refreshes.
 */
export function useTimeWindow(params: Record<string, string>, stepMs = 10_000): TimeWindow {
  const now = useNow(stepMs);
  const rounded = Math.floor(now / stepMs) * stepMs;
  return useMemo(() => resolveWindow(params, rounded), [params, rounded]);
}

type Theme = 'light' | 'dark' | 'system';
const THEME_KEY = 'switchyard.theme';

/** The colour theme: follows prefers-color-scheme unless toggled (only the choice is stored, never a secret). */
export function useTheme(): { theme: Theme; resolved: 'light' | 'dark'; cycle: () => void } {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(THEME_KEY) as Theme | null) ?? 'system');
  const media = useMemo(() => window.matchMedia('(prefers-color-scheme: dark)'), []);
  const systemDark = useSyncExternalStore(
    (cb) => {
      media.addEventListener('change', cb);
      return () => media.removeEventListener('change', cb);
    },
    () => media.matches,
  );
  const resolved = theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme, resolved]);
  const cycle = useCallback(() => setTheme((t) => (t === 'system' ? 'light' : t === 'light' ? 'dark' : 'system')), []);
  return { theme, resolved, cycle };
}
