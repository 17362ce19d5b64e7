/**
 * Read latency at scale: 10M `events` rows (plus the spans and dead letters those reads join or search, see
 * ./queries-data.ts) in a fresh embedded store, then the heaviest reads the API and console issue, each `iterations`
 * times after one untimed warm-up run, through the same functions and SQL files the API uses:
 *
 * - order-trace: GET /orders/{id}/trace (collectors/traces getOrderTrace: traces by order, spans, causation stitching)
 * - order-cost: GET /orders/{id}/cost (collectors/cost costPerOrder: events FINAL by order id, spans, jobs, inference)
 * - cost-24h: GET /cost over the default 24 h in 1 h buckets (costSummary: six queries, one joins events and spans)
 * - overview-rates / overview-delivery-1h / overview-delivery-24h: the console overview's per-stage rates (last
 *   minute) and order-to-delivery p50/p99 (default last hour, 60 s buckets; and the whole day in 1 h buckets)
 * - dlq-search-text / dlq-search-order: the DLQ browser searching error text, and an order id, first page of 50
 * - metrics-delivery / metrics-retries: the /metrics counters' reads, first (everything stored) and per scrape
 *   (the 15 s tapped since the previous one)
 * - replay-topic-stats: the replay preview's size estimate for the busiest topic
 *
 * Order ids are drawn at random per run. Needs no broker. Figures for BENCHMARKS.md; no assertions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@switchyard/store';
import { getOrderTrace } from '../../collectors/traces/trace-query';
import { costPerOrder, costSummary } from '../../collectors/cost/cost';
import { searchDeadLetters } from '../../collectors/dlq/search';
import { generateHistory } from './queries-data';
import { percentile, round } from './bench-kit';

/** Options of {@link runQueriesBench}. */
export interface QueriesBenchOptions {
  /** Event rows to generate (default 10000000; 50 per order, so 200k orders). */
  events?: number;
  /** Dead letters to generate (default 100000). */
  deadLetters?: number;
  /** Timed runs per query (default 20; `BENCH_QUERY_RUNS` through run.ts). */
  iterations?: number;
  /** Stop a query's runs early once they have taken this long in total (default 8000 ms): bounds the bench. */
  budgetMsPerQuery?: number;
}

/** One query's figures. */
export interface QueryFigures {
  runs: number;
  /** The untimed warm-up run (first read of the columns: cold caches). */
  firstMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Figures of one run. */
export interface QueriesFigures {
  events: number;
  orders: number;
  spans: number;
  deadLetters: number;
  /** Seconds to generate the data (not part of any query figure). */
  generateSeconds: number;
  /** Active parts of `events` when the queries ran (FINAL merges across parts at read time). */
  eventParts: number;
  queries: Record<string, QueryFigures>;
  /** Queries whose p99 is at or above 200 ms (the target). */
  over200msP99: string[];
}

const sql = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

/** Runs the benchmark once. */
export async function runQueriesBench(opts: QueriesBenchOptions = {}): Promise<QueriesFigures> {
  const nEvents = opts.events ?? 10_000_000;
  const iterations = opts.iterations ?? 20;
  const budget = opts.budgetMsPerQuery ?? 8000;
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-queries-'));
  const store = await openStore({ dataDir, database: 'bench' });
  try {
    const endMs = Date.now();
    const g0 = performance.now();
    const { orders } = await generateHistory(store, { events: nEvents, deadLetters: opts.deadLetters ?? 100_000, endMs });
    const generateSeconds = round((performance.now() - g0) / 1000, 1);
    const count = async (q: string): Promise<number> => Number((await store.query<{ c: string }>(q))[0]?.c);

    const order = (): string => `ord-${Math.floor(Math.random() * orders)}`;
    const now = new Date(endMs);
    const ago = (ms: number): Date => new Date(endMs - ms);
    const RATES = sql('../../apps/api/src/handlers/sql/overview-rates.sql');
    const DELIVERY = sql('../../apps/api/src/handlers/sql/overview-delivery.sql');
    const METRICS_DELIVERY = sql('../../apps/api/src/queries/metrics-delivery.sql');
    const METRICS_RETRIES = sql('../../apps/api/src/queries/metrics-retries.sql');
    const TOPIC_STATS = sql('../../apps/api/src/actions/topic-stats.sql');
    const stageTopics = ['orders', 'inventory', 'payments', 'eta', 'kitchen', 'dispatch', 'delivery', 'notifications'];
    const services = ['intake', 'inventory-svc', 'payment-svc', 'eta-svc', 'kitchen-svc', 'dispatch-svc', 'tracking-svc', 'notifier-svc'];
    const buckets = [60, 300, 600, 900, 1200, 1800, 2700, 3600];

    const reads: Record<string, (s: Store) => Promise<unknown>> = {
      'order-trace': (s) => getOrderTrace(s, order()),
      'order-cost': (s) => costPerOrder(s, order()),
      'cost-24h': (s) => costSummary(s, { from: ago(86_400_000), to: now, bucket: 3600 }),
      'overview-rates': (s) => s.query(RATES, { since: ago(60_000), topics: [...stageTopics, ...stageTopics.map((t) => `${t}.retry`)], sources: services }),
      'overview-delivery-1h': (s) => s.query(DELIVERY, { from: ago(3_600_000), to: now, bucket: 60 }),
      'overview-delivery-24h': (s) => s.query(DELIVERY, { from: ago(86_400_000), to: now, bucket: 3600 }),
      'dlq-search-text': (s) => searchDeadLetters(s, { q: 'timed out', from: ago(86_400_000), to: now, limit: 50 }),
      'dlq-search-order': (s) => searchDeadLetters(s, { q: order(), from: ago(86_400_000), to: now, limit: 50 }),
      // The first scrape of an API process reads everything stored; every later one only the window since the
      // previous scrape (15 s here, Prometheus's default interval), through the tapped_at skip index.
      'metrics-delivery-first': (s) => s.query(METRICS_DELIVERY, { buckets, after: new Date(0), upto: ago(10_000) }),
      'metrics-delivery-scrape': (s) => s.query(METRICS_DELIVERY, { buckets, after: ago(25_000), upto: ago(10_000) }),
      'metrics-retries-first': (s) => s.query(METRICS_RETRIES, { after: new Date(0), upto: ago(10_000) }),
      'metrics-retries-scrape': (s) => s.query(METRICS_RETRIES, { after: ago(25_000), upto: ago(10_000) }),
      'replay-topic-stats': (s) => s.query(TOPIC_STATS, { topic: 'delivery' }),
    };

    const eventParts = await count("SELECT count() AS c FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active");
    const queries: Record<string, QueryFigures> = {};
    for (const [name, read] of Object.entries(reads)) {
      let t = performance.now();
      await read(store);
      const firstMs = performance.now() - t;
      const times: number[] = [];
      let spent = 0;
      while (times.length < iterations && (spent < budget || times.length < 3)) {
        t = performance.now();
        await read(store);
        const ms = performance.now() - t;
        times.push(ms);
        spent += ms;
      }
      times.sort((a, b) => a - b);
      queries[name] = { runs: times.length, firstMs: round(firstMs, 1), p50Ms: round(percentile(times, 50), 1), p99Ms: round(percentile(times, 99), 1), maxMs: round(times[times.length - 1]!, 1) };
    }
    return {
      events: await count('SELECT count() AS c FROM events'),
      orders,
      spans: await count('SELECT count() AS c FROM spans'),
      deadLetters: await count('SELECT count() AS c FROM dead_letters'),
      generateSeconds,
      eventParts,
      queries,
      over200msP99: Object.entries(queries).filter(([, q]) => q.p99Ms >= 200).map(([n]) => n),
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
