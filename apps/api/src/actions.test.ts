/**
 * The new endpoints in process: roles on every action endpoint, bad input that changes nothing (and is audited),
 * the DLQ, trace, inference, cost and overview reads, the OTLP receiver's size bound, and a stale action read.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Api } from './app';
import { roleTokens } from './actions/testing-actions';
import { openHarness, req, type Harness } from './testing';

const ADMIN = 'sy_actions_routes_admin_0123456789abcdefgh';

/** The operations this change adds (access.test.ts's exhaustive list needs them too). */
const NEW_OPERATIONS = [
  'GET /api/v1/dlq',
  'GET /api/v1/dlq/{id}',
  'GET /api/v1/orders/{orderId}/trace',
  'GET /api/v1/traces/{traceId}',
  'POST /v1/traces',
  'GET /api/v1/inference',
  'GET /api/v1/cost',
  'GET /api/v1/orders/{orderId}/cost',
  'GET /api/v1/overview',
  'POST /api/v1/replays',
  'GET /api/v1/replays',
  'GET /api/v1/replays/{id}',
  'DELETE /api/v1/replays/{id}',
  'POST /api/v1/redrives',
  'GET /api/v1/redrives',
  'GET /api/v1/redrives/{id}',
  'DELETE /api/v1/redrives/{id}',
  'POST /api/v1/consumer-groups/{group}/rewind',
];
let h: Harness;
let api: Api;
let operator: string;
let viewer: string;

beforeAll(async () => {
  h = await openHarness(inject('kafkaBrokers'), inject('redisUrl'));
  api = h.api({ adminToken: ADMIN, api: { actionRateLimit: 200 } });
  await api.start();
  ({ operator, viewer } = await roleTokens(api, ADMIN));
});

afterAll(async () => {
  await api?.stop();
  await h?.close();
});

describe('roles on action endpoints', () => {
  const actions: { method: string; path: string; body?: unknown }[] = [
    { method: 'POST', path: '/api/v1/replays', body: { selection: { topic: 'orders' }, target: 'sandbox', reason: 'role check' } },
    { method: 'POST', path: '/api/v1/replays?dryRun=true', body: { selection: { topic: 'orders' }, target: 'sandbox', reason: 'role check' } },
    { method: 'DELETE', path: '/api/v1/replays/some-id?reason=role%20check' },
    { method: 'POST', path: '/api/v1/redrives', body: { velocity: 10, reason: 'role check' } },
    { method: 'POST', path: '/api/v1/redrives', body: { velocity: 10, reason: 'role check', dryRun: true } },
    { method: 'DELETE', path: '/api/v1/redrives/some-id?reason=role%20check' },
    { method: 'POST', path: '/api/v1/consumer-groups/payment-svc/rewind', body: { to: '2025-01-01T00:00:00Z', reason: 'role check' } },
  ];
  for (const a of actions) {
    it(`${a.method} ${a.path} refuses anonymous (401) and viewer (403) callers`, async () => {
      const anon = await req(api, a.method, a.path, { body: a.body });
      expect(anon.status).toBe(401);
      expect(anon.headers.get('content-type')).toContain('application/problem+json');
      const low = await req(api, a.method, a.path, { token: viewer, body: a.body });
      expect(low.status).toBe(403);
      expect(((await low.json()) as { code: string }).code).toBe('ROLE_REQUIRED');
    });
  }
  it('reads need a token', async () => {
    for (const p of ['/api/v1/dlq', '/api/v1/replays', '/api/v1/redrives', '/api/v1/overview', '/api/v1/cost', '/api/v1/inference']) expect((await req(api, 'GET', p)).status).toBe(401);
  });
});

describe('bad input gets a problem and changes nothing', () => {
  const topic = `bad-${randomUUID().slice(0, 8)}`;
  const cases: { what: string; path: string; body?: unknown; raw?: string; status: number; code: string; field?: string }[] = [
    { what: 'unknown topic', path: '/api/v1/replays', body: { selection: { topic }, target: 'original', reason: 'unknown topic' }, status: 422, code: 'UNKNOWN_TOPIC' },
    { what: 'inverted time range', path: '/api/v1/replays', body: { selection: { topic, from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }, target: 'original', reason: 'inverted' }, status: 400, code: 'VALIDATION_FAILED', field: 'body.selection.to' },
    { what: 'inverted offsets', path: '/api/v1/replays', body: { selection: { topic, fromOffset: 9, toOffset: 3 }, target: 'original', reason: 'inverted' }, status: 400, code: 'VALIDATION_FAILED', field: 'body.selection.toOffset' },
    { what: 'malformed JSON', path: '/api/v1/replays', raw: '{"selection": {', status: 400, code: 'MALFORMED_JSON' },
    { what: 'wrong types', path: '/api/v1/replays', body: { selection: { topic, fromOffset: 'zero' }, target: 'original', reason: 'types', velocity: '5' }, status: 400, code: 'VALIDATION_FAILED', field: 'json.selection.fromOffset' },
    { what: 'velocity over the maximum', path: '/api/v1/replays', body: { selection: { topic }, target: 'original', reason: 'too fast', velocity: 50_000 }, status: 400, code: 'VALIDATION_FAILED', field: 'json.velocity' },
    { what: 'missing reason', path: '/api/v1/replays', body: { selection: { topic }, target: 'original' }, status: 400, code: 'VALIDATION_FAILED', field: 'json.reason' },
    { what: 'unknown target', path: '/api/v1/replays', body: { selection: { topic }, target: 'elsewhere', reason: 'target' }, status: 400, code: 'VALIDATION_FAILED', field: 'json.target' },
    { what: 'redrive without velocity', path: '/api/v1/redrives', body: { filter: { topic }, reason: 'no velocity' }, status: 400, code: 'VALIDATION_FAILED', field: 'json.velocity' },
    { what: 'redrive inverted range', path: '/api/v1/redrives', body: { filter: { topic, from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }, velocity: 5, reason: 'inverted' }, status: 400, code: 'VALIDATION_FAILED', field: 'body.filter.to' },
    { what: 'redrive malformed JSON', path: '/api/v1/redrives', raw: '[1,', status: 400, code: 'MALFORMED_JSON' },
    { what: 'rewind with a bad time', path: '/api/v1/consumer-groups/g1/rewind', body: { to: 'yesterday', reason: 'bad time' }, status: 400, code: 'VALIDATION_FAILED', field: 'json.to' },
  ];
  for (const c of cases) {
    it(`${c.what}: ${c.status} ${c.code}`, async () => {
      const res = await req(api, 'POST', c.path, { token: operator, body: c.body, raw: c.raw });
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const p = (await res.json()) as { code: string; detail: string; errors?: { path: string }[] };
      expect(p.code).toBe(c.code);
      expect(p.detail.length).toBeGreaterThan(0);
      if (c.field) expect(p.errors?.map((e) => e.path)).toContain(c.field);
    });
  }
  it('started no action, published nothing, and audited each rejection', async () => {
    expect(await h.store.query('SELECT id FROM actions')).toHaveLength(0);
    const admin = h.kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(`${topic}.sandbox`);
    await admin.disconnect();
    const rows = await h.store.query<{ action: string; outcome: string }>("SELECT action, outcome FROM audit_log WHERE action IN ('replay.start', 'redrive.start', 'consumer-group.rewind')");
    expect(rows.length).toBeGreaterThanOrEqual(cases.length);
    expect(new Set(rows.map((r) => r.outcome))).toEqual(new Set(['rejected']));
  });
});

describe('OpenAPI', () => {
  it('documents every new operation in a valid document', async () => {
    const doc = (await (await req(api, 'GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    const ops = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
    for (const op of NEW_OPERATIONS) expect(ops, op).toContain(op);
  });
});

describe('reads', () => {
  it('lists and shows dead letters with cursor pagination and filters', async () => {
    const t = `g-${randomUUID().slice(0, 6)}.dlq`;
    const at = (i: number) => new Date(Date.now() - 60_000 + i * 1000);
    await h.store.insert(
      'dead_letters',
      [0, 1, 2].map((i) => ({ id: `kafka:${t}:0:${i}`, source: 'kafka', topic: t, partition: 0, offset: i, key: `ord-${i}`, order_id: `ord-${i}`, event_type: 'PaymentAuthorized', error_class: 'TypeError', error_message: i === 1 ? 'card vault timeout' : 'bad amount', origin_topic: 'payments', origin_partition: 1, origin_offset: 40 + i, group: 'g', attempts: 4, first_failed_at: at(i), failed_at: at(i), payload: '{"id":"e"}', headers: { 'sy-event-id': `e-${i}` }, redrive_state: 'none', redriven_at: null, tapped_at: at(i), version: 0 })),
    );
    const first = (await (await req(api, 'GET', `/api/v1/dlq?topic=${t}&limit=2`, { token: viewer })).json()) as { items: { id: string; orderId: string; error: string; originTopic: string; attempts: number; failedAt: string }[]; nextCursor: string };
    expect(first.items.map((i) => i.id)).toEqual([`kafka:${t}:0:2`, `kafka:${t}:0:1`]);
    expect(first.items[0]).toMatchObject({ orderId: 'ord-2', error: 'bad amount', originTopic: 'payments', attempts: 4 });
    const second = (await (await req(api, 'GET', `/api/v1/dlq?topic=${t}&limit=2&cursor=${first.nextCursor}`, { token: viewer })).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(second.items.map((i) => i.id)).toEqual([`kafka:${t}:0:0`]);
    const q = (await (await req(api, 'GET', `/api/v1/dlq?topic=${t}&q=vault`, { token: viewer })).json()) as { items: { id: string }[] };
    expect(q.items.map((i) => i.id)).toEqual([`kafka:${t}:0:1`]);
    const one = (await (await req(api, 'GET', `/api/v1/dlq/${encodeURIComponent(`kafka:${t}:0:1`)}`, { token: viewer })).json()) as { payload: string; headers: Record<string, string> };
    expect(one).toMatchObject({ payload: '{"id":"e"}', headers: { 'sy-event-id': 'e-1' } });
    expect((await req(api, 'GET', '/api/v1/dlq/kafka:none:0:0', { token: viewer })).status).toBe(404);
    expect(((await (await req(api, 'GET', '/api/v1/dlq?cursor=xyz', { token: viewer })).json()) as { code: string }).code).toBe('INVALID_CURSOR');
  });

  it('receives OTLP/JSON spans (gzip) unauthenticated and serves the trace by id and by order', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const start = BigInt(Date.now() - 10_000) * 1_000_000n;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'intake' } }] },
          scopeSpans: [
            {
              spans: [
                { traceId, spanId: 'aaaaaaaaaaaaaaaa', name: 'POST /orders', kind: 2, startTimeUnixNano: start.toString(), endTimeUnixNano: (start + 30_000_000n).toString(), attributes: [{ key: 'order.id', value: { stringValue: 'ord-trace-1' } }] },
                { traceId, spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'aaaaaaaaaaaaaaaa', name: 'send orders', kind: 4, startTimeUnixNano: (start + 5_000_000n).toString(), endTimeUnixNano: (start + 9_000_000n).toString() },
              ],
            },
          ],
        },
      ],
    };
    const res = await api.app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: gzipSync(Buffer.from(JSON.stringify(body))) });
    expect(res.status).toBe(200);
    const byId = (await (await req(api, 'GET', `/api/v1/traces/${traceId}`, { token: viewer })).json()) as { traceId: string; spans: { spanId: string; parentSpanId: string; durationMs: number; stitched: boolean }[]; criticalPath: string[] };
    expect(byId.traceId).toBe(traceId);
    expect(byId.spans.map((s) => [s.spanId, s.parentSpanId, s.durationMs, s.stitched])).toEqual([
      ['aaaaaaaaaaaaaaaa', '', 30, false],
      ['bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa', 4, false],
    ]);
    expect(byId.criticalPath[0]).toBe('aaaaaaaaaaaaaaaa');
    const byOrder = (await (await req(api, 'GET', '/api/v1/orders/ord-trace-1/trace', { token: viewer })).json()) as { orderId: string; spans: unknown[] };
    expect(byOrder.spans).toHaveLength(2);
    expect((await req(api, 'GET', '/api/v1/orders/ord-none/trace', { token: viewer })).status).toBe(404);
    expect((await req(api, 'GET', '/api/v1/traces/nothex', { token: viewer })).status).toBe(400);
  });

  it('refuses OTLP bodies over 8 MiB (413), unreadable ones (400) and unknown media types (415)', async () => {
    const big = await api.app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array(8 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await api.app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' })).status).toBe(400);
    expect((await api.app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
    const proto = await api.app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array(0) });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
  });

  it('serves the overview per stage from events, lag status and dead letters', async () => {
    const now = Date.now();
    const rows = Array.from({ length: 12 }, (_, i) => ({ topic: 'orders', partition: 0, offset: 1_000_000 + i, key: `o${i}`, event_id: `e${i}`, type: 'OrderCreated', version: 1, order_id: `ov-${i}`, trace_id: '', span_id: '', causation_id: '', correlation_id: '', source: 'intake', bytes: 100, produced_at: new Date(now - 5000), tapped_at: new Date(now), headers: {}, payload: '{}', is_retry: false, is_dlq: false, replay_id: '', redrive_id: '' }));
    rows.push(...Array.from({ length: 6 }, (_, i) => ({ ...rows[0]!, topic: 'inventory', offset: 2_000_000 + i, type: 'InventoryReserved', source: 'inventory', event_id: `f${i}` })));
    rows.push({ ...rows[0]!, topic: 'inventory-svc.retry', offset: 3_000_000, is_retry: true, event_id: 'r1' });
    rows.push({ ...rows[0]!, topic: 'delivery', offset: 4_000_000, type: 'OrderDelivered', order_id: 'ov-0', produced_at: new Date(now - 4000), event_id: 'd1' });
    await h.store.insert('events', rows);
    await h.store.insert('consumer_group_status', [{ ts: new Date(), group: 'inventory-svc', status: 'WARNING', lag_messages: 42, lag_seconds: 3.5, partitions: 4, topics: ['orders'], reason: 'lag growing' }]);
    const o = (await (await req(api, 'GET', '/api/v1/overview', { token: viewer })).json()) as { stages: { stage: string; group: string; topic: string; rateIn: number; rateOut: number; lagMessages: number; status: string; retryRate: number; errorRate: number }[]; delivery: { buckets: { orders: number }[] } };
    const inv = o.stages.find((s) => s.stage === 'inventory');
    expect(inv).toMatchObject({ group: 'inventory-svc', topic: 'orders', rateIn: 0.2, rateOut: 0.1, lagMessages: 42, status: 'WARNING', retryRate: 0.017, errorRate: 0.017 });
    expect(o.stages.map((s) => s.stage)).toEqual(['inventory', 'payment', 'eta', 'kitchen', 'dispatch', 'tracking', 'notifier', 'loyalty']);
    expect(o.delivery.buckets.reduce((a, b) => a + b.orders, 0)).toBe(1);
  });

  it('serves inference and cost summaries, and an order cost', async () => {
    const inf = await req(api, 'GET', '/api/v1/inference', { token: viewer });
    expect(inf.status).toBe(200);
    expect((await inf.json()) as object).toMatchObject({ models: [] });
    const cost = (await (await req(api, 'GET', '/api/v1/cost', { token: viewer })).json()) as { currency: string; ordersCreated: number };
    expect(cost.currency).toBe('USD');
    expect(cost.ordersCreated).toBeGreaterThanOrEqual(12);
    const order = (await (await req(api, 'GET', '/api/v1/orders/ov-0/cost', { token: viewer })).json()) as { usage: { messages: number } };
    expect(order.usage.messages).toBeGreaterThanOrEqual(2);
    expect((await req(api, 'GET', '/api/v1/cost?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', { token: viewer })).status).toBe(400);
  });

  it('shows a running action whose process is gone as failed (interrupted)', async () => {
    const id = randomUUID();
    const old = new Date(Date.now() - 120_000);
    await h.store.insert('actions', [{ id, kind: 'replay', state: 'running', matched: 10, done: 3, failed: 0, skipped: 0, failed_again: 0, created_by: 'x', created_by_id: 'x', reason: 'r', selection: '{}', preview: '{}', detail: '', created_at: old, started_at: old, finished_at: null, updated_at: old, version: 1 }]);
    const v = (await (await req(api, 'GET', `/api/v1/replays/${id}`, { token: viewer })).json()) as { state: string; detail: string; done: number };
    expect(v).toMatchObject({ state: 'failed', done: 3 });
    expect(v.detail).toMatch(/interrupted/);
    expect((await req(api, 'DELETE', `/api/v1/replays/${id}?reason=stop%20it`, { token: operator })).status).toBe(409);
    expect((await req(api, 'GET', `/api/v1/redrives/${id}`, { token: viewer })).status).toBe(404);
  });
});
