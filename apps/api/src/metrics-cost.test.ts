/**
 * switchyard_cost_per_order_usd on GET /metrics (queries/metrics-cost.sql) over crafted orders whose cost is worked
 * out by hand, and the CostPerOrderHigh rule of alerts/ firing on it. The SQL repeats the default unit prices of
 * collectors/cost, so the gauge is also checked against `costSummary` (a price changed on one side fails here).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { costSummary } from '@switchyard/collectors/cost';
import type { Api } from './app';
import { evaluateExpr, metricsFromRegistry } from './alerting/expr';
import { loadRules } from './alerting/rules';
import { openHarness, req, type Harness } from './testing';

let h: Harness;
let api: Api;
const NOW = Date.now();
const ago = (minutes: number): Date => new Date(NOW - minutes * 60_000);
let offset = 0;

const event = (orderId: string, type: string, bytes: number, minutesAgo: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  topic: 'orders', partition: 0, offset: offset++, key: orderId, event_id: `ev-${offset}`, type, version: 1, order_id: orderId, trace_id: '', span_id: '',
  causation_id: '', correlation_id: '', source: 'test', bytes, produced_at: ago(minutesAgo), tapped_at: ago(minutesAgo), headers: {}, payload: '{}',
  is_retry: false, is_dlq: false, replay_id: '', redrive_id: '', ...extra,
});
const span = (orderId: string, kind: string, durationMs: number, minutesAgo: number): Record<string, unknown> => ({
  trace_id: 'a'.repeat(32), span_id: `${offset++}`.padStart(16, '0'), parent_span_id: '', name: 'process orders', service: 'svc', kind,
  start: ago(minutesAgo), end: new Date(ago(minutesAgo).getTime() + durationMs), duration_ms: durationMs, status_code: 'ok', status_message: '',
  attributes: {}, links: [], order_id: orderId, event_id: '', causation_id: '', system: 'kafka', destination: 'orders',
});

beforeAll(async () => {
  h = await openHarness(inject('kafkaBrokers'), inject('redisUrl'));
  api = h.api();
  const s = h.store;
  const results = [
    await s.insert('events', [
      // Order A: created, reserved, authorised, and the authorisation once more from the retry topic.
      event('cost-a', 'OrderCreated', 300, 20),
      event('cost-a', 'InventoryReserved', 400, 19),
      event('cost-a', 'PaymentAuthorized', 250, 18),
      event('cost-a', 'PaymentAuthorized', 250, 17, { topic: 'payment-svc.retry', is_retry: true }),
      // Order B: created only.
      event('cost-b', 'OrderCreated', 200, 15),
      // Order C: two hours ago, outside the gauge's hour.
      event('cost-c', 'OrderCreated', 1000, 120),
    ]),
    await s.insert('queue_job_events', [
      { ts: ago(16), queue: 'dispatch', job_id: 'cj1', event: 'active', attempts: 0, wait_ms: null, processing_ms: null, failed_reason: '', order_id: 'cost-a' },
      { ts: ago(16), queue: 'dispatch', job_id: 'cj1', event: 'completed', attempts: 3, wait_ms: null, processing_ms: null, failed_reason: '', order_id: 'cost-a' },
    ]),
    await s.insert('spans', [
      span('cost-a', 'consumer', 7_200_000, 18), // two hours of consumer time: the spike
      span('cost-a', 'internal', 1_000, 18), // not consumer time
      span('cost-c', 'consumer', 5_000_000, 120),
    ]),
    await s.insert('inference', ['eta', 'fraud'].map((task) => ({
      ts: ago(18), task, model: task, model_version: '1.0.0', event_id: `inf-${task}`, order_id: 'cost-a', latency_ms: 2, prediction: 0.5, features: {}, categorical: {}, tapped_at: ago(18),
    }))),
  ];
  for (const r of results) expect(r.ok).toBe(true);
});

afterAll(async () => {
  await h?.close();
});

// By hand, at the default prices: 5 messages of 1400 bytes in all, 3 job runs (1 job + 2 retries), 7200 s of
// consumer time and 2 predictions, over the 2 orders created in the last hour.
const perByte = 0.00009 / 1e6 + (0.1 * 1) / 1e9;
const TOTAL = 5 * 0.0000004 + 1400 * perByte + 3 * 0.0000002 + 7200 * 0.0000166667 + 2 * 0.00001;
const EXPECTED = TOTAL / 2;

describe('switchyard_cost_per_order_usd', () => {
  it('shows the mean cost of the last hour\'s orders on /metrics, as costSummary prices it', async () => {
    const text = await (await req(api, 'GET', '/metrics')).text();
    const line = /^switchyard_cost_per_order_usd (\S+)$/m.exec(text);
    expect(line, 'the gauge is on /metrics').not.toBeNull();
    expect(Number(line![1])).toBeCloseTo(EXPECTED, 12);
    const summary = await costSummary(h.store, { from: ago(60), to: new Date(NOW + 60_000) });
    expect(summary.ordersCreated).toBe(2);
    expect(Number(line![1])).toBeCloseTo(summary.costPerOrder!, 12);
  });

  it('fires the CostPerOrderHigh rule of alerts/ on it', async () => {
    const rule = loadRules('alerts').find((r) => r.name === 'CostPerOrderHigh');
    expect(rule).toBeDefined();
    const res = await evaluateExpr(rule!, { store: h.store, metrics: metricsFromRegistry(api.registry) }, Date.now());
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(EXPECTED).toBeGreaterThan(0.05);
    expect(res.samples.map((s) => s.value)).toEqual([expect.closeTo(EXPECTED, 12)]);
  });
});
