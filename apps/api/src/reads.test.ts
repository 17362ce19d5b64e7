/**
 * Reads over seeded collector tables (consumer groups, queues) and GET /metrics, checked by the real
 * `promtool check metrics`.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Api } from './app';
import { openHarness, req, type Harness } from './testing';

const ADMIN = 'sy_reads_test_admin_token_0123456789abcdef';
let h: Harness;
let api: Api;

const ago = (ms: number): Date => new Date(Date.now() - ms);

beforeAll(async () => {
  h = await openHarness(inject('kafkaBrokers'), inject('redisUrl'));
  api = h.api({ adminToken: ADMIN, collectorHealth: () => [{ collector: 'lag', up: true, errors: 2 }] });
  await api.start();
  const s = h.store;
  // One timestamp per sweep, as the lag collector writes them.
  const [t60, t5] = [ago(60_000), ago(5_000)];
  const status = (ts: Date, group: string, st: string, lag: number) => ({ ts, group, status: st, lag_messages: lag, lag_seconds: lag / 10, partitions: 4, topics: ['orders'], reason: st === 'OK' ? '' : 'lag growing' });
  const inserts = [
    await s.insert('consumer_group_status', [status(t60, 'g-a', 'OK', 10), status(t5, 'g-a', 'WARNING', 400), status(t5, 'g-b', 'OK', 0), status(t5, 'g-c', 'STALLED', 90)]),
    await s.insert('consumer_lag', [
      ...[0, 1, 2, 3].map((p) => ({ ts: t60, group: 'g-a', topic: 'orders', partition: p, committed: 0, log_end: 5, low: 0, lag_messages: 5, lag_seconds: 1 })),
      ...[0, 1, 2, 3].map((p) => ({ ts: t5, group: 'g-a', topic: 'orders', partition: p, committed: 10, log_end: 110, low: 0, lag_messages: 100, lag_seconds: p + 0.5 })),
    ]),
    await s.insert('queue_depth', [
      { ts: ago(5_000), queue: 'dispatch', state: 'waiting', count: 7 },
      { ts: ago(5_000), queue: 'dispatch', state: 'failed', count: 2 },
      { ts: ago(5_000), queue: 'notifications', state: 'active', count: 1 },
    ]),
    await s.insert('queue_job_events', [
      { ts: ago(9_000), queue: 'dispatch', job_id: '1', event: 'completed', attempts: 1, wait_ms: 100, processing_ms: 50, failed_reason: '', order_id: 'o1' },
      { ts: ago(8_000), queue: 'dispatch', job_id: '2', event: 'completed', attempts: 3, wait_ms: 300, processing_ms: 70, failed_reason: '', order_id: 'o2' },
    ]),
    await s.insert('events', [
      ...[0, 1, 2].map((i) => ({ topic: 'payment-svc.retry', partition: 0, offset: i, key: 'o', event_id: `r${i}`, type: 'OrderCreated', version: 1, order_id: 'o', trace_id: '', span_id: '', causation_id: '', correlation_id: '', source: 's', bytes: 10, produced_at: ago(30_000), tapped_at: ago(20_000), headers: {}, payload: '{}', is_retry: true, is_dlq: false, replay_id: '', redrive_id: '' })),
      ...[12, 25, 4000].map((min, i) => ({ topic: 'delivery', partition: 0, offset: i, key: `o${i}`, event_id: `d${i}`, type: 'OrderDelivered', version: 1, order_id: `o${i}`, trace_id: '', span_id: '', causation_id: '', correlation_id: '', source: 's', bytes: 10, produced_at: ago(30_000), tapped_at: ago(20_000), headers: {}, payload: JSON.stringify({ data: { actualMinutes: min / 60 } }), is_retry: false, is_dlq: false, replay_id: '', redrive_id: '' })),
    ]),
    await s.insert('inference', [
      { ts: ago(9_000), task: 'eta', model: 'eta-gbm', model_version: '3', event_id: 'e1', order_id: 'o0', latency_ms: 2, prediction: 0.5, features: {}, categorical: {}, tapped_at: ago(8_000) },
    ]),
  ];
  for (const r of inserts) expect(r.ok).toBe(true);
});

afterAll(async () => {
  await api?.stop();
  await h?.close();
});

describe('consumer groups', () => {
  it('lists the latest status of each group, paged by an opaque cursor', async () => {
    const first = (await (await req(api, 'GET', '/api/v1/consumer-groups?limit=2', { token: ADMIN })).json()) as { items: { group: string; status: string; lagMessages: number; topics: string[] }[]; nextCursor: string };
    expect(first.items.map((g) => g.group)).toEqual(['g-a', 'g-b']);
    expect(first.items[0]).toMatchObject({ status: 'WARNING', lagMessages: 400, topics: ['orders'] });
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = (await (await req(api, 'GET', `/api/v1/consumer-groups?limit=2&cursor=${first.nextCursor}`, { token: ADMIN })).json()) as { items: { group: string }[]; nextCursor: string | null };
    expect(second.items.map((g) => g.group)).toEqual(['g-c']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a forged cursor and a bad limit with 400 problems', async () => {
    const bad = await req(api, 'GET', '/api/v1/consumer-groups?cursor=not-a-cursor', { token: ADMIN });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('INVALID_CURSOR');
    expect((await req(api, 'GET', '/api/v1/consumer-groups?limit=0', { token: ADMIN })).status).toBe(400);
  });

  it('shows one group: partitions of the newest sweep, lag history, status changes', async () => {
    const res = await req(api, 'GET', '/api/v1/consumer-groups/g-a', { token: ADMIN });
    expect(res.status).toBe(200);
    const g = (await res.json()) as { group: { status: string }; partitions: { partition: number; lagMessages: number; committed: number }[]; history: { lagMessages: number }[]; statusHistory: { status: string }[] };
    expect(g.group.status).toBe('WARNING');
    expect(g.partitions.map((p) => [p.partition, p.lagMessages, p.committed])).toEqual([[0, 100, 10], [1, 100, 10], [2, 100, 10], [3, 100, 10]]);
    expect(g.history.map((p) => p.lagMessages)).toEqual([20, 400]);
    expect(g.statusHistory.map((s) => s.status)).toEqual(['OK', 'WARNING']);
  });

  it('answers 404 for a group nobody has seen', async () => {
    const res = await req(api, 'GET', '/api/v1/consumer-groups/never-seen', { token: ADMIN });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('GROUP_NOT_FOUND');
  });
});

describe('queues', () => {
  it('lists counts by state, wait and processing time, and the retry rate', async () => {
    const body = (await (await req(api, 'GET', '/api/v1/queues', { token: ADMIN })).json()) as { items: { queue: string; counts: Record<string, number>; waitMs: { p50: number }; retryRate: number }[] };
    expect(body.items.map((q) => q.queue)).toEqual(['dispatch', 'notifications']);
    expect(body.items[0]?.counts).toMatchObject({ waiting: 7, failed: 2, active: 0 });
    expect(body.items[0]?.retryRate).toBe(0.5);
    expect(body.items[0]?.waitMs.p50).toBeGreaterThanOrEqual(100);
    expect(body.items[1]).toMatchObject({ counts: { active: 1 }, retryRate: null });
  });
});

describe('/metrics', () => {
  it('exports the families from the newest rows and passes promtool check metrics', async () => {
    const res = await req(api, 'GET', '/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('switchyard_consumer_lag_messages{group="g-a",topic="orders",partition="2"} 100');
    expect(text).toContain('switchyard_consumer_lag_seconds{group="g-a",topic="orders",partition="3"} 3.5');
    expect(text).toContain('switchyard_consumer_group_status{group="g-a",status="WARNING"} 1');
    expect(text).toContain('switchyard_consumer_group_status{group="g-a",status="OK"} 0');
    expect(text).toContain('switchyard_queue_jobs{queue="dispatch",state="waiting"} 7');
    expect(text).toContain('switchyard_retries_total{group="payment-svc"} 3');
    expect(text).toContain('switchyard_order_to_delivery_seconds_bucket{le="30"} 2');
    expect(text).toContain('switchyard_order_to_delivery_seconds_bucket{le="3600"} 2');
    expect(text).toContain('switchyard_order_to_delivery_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('switchyard_order_to_delivery_seconds_count 3');
    expect(text).toContain('switchyard_inference_latency_seconds_bucket{model="eta-gbm",version="3",le="0.0025"} 1');
    expect(text).toContain('switchyard_collector_up{collector="lag"} 1');
    expect(text).toContain('switchyard_collector_errors_total{collector="lag"} 2');
    expect(text).toContain('switchyard_process_cpu_seconds_total');
    const lint = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint).toBe('');
  });

  it('drops the partition label when the partitions are too many', async () => {
    const small = h.api({ adminToken: ADMIN, api: { partitionSeriesLimit: 2 } });
    const text = await (await req(small, 'GET', '/metrics')).text();
    expect(text).toContain('switchyard_consumer_lag_messages{group="g-a",topic="orders"} 400');
    expect(text).toContain('switchyard_consumer_lag_seconds{group="g-a",topic="orders"} 3.5');
    expect(text).not.toMatch(/switchyard_consumer_lag_messages\{[^}]*partition=/);
  });
});
