/**
 * Cost page shaping. Reads the collectors' CostSummary (`buckets`, `byService`, `byEventType`, `fanOut`,
 * `retryShare`, `replayShare`, `costPerOrder`) leniently: missing parts become empty series, never a crash.
 */
import { toMs } from './time';

/** What the cost page draws. */
export interface CostView {
  currency: string;
  costPerOrder: number | null;
  fanOut: number | null;
  retryShare: number | null;
  replayShare: number | null;
  ordersCreated: number | null;
  total: number | null;
  /** Cost per order over time, plus the retry and replay parts of each bucket's cost per order. */
  overTime: { t: number; perOrder: number | null; retries: number | null; replays: number | null }[];
  byService: { name: string; cost: number; messages: number }[];
  byEventType: { name: string; cost: number; messages: number }[];
}

type O = Record<string, unknown>;
const obj = (v: unknown): O => (v && typeof v === 'object' && !Array.isArray(v) ? (v as O) : {});
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const rows = (v: unknown): O[] => (Array.isArray(v) ? v.map(obj) : []);

/** Shapes a cost response; `nowMs` drops buckets in the future (an unfinished bucket is kept). */
export function toCostView(body: unknown, nowMs: number): CostView {
  const b = obj(body);
  const cost = obj(b.cost);
  const overTime = rows(b.buckets ?? b.series)
    .map((r) => {
      const c = obj(r.cost);
      const orders = n(r.ordersCreated);
      const per = n(r.costPerOrder);
      const part = (v: unknown): number | null => (orders && n(v) !== null ? (n(v) as number) / orders : null);
      return { t: toMs(r.start ?? r.at ?? r.t), perOrder: per, retries: part(c.retries), replays: part(c.replays) };
    })
    .filter((r) => Number.isFinite(r.t) && r.t <= nowMs)
    .sort((a, b2) => a.t - b2.t);
  const named = (list: unknown, key: string): CostView['byService'] =>
    rows(list)
      .map((r) => ({ name: String(r[key] ?? r.name ?? '?'), cost: n(r.cost) ?? 0, messages: n(r.messages) ?? 0 }))
      .sort((a, b2) => b2.cost - a.cost);
  return {
    currency: typeof b.currency === 'string' ? b.currency : 'USD',
    costPerOrder: n(b.costPerOrder),
    fanOut: n(b.fanOut),
    retryShare: n(b.retryShare),
    replayShare: n(b.replayShare),
    ordersCreated: n(b.ordersCreated),
    total: n(cost.total),
    overTime,
    byService: named(b.byService, 'service'),
    byEventType: named(b.byEventType ?? b.byType, 'type'),
  };
}

/** A currency code as a prefix for {@link fmtCost}. */
export function currencySymbol(code: string): string {
  return ({ USD: '$', EUR: '€', GBP: '£' } as Record<string, string>)[code] ?? `${code} `;
}
