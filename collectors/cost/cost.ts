/**
 * Cost: what each order fanned out to (messages, bytes, jobs, retries, dead letters, consumer time, predictions),
 * priced by the cost model. Usage is read with the SQL beside this file; pricing is the pure {@link priceUsage}.
 */
import type { Store } from '@switchyard/store';
import { DEFAULT_COST_MODEL, type CostModel } from './cost-model';
import { loadSql } from './sql';

const Q = {
  orderMessages: loadSql('order-messages'),
  orderJobs: loadSql('order-jobs'),
  orderCompute: loadSql('order-compute'),
  orderInferences: loadSql('order-inferences'),
  messages: loadSql('summary-messages'),
  jobs: loadSql('summary-jobs'),
  compute: loadSql('summary-compute'),
  inferences: loadSql('summary-inferences'),
  byType: loadSql('by-type'),
  byService: loadSql('by-service'),
};

/** What was used. Retry and replay figures are parts of the totals, not additions to them. */
export interface Usage {
  /** Kafka messages, every copy (originals, retries, dead letters, replays, redrives). */
  messages: number;
  bytes: number;
  retryMessages: number;
  retryBytes: number;
  replayMessages: number;
  replayBytes: number;
  /** Dead-letter messages plus jobs that ended in the failed set. */
  deadLetters: number;
  /** Distinct BullMQ jobs. */
  jobs: number;
  /** Extra job attempts (each job's attempts − 1). */
  jobRetries: number;
  /** Consumer span time, seconds. */
  computeSeconds: number;
  retryComputeSeconds: number;
  replayComputeSeconds: number;
  inferences: number;
}

/** Money per component, in the cost model's currency. `retries` and `replays` are shares of `total`. */
export interface CostBreakdown {
  messages: number;
  transfer: number;
  storage: number;
  jobs: number;
  compute: number;
  inferences: number;
  total: number;
  retries: number;
  replays: number;
}

const ZERO_USAGE: Usage = { messages: 0, bytes: 0, retryMessages: 0, retryBytes: 0, replayMessages: 0, replayBytes: 0, deadLetters: 0, jobs: 0, jobRetries: 0, computeSeconds: 0, retryComputeSeconds: 0, replayComputeSeconds: 0, inferences: 0 };

/** Prices usage (formulas in README.md). */
export function priceUsage(u: Usage, m: CostModel = DEFAULT_COST_MODEL): CostBreakdown {
  const perByte = m.perMbTransferred / 1e6 + (m.perGbMonth * m.storageMonths) / 1e9;
  const c = {
    messages: u.messages * m.perMessage,
    transfer: (u.bytes / 1e6) * m.perMbTransferred,
    storage: (u.bytes / 1e9) * m.perGbMonth * m.storageMonths,
    jobs: (u.jobs + u.jobRetries) * m.perJob,
    compute: u.computeSeconds * m.perComputeSecond,
    inferences: u.inferences * m.perInference,
  };
  return {
    ...c,
    total: c.messages + c.transfer + c.storage + c.jobs + c.compute + c.inferences,
    retries: u.retryMessages * m.perMessage + u.retryBytes * perByte + u.jobRetries * m.perJob + u.retryComputeSeconds * m.perComputeSecond,
    replays: u.replayMessages * m.perMessage + u.replayBytes * perByte + u.replayComputeSeconds * m.perComputeSecond,
  };
}

type Row = Record<string, string | number | null>;
const n = (r: Row | undefined, k: string): number => Number(r?.[k] ?? 0) || 0;

function usageOf(msg: Row | undefined, jobs: Row | undefined, compute: Row | undefined, inf: Row | undefined): Usage {
  return {
    messages: n(msg, 'messages'),
    bytes: n(msg, 'total_bytes'),
    retryMessages: n(msg, 'retry_messages'),
    retryBytes: n(msg, 'retry_bytes'),
    replayMessages: n(msg, 'replay_messages'),
    replayBytes: n(msg, 'replay_bytes'),
    deadLetters: n(msg, 'dlq_messages') + n(jobs, 'failed_jobs'),
    jobs: n(jobs, 'jobs'),
    jobRetries: n(jobs, 'job_retries'),
    computeSeconds: n(compute, 'compute_s'),
    retryComputeSeconds: n(compute, 'retry_compute_s'),
    replayComputeSeconds: n(compute, 'replay_compute_s'),
    inferences: n(inf, 'inferences'),
  };
}

/** One order's usage and cost. */
export interface OrderCost {
  orderId: string;
  currency: string;
  usage: Usage;
  cost: CostBreakdown;
}

/** Everything `orderId` fanned out to, priced. An unknown order costs zero. */
export async function costPerOrder(store: Store, orderId: string, model: CostModel = DEFAULT_COST_MODEL): Promise<OrderCost> {
  const p = { order_id: orderId };
  const [msg, jobs, compute, inf] = await Promise.all([
    store.query<Row>(Q.orderMessages, p),
    store.query<Row>(Q.orderJobs, p),
    store.query<Row>(Q.orderCompute, p),
    store.query<Row>(Q.orderInferences, p),
  ]);
  const usage = usageOf(msg[0], jobs[0], compute[0], inf[0]);
  return { orderId, currency: model.currency, usage, cost: priceUsage(usage, model) };
}

/** Options of {@link costSummary}. */
export interface CostSummaryOptions {
  from: Date;
  to: Date;
  /** Bucket width in seconds (default 3600). */
  bucket?: number;
  /** Prices (default {@link DEFAULT_COST_MODEL}). */
  model?: CostModel;
}

/** One time bucket. `costPerOrder` is null when no order was created in the bucket. */
export interface CostBucket {
  /** ISO start of the bucket. */
  start: string;
  ordersCreated: number;
  usage: Usage;
  cost: CostBreakdown;
  costPerOrder: number | null;
}

/** Cost over a window. */
export interface CostSummary {
  currency: string;
  from: string;
  to: string;
  ordersCreated: number;
  usage: Usage;
  cost: CostBreakdown;
  /** Total cost / orders created (null without orders). */
  costPerOrder: number | null;
  /** Messages other than the OrderCreated originals, per order created (null without orders). */
  fanOut: number | null;
  /** Shares of the total spent on retries and on replays (0..1; null when nothing was spent). */
  retryShare: number | null;
  replayShare: number | null;
  buckets: CostBucket[];
  /** Messages, bytes, handling time and their cost per event type. */
  byEventType: { type: string; messages: number; bytes: number; computeSeconds: number; cost: number }[];
  /** Messages produced, consumer time and their cost per service. */
  byService: { service: string; messages: number; bytes: number; computeSeconds: number; cost: number }[];
}

const isoOf = (chTime: string): string => new Date(chTime.replace(' ', 'T') + 'Z').toISOString();

/** Cost per order over time, per event type and per service; fan-out; retry and replay shares. */
export async function costSummary(store: Store, opts: CostSummaryOptions): Promise<CostSummary> {
  const model = opts.model ?? DEFAULT_COST_MODEL;
  const p = { from: opts.from, to: opts.to, bucket: Math.max(1, Math.round(opts.bucket ?? 3600)) };
  const [msgs, jobs, compute, inf, types, services] = await Promise.all([
    store.query<Row>(Q.messages, p),
    store.query<Row>(Q.jobs, p),
    store.query<Row>(Q.compute, p),
    store.query<Row>(Q.inferences, p),
    store.query<Row>(Q.byType, p),
    store.query<Row>(Q.byService, p),
  ]);
  const keys = [...new Set([...msgs, ...jobs, ...compute, ...inf].map((r) => String(r.bucket)))].sort();
  const at = (rows: Row[], k: string): Row | undefined => rows.find((r) => String(r.bucket) === k);
  const buckets: CostBucket[] = keys.map((k) => {
    const usage = usageOf(at(msgs, k), at(jobs, k), at(compute, k), at(inf, k));
    const cost = priceUsage(usage, model);
    const ordersCreated = n(at(msgs, k), 'orders_created');
    return { start: isoOf(k), ordersCreated, usage, cost, costPerOrder: ordersCreated ? cost.total / ordersCreated : null };
  });
  const usage = buckets.reduce<Usage>((acc, b) => {
    const out = { ...acc };
    for (const key of Object.keys(acc) as (keyof Usage)[]) out[key] = acc[key] + b.usage[key];
    return out;
  }, ZERO_USAGE);
  const cost = priceUsage(usage, model);
  const ordersCreated = buckets.reduce((s, b) => s + b.ordersCreated, 0);
  const msgCost = (messages: number, bytes: number): number => priceUsage({ ...ZERO_USAGE, messages, bytes }, model).total;
  return {
    currency: model.currency,
    from: opts.from.toISOString(),
    to: opts.to.toISOString(),
    ordersCreated,
    usage,
    cost,
    costPerOrder: ordersCreated ? cost.total / ordersCreated : null,
    fanOut: ordersCreated ? (usage.messages - ordersCreated) / ordersCreated : null,
    retryShare: cost.total ? cost.retries / cost.total : null,
    replayShare: cost.total ? cost.replays / cost.total : null,
    buckets,
    byEventType: types.map((r) => ({
      type: String(r.type),
      messages: n(r, 'messages'),
      bytes: n(r, 'bytes'),
      computeSeconds: n(r, 'compute_s'),
      cost: msgCost(n(r, 'messages'), n(r, 'bytes')) + n(r, 'compute_s') * model.perComputeSecond,
    })),
    byService: services.map((r) => ({
      service: String(r.service),
      messages: n(r, 'messages'),
      bytes: n(r, 'bytes'),
      computeSeconds: n(r, 'compute_s'),
      cost: msgCost(n(r, 'messages'), n(r, 'bytes')) + n(r, 'compute_s') * model.perComputeSecond,
    })),
  };
}
