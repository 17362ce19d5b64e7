/**
 * Page state lives in the URL hash (`#/groups?group=payment-svc&range=1h`), so a link pasted in an incident
 * channel opens the same view, and any static server can serve the console (no history fallback needed).
 */

/** Every page of the console, in navigation order. */
export const PAGES = ['overview', 'groups', 'queues', 'dlq', 'replay', 'throttles', 'order', 'inference', 'cost', 'alerts', 'audit'] as const;
export type Page = (typeof PAGES)[number];

/** Navigation labels. */
export const PAGE_LABELS: Record<Page | 'signin', string> = {
  overview: 'Overview',
  groups: 'Consumer groups',
  queues: 'Queues',
  dlq: 'Dead letters',
  replay: 'Replay',
  throttles: 'Throttles',
  order: 'Order',
  inference: 'Inference',
  cost: 'Cost',
  alerts: 'Alerts',
  audit: 'Audit',
  signin: 'Sign in',
};

/** A parsed location: the page and its parameters. */
export interface Route {
  page: Page | 'signin';
  params: Record<string, string>;
}

const isPage = (p: string): p is Page | 'signin' => p === 'signin' || (PAGES as readonly string[]).includes(p);

/** Parses `#/page?k=v`; anything unknown is the overview. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = decodeURIComponent(q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '');
  const params: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) params[k] = v;
  return { page: isPage(path) ? path : 'overview', params };
}

/** Builds `#/page?k=v` (empty values left out, keys sorted so equal states give equal links). */
export function buildHash(route: Route): string {
  const qs = new URLSearchParams();
  for (const k of Object.keys(route.params).sort()) {
    const v = route.params[k];
    if (v !== undefined && v !== '') qs.set(k, v);
  }
  const s = qs.toString();
  return `#/${route.page}${s ? `?${s}` : ''}`;
}

/** A route with some parameters changed (`undefined` or '' removes one). */
export function withParams(route: Route, changes: Record<string, string | undefined>): Route {
  const params = { ...route.params };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') delete params[k];
    else params[k] = v;
  }
  return { page: route.page, params };
}
