/**
 * The /metrics registry: the families written as text read exactly as prom-client would write them (escaping,
 * omitted labels, the partition limit), and switchyard_inference_drift_psi over a real embedded store.
 */
import { loadReferences } from '@switchyard/collectors/inference';
import { psiFromCounts, type NumericReference } from '@switchyard/ml';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedStore } from '@switchyard/store';
import { openTestStore, quietLogger } from '../alerting/testkit';
import { createMetricsRegistry } from './registry';
import { createMetricsSource, type LagRow, type MetricsSource } from './source';

// Near the real time: rows older than the tables' retention would be dropped.
const NOW = Date.now();
const clock = { now: () => NOW };

function stubSource(lag: LagRow[]): MetricsSource {
  return {
    groups: async () => [
      { group: 'fresh', status: 'STALLED', lagMessages: 1, lagSeconds: 1, topics: ['t'], partitions: 1, reason: '', updatedAt: new Date(NOW - 1000).toISOString() },
      { group: 'gone', status: 'OK', lagMessages: 1, lagSeconds: 1, topics: ['t'], partitions: 1, reason: '', updatedAt: new Date(NOW - 3_600_000).toISOString() },
    ],
    lag: async () => lag,
    queues: async () => [],
    drift: async () => [],
    family: () => async () => [],
    cumulative: () => async () => [],
  };
}

const lines = (text: string, name: string): string[] => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('text families', () => {
  const odd = 'pay\\ments "eu"\nblue';
  const lag: LagRow[] = [
    { group: odd, topic: 'orders', partitions: [0, 1], lag_messages: [5, 7], lag_seconds: [1.5, null] },
    { group: 'b', topic: 'orders', partitions: [3], lag_messages: [2], lag_seconds: [null] },
  ];

  it('write the lines prom-client writes for the same series, escaping included', async () => {
    const text = await createMetricsRegistry({ source: stubSource(lag), logger: quietLogger, now: clock.now, partitionSeriesLimit: 10 }).metrics();
    const reference = new Registry();
    const messages = new Gauge({ name: 'switchyard_consumer_lag_messages', help: 'h', labelNames: ['group', 'topic', 'partition'], registers: [reference] });
    const seconds = new Gauge({ name: 'switchyard_consumer_lag_seconds', help: 'h', labelNames: ['group', 'topic', 'partition'], registers: [reference] });
    const status = new Gauge({ name: 'switchyard_consumer_group_status', help: 'h', labelNames: ['group', 'status'], registers: [reference] });
    messages.set({ group: odd, topic: 'orders', partition: '0' }, 5);
    messages.set({ group: odd, topic: 'orders', partition: '1' }, 7);
    messages.set({ group: 'b', topic: 'orders', partition: '3' }, 2);
    seconds.set({ group: odd, topic: 'orders', partition: '0' }, 1.5);
    for (const s of ['OK', 'WARNING', 'STALLED', 'STOPPED', 'ERROR']) status.set({ group: 'fresh', status: s }, s === 'STALLED' ? 1 : 0);
    const expected = await reference.metrics();
    for (const name of ['switchyard_consumer_lag_messages', 'switchyard_consumer_lag_seconds', 'switchyard_consumer_group_status']) {
      expect(lines(text, name), name).toEqual(lines(expected, name));
    }
    expect(text).toContain('switchyard_consumer_lag_messages{group="pay\\\\ments \\"eu\\"\\nblue",topic="orders",partition="1"} 7');
    expect(text).toMatch(/# HELP switchyard_consumer_lag_messages .*\n# TYPE switchyard_consumer_lag_messages gauge\n/);
  });

  it('sum per group and topic from the partition limit on, and answer get() with the same series', async () => {
    const registry = createMetricsRegistry({ source: stubSource(lag), logger: quietLogger, now: clock.now, partitionSeriesLimit: 3 });
    const text = await registry.metrics();
    expect(lines(text, 'switchyard_consumer_lag_messages')).toEqual([`switchyard_consumer_lag_messages{group="${odd.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}",topic="orders"} 12`, 'switchyard_consumer_lag_messages{group="b",topic="orders"} 2']);
    expect(lines(text, 'switchyard_consumer_lag_seconds')).toHaveLength(1);
    const metric = registry.getSingleMetric('switchyard_consumer_lag_messages') as unknown as { get(): Promise<{ values: { labels: Record<string, string>; value: number }[] }> };
    expect((await metric.get()).values).toEqual([
      { labels: { group: odd, topic: 'orders' }, value: 12 },
      { labels: { group: 'b', topic: 'orders' }, value: 2 },
    ]);
  });
});

describe('switchyard_inference_drift_psi', () => {
  let store: OpenedStore;
  let dispose: () => Promise<void>;
  const ref = loadReferences()['eta@1.0.0']?.distanceKm as NumericReference;

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore());
    const row = (i: number, minutesAgo: number, distanceKm: number) => ({
      ts: new Date(NOW - minutesAgo * 60_000), task: 'eta', model: 'eta', model_version: '1.0.0', event_id: `e${i}`, order_id: `o${i}`, latency_ms: 2, prediction: 20,
      features: { distanceKm }, categorical: {}, tapped_at: new Date(NOW - minutesAgo * 60_000),
    });
    const below = (ref.edges[0] ?? 0) - 1;
    const above = (ref.edges.at(-1) ?? 0) + 1;
    // 40 in the hour, all in the first bin; 40 older, all in the last bin, outside the window.
    const r = await store.insert('inference', [...Array.from({ length: 40 }, (_, i) => row(i, 10, below)), ...Array.from({ length: 40 }, (_, i) => row(100 + i, 90, above))]);
    expect(r.ok).toBe(true);
  });
  afterAll(async () => dispose?.());

  it('exports the PSI of each feature with values in the last hour, against the version\'s training reference', async () => {
    const registry = createMetricsRegistry({ source: createMetricsSource(store, clock, 0), logger: quietLogger, now: clock.now });
    const text = await registry.metrics();
    const counts = ref.proportions.map((_, i) => (i === 0 ? 40 : 0));
    const series = lines(text, 'switchyard_inference_drift_psi');
    expect(series).toEqual([`switchyard_inference_drift_psi{model="eta",version="1.0.0",feature="distanceKm"} ${psiFromCounts(ref, counts)}`]);
    expect(psiFromCounts(ref, counts)).toBeGreaterThan(0.25);
  });
});
