/**
 * The Prometheus registry behind GET /metrics (its own Registry, never prom-client's global one). Every family
 * reads the newest ClickHouse rows through the short cache of source.ts: in a collect() callback, or, for the
 * families with thousands of series, in the read() of a text family (text.ts, formatted without prom-client).
 * Labels are bounded: group, topic, queue, state, status, model, version, feature (of a training reference),
 * collector (and partition only while the partition count stays under `partitionSeriesLimit`).
 */
import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import type { Logger } from '@switchyard/telemetry/log';
import type { CollectorHealth } from '@switchyard/collectors/runtime/health';
import type { StoreError } from '@switchyard/store/types';
export type { CollectorHealth };
import { LIVE_WINDOW_MS, type LagRow, type MetricsSource } from './source';
import { TextRegistry, textFamily, type EmitSeries } from './text';


/** Statuses exported as one series each (1 for the current one). */
export const GROUP_STATUSES = ['OK', 'WARNING', 'STALLED', 'STOPPED', 'ERROR'] as const;
/** Buckets of switchyard_order_to_delivery_seconds: 5 s to an hour. */
export const DELIVERY_BUCKETS = [5, 10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600];
/** Buckets of switchyard_inference_latency_seconds: 0.5 ms to 2.5 s. */
export const INFERENCE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  source: MetricsSource;
  logger: Logger;
  now: () => number;
  /** Per-partition lag series only below this many partitions in all (default 200). */
  partitionSeriesLimit?: number;
  /** Collector health, when the process runs collectors (default none). */
  collectorHealth?: () => CollectorHealth[];
}

type BucketRow = {
  idx: number | string;
  n: number | string;
  total: number | string;
};

/** A histogram whose buckets come from ClickHouse rows (prom-client's Histogram only counts observations). */
function storeHistogram(name: string, help: string, buckets: number[], load: () => Promise<{ labels: Record<string, string>; rows: BucketRow[] }[]>) {
  return {
    name,
    help,
    reset: () => undefined,
    get: async () => {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const { labels, rows } of await load()) {
        const perIdx = new Map<number, number>();
        let count = 0;
        let sum = 0;
        for (const r of rows) {
          perIdx.set(Number(r.idx), (perIdx.get(Number(r.idx)) ?? 0) + Number(r.n));
          count += Number(r.n);
          sum += Number(r.total);
        }
        let cum = 0;
        buckets.forEach((le, i) => {
          cum += perIdx.get(i + 1) ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cum });
        });
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
        values.push({ metricName: `${name}_sum`, labels, value: Number.isFinite(sum) ? sum : 0 });
        values.push({ metricName: `${name}_count`, labels, value: count });
      }
      return { name, help, type: 'histogram' as const, values, aggregator: 'sum' as const };
    },
  };
}

/** Builds the registry. */
export function createMetricsRegistry(opts: MetricsRegistryOptions): Registry {
  const { source, logger } = opts;
  const registry = new TextRegistry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });
  // prom-client names these gauges *_total, which promtool rejects; the per-type gauges beside them stay.
  for (const m of registry.getMetricsAsArray()) {
    const meta = m as unknown as { name: string; type?: string };
    if (meta.name.endsWith('_total') && !(m instanceof Counter)) registry.removeSingleMetric(meta.name);
  }
  const limit = opts.partitionSeriesLimit ?? 200;
  const queryErrors = new Counter({ name: 'switchyard_metrics_query_errors_total', help: 'ClickHouse reads behind /metrics that failed, by family.', labelNames: ['family'], registers: [registry] });

  /** Runs a family's read; a failure leaves the family empty for this scrape and is counted, never thrown. */
  const safely = async <T>(family: string, read: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await read();
    } catch (err) {
      queryErrors.inc({ family });
      const code = (err as StoreError).code;
      // A table another collector has not created yet is expected on a fresh install.
      if (code === 'UNKNOWN_TABLE') logger.debug('metrics family has no table yet', { family });
      else logger.warn('metrics family read failed', { family, err });
      return [];
    }
  };

  /** Per-partition lag series only while the partitions of the newest sweeps are fewer than the limit. */
  const perPartition = new WeakMap<readonly LagRow[], boolean>();
  const lagSeries = (rows: readonly LagRow[], emit: EmitSeries, pick: (r: LagRow) => readonly (number | null)[], fold: (values: number[]) => number): void => {
    let each = perPartition.get(rows);
    if (each === undefined) perPartition.set(rows, (each = rows.reduce((n, r) => n + r.partitions.length, 0) < limit));
    for (const r of rows) {
      const values = pick(r);
      if (each) {
        r.partitions.forEach((p, i) => {
          const v = values[i];
          if (v !== null && v !== undefined) emit([r.group, r.topic, String(p)], v);
        });
      } else {
        const known = values.filter((v): v is number => v !== null);
        if (known.length > 0) emit([r.group, r.topic], fold(known));
      }
    }
  };
  const lagRows = (): Promise<LagRow[]> => safely('consumer_lag', source.lag);

  // The three families with a series per partition or per group and status are written as text: see text.ts.
  registry.registerMetric(
    textFamily({
      name: 'switchyard_consumer_lag_messages',
      help: `Messages behind the log end, per consumer group and topic (per partition while fewer than ${limit} partitions).`,
      labelNames: ['group', 'topic', 'partition'],
      read: lagRows,
      series: (rows, emit) => lagSeries(rows, emit, (r) => r.lag_messages, (v) => v.reduce((a, b) => a + b, 0)),
    }) as never,
  );
  registry.registerMetric(
    textFamily({
      name: 'switchyard_consumer_lag_seconds',
      help: 'Age of the oldest unconsumed message, per consumer group and topic (worst partition); absent when not probed.',
      labelNames: ['group', 'topic', 'partition'],
      read: lagRows,
      series: (rows, emit) => lagSeries(rows, emit, (r) => r.lag_seconds, (v) => Math.max(...v)),
    }) as never,
  );
  registry.registerMetric(
    textFamily({
      name: 'switchyard_consumer_group_status',
      help: `1 for the current status of each consumer group (${GROUP_STATUSES.join(', ')}), 0 for the others.`,
      labelNames: ['group', 'status'],
      read: async () => {
        const horizon = opts.now() - LIVE_WINDOW_MS;
        return (await safely('consumer_group_status', source.groups)).filter((g) => Date.parse(g.updatedAt) >= horizon);
      },
      series: (groups, emit) => {
        for (const g of groups) for (const s of GROUP_STATUSES) emit([g.group, s], g.status === s ? 1 : 0);
      },
    }) as never,
  );
  new Gauge({
    name: 'switchyard_queue_jobs',
    help: 'Jobs per BullMQ queue and state, at the latest sweep.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await safely('queue_depth', source.queues)) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
    },
  });
  const retries = source.cumulative<{ topic: string; n: string | number }>('metrics-retries', { key: (r) => r.topic, sum: ['n'] });
  new Counter({
    name: 'switchyard_retries_total',
    help: 'Messages sent to each consumer group\'s retry topic, as the tap stored them (counted from the first scrape over what retention kept).',
    labelNames: ['group'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await safely('events', retries)) this.inc({ group: r.topic.replace(/\.retry$/, '') }, Number(r.n));
    },
  });
  const deadLetters = source.family<{ topic: string; n: string }>('metrics-dead-letters');
  new Gauge({
    name: 'switchyard_dead_letters',
    help: 'Dead letters not yet redriven, per dead-letter topic (or queue, for failed BullMQ jobs).',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await safely('dead_letters', deadLetters)) this.set({ topic: r.topic }, Number(r.n));
    },
  });
  const delivery = source.cumulative<BucketRow>('metrics-delivery', { key: (r) => String(r.idx), sum: ['n', 'total'], params: () => ({ buckets: DELIVERY_BUCKETS }) });
  registry.registerMetric(
    storeHistogram('switchyard_order_to_delivery_seconds', 'Time from order creation to delivery (counted from the first scrape over the orders retention kept).', DELIVERY_BUCKETS, async () => [
      { labels: {}, rows: await safely('order_to_delivery', delivery) },
    ]) as never,
  );
  const latency = source.family<BucketRow & { model: string; model_version: string }>('metrics-inference-latency', () => ({ buckets: INFERENCE_BUCKETS }));
  registry.registerMetric(
    storeHistogram('switchyard_inference_latency_seconds', 'Model inference latency per model and version, within retention.', INFERENCE_BUCKETS, async () => {
      const by = new Map<string, { labels: Record<string, string>; rows: BucketRow[] }>();
      for (const r of await safely('inference', latency)) {
        const k = `${r.model}\u0000${r.model_version}`;
        const e = by.get(k) ?? { labels: { model: r.model, version: r.model_version }, rows: [] };
        e.rows.push(r);
        by.set(k, e);
      }
      return [...by.values()];
    }) as never,
  );
  const etaError = source.family<{ model: string; model_version: string; mae: number }>('metrics-inference-error', () => ({ since: new Date(opts.now() - 3_600_000) }));
  new Gauge({
    name: 'switchyard_inference_error_seconds',
    help: 'Mean absolute error of ETA predictions against actual delivery time over the last hour, per model and version.',
    labelNames: ['model', 'version'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await safely('inference_error', etaError)) if (Number.isFinite(Number(r.mae))) this.set({ model: r.model, version: r.model_version }, Number(r.mae) * 60);
    },
  });
  new Gauge({
    name: 'switchyard_inference_drift_psi',
    help: 'Population stability index of each model feature over the last hour against its training reference (0.1 a moderate shift, 0.25 drift); absent without values in the hour.',
    labelNames: ['model', 'version', 'feature'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of await safely('inference_drift', source.drift)) this.set({ model: d.model, version: d.version, feature: d.feature }, d.psi);
    },
  });
  const cost = source.family<{ usd: number | null; orders: string }>('metrics-cost', () => ({ since: new Date(opts.now() - 3_600_000) }));
  new Gauge({
    name: 'switchyard_cost_per_order_usd',
    help: 'Mean cost per order over the last hour, priced by the cost model in configuration.',
    registers: [registry],
    async collect() {
      this.reset();
      const [r] = await safely('cost', cost);
      if (r && Number(r.orders) > 0 && r.usd !== null) this.set(Number(r.usd));
    },
  });
  new Gauge({
    name: 'switchyard_collector_up',
    help: '1 when the collector\'s last run succeeded, 0 when it failed.',
    labelNames: ['collector'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of opts.collectorHealth?.() ?? []) this.set({ collector: c.collector }, c.up ? 1 : 0);
    },
  });
  new Counter({
    name: 'switchyard_collector_errors_total',
    help: 'Failed runs of each collector since it started.',
    labelNames: ['collector'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of opts.collectorHealth?.() ?? []) this.inc({ collector: c.collector }, c.errors);
    },
  });
  return registry;
}
