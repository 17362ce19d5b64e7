import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@switchyard/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costPerOrder, costSummary, CostModelError, DEFAULT_COST_MODEL, parseCostModel } from './index';

let dir: string;
let store: Store;
// Recent times: the tables' TTL drops rows older than the retention.
const HOUR = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const at = (sec: number): Date => new Date(HOUR + sec * 1000);
let offset = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-cost-'));
  store = await openStore({ dataDir: dir, database: 'cost_t' });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function ev(orderId: string, type: string, topic: string, bytes: number, sec: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const id = randomUUID();
  return {
    topic, partition: 0, offset: offset++, key: orderId, event_id: id, type, version: 1, order_id: orderId, trace_id: '', span_id: '', causation_id: '', correlation_id: id,
    source: `${topic}-svc`, bytes, produced_at: at(sec), tapped_at: at(sec), headers: {}, payload: '{}', is_retry: false, is_dlq: false, replay_id: '', redrive_id: '', ...extra,
  };
}

function span(orderId: string, kind: string, service: string, ms: number, sec: number, destination = '', attributes: Record<string, string> = {}): Record<string, unknown> {
  const start = at(sec);
  return {
    trace_id: randomUUID().replaceAll('-', ''), span_id: randomUUID().slice(0, 16), parent_span_id: '', name: 'x', service, kind,
    start: start.toISOString().replace('T', ' ').replace('Z', ''), end: new Date(start.getTime() + ms).toISOString().replace('T', ' ').replace('Z', ''),
    duration_ms: ms, status_code: 'ok', status_message: '', attributes, links: [], order_id: orderId, event_id: '', causation_id: '', system: 'kafka', destination,
  };
}

const job = (orderId: string, queue: string, jobId: string, event: string, attempts: number, sec: number): Record<string, unknown> =>
  ({ ts: at(sec), queue, job_id: jobId, event, attempts, wait_ms: null, processing_ms: null, failed_reason: '', order_id: orderId });

describe('cost', () => {
  it('cost per order equals a hand computation for a crafted order', async () => {
    const created = ev('c-o1', 'OrderCreated', 'orders', 300, 10);
    const payment = ev('c-o1', 'PaymentAuthorized', 'payments', 250, 30);
    const eta = ev('c-o1', 'EtaPredicted', 'eta', 600, 40);
    const rows = [
      created,
      { ...created, tapped_at: at(11) }, // stored twice by the tap: one message
      ev('c-o1', 'InventoryReserved', 'inventory', 400, 20),
      ev('c-o1', 'FraudScored', 'payments', 500, 25),
      payment,
      { ...payment, topic: 'payment-svc.retry', offset: offset++, is_retry: true },
      eta,
      { ...eta, offset: offset++, replay_id: 'rp-1', produced_at: at(50), tapped_at: at(50) },
      ev('c-o1', 'CustomerNotified', 'notifier-svc.dlq', 350, 60, { is_dlq: true }),
      ev('c-o2', 'OrderCreated', 'orders', 999, 70),
    ];
    expect((await store.insert('events', rows)).ok).toBe(true);
    expect(
      (await store.insert('queue_job_events', [
        job('c-o1', 'dispatch', 'j1', 'added', 0, 41), job('c-o1', 'dispatch', 'j1', 'active', 0, 42), job('c-o1', 'dispatch', 'j1', 'completed', 3, 45),
        job('c-o1', 'notifications', 'j2', 'active', 0, 55), job('c-o1', 'notifications', 'j2', 'failed', 5, 58),
        job('c-o2', 'dispatch', 'j3', 'completed', 1, 75),
      ])).ok,
    ).toBe(true);
    expect(
      (await store.insert('spans', [
        span('c-o1', 'consumer', 'inventory-svc', 120, 21, 'orders'),
        span('c-o1', 'consumer', 'payment-svc', 80, 26, 'inventory'),
        span('c-o1', 'consumer', 'payment-svc', 40, 31, 'payment-svc.retry'),
        span('c-o1', 'consumer', 'kitchen-svc', 200, 51, 'eta', { 'switchyard.replay_id': 'rp-1' }),
        span('c-o1', 'internal', 'kitchen-svc', 500, 51),
        span('c-o1', 'producer', 'order-api', 5, 10, 'orders'),
        span('c-o2', 'consumer', 'inventory-svc', 1000, 71, 'orders'),
      ])).ok,
    ).toBe(true);
    const inf = { ts: at(40), task: 'eta', model: 'eta', model_version: '1.0.0', event_id: 'e1', order_id: 'c-o1', latency_ms: 3, prediction: 30, features: {}, categorical: {}, tapped_at: at(40) };
    expect((await store.insert('inference', [inf, { ...inf, tapped_at: at(41) }, { ...inf, task: 'fraud', model: 'fraud', event_id: 'e2' }])).ok).toBe(true);

    const m = DEFAULT_COST_MODEL;
    const c = await costPerOrder(store, 'c-o1');
    expect(c.usage).toEqual({
      messages: 8, bytes: 300 + 400 + 500 + 250 + 250 + 600 + 600 + 350,
      retryMessages: 1, retryBytes: 250, replayMessages: 1, replayBytes: 600,
      deadLetters: 2, jobs: 2, jobRetries: 2 + 4,
      computeSeconds: 0.44, retryComputeSeconds: 0.04, replayComputeSeconds: 0.2, inferences: 2,
    });
    // By hand, from the unit prices.
    const bytes = 3250;
    const byteRate = m.perMbTransferred / 1e6 + (m.perGbMonth * m.storageMonths) / 1e9;
    const expected = 8 * m.perMessage + bytes * byteRate + (2 + 6) * m.perJob + 0.44 * m.perComputeSecond + 2 * m.perInference;
    expect(c.cost.total).toBeCloseTo(expected, 15);
    expect(c.cost.retries).toBeCloseTo(1 * m.perMessage + 250 * byteRate + 6 * m.perJob + 0.04 * m.perComputeSecond, 15);
    expect(c.cost.replays).toBeCloseTo(1 * m.perMessage + 600 * byteRate + 0.2 * m.perComputeSecond, 15);
    // Custom prices: only messages cost.
    const priced = await costPerOrder(store, 'c-o1', parseCostModel({ perMessage: 1, perGbMonth: 0, perMbTransferred: 0, perJob: 0, perComputeSecond: 0, perInference: 0 }));
    expect(priced.cost.total).toBe(8);
    expect((await costPerOrder(store, 'nobody')).cost.total).toBe(0);

    const s = await costSummary(store, { from: at(0), to: at(3600), bucket: 60 });
    const o2 = await costPerOrder(store, 'c-o2');
    expect(s.ordersCreated).toBe(2);
    expect(s.usage.messages).toBe(9);
    expect(s.cost.total).toBeCloseTo(c.cost.total + o2.cost.total, 15);
    expect(s.costPerOrder).toBeCloseTo((c.cost.total + o2.cost.total) / 2, 15);
    expect(s.fanOut).toBe((9 - 2) / 2);
    expect(s.retryShare).toBeCloseTo(c.cost.retries / s.cost.total, 12);
    expect(s.replayShare).toBeCloseTo(c.cost.replays / s.cost.total, 12);
    expect(s.buckets.map((b) => [b.start, b.ordersCreated])).toEqual([[at(0).toISOString(), 1], [at(60).toISOString(), 1]]);
    expect(s.byEventType.find((t) => t.type === 'PaymentAuthorized')).toMatchObject({ messages: 2, bytes: 500 });
    expect(s.byService.find((x) => x.service === 'payment-svc')).toMatchObject({ messages: 0, computeSeconds: 0.12 });
    expect(s.byService.find((x) => x.service === 'orders-svc')).toMatchObject({ messages: 2, bytes: 300 + 999 });
  });

  it('rejects a cost model that does not validate, naming the key', () => {
    expect(() => parseCostModel({ perMessage: -1 })).toThrow(CostModelError);
    expect(() => parseCostModel({ perMesage: 1 })).toThrow(/perMesage/);
    expect(parseCostModel({ perJob: 0.5 })).toMatchObject({ perJob: 0.5, perMessage: 0.0000004 });
  });
});
