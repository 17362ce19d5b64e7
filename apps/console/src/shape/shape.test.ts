import { describe, expect, it } from 'vitest';
import { problemFrom } from '../api/problem';
import { buildRedrive, buildReplay, buildThrottle, previewSummary } from './actions';
import { toAlertViews } from './alerts';
import { toCostView } from './cost';
import { fmtCount, fmtMs, fmtPct } from './format';
import { psiLevel, toModelViews } from './inference';
import { latestByKey, toFieldSeries, toLagSeries, trend } from './lag';
import { appendSnapshot, applyProgress, groupLagRows, parseProgress, parseSnapshot } from './live';
import { backlog, toDepthSeries } from './queues';
import { REFERENCE_STAGES, toStageCards, toneOf, worstTone } from './stages';
import { resolveWindow, toMs } from './time';
import { toWaterfall } from './trace';
import { buildHash, parseHash, withParams } from './url';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const iso = (msAgo: number): string => new Date(NOW - msAgo).toISOString();

describe('url state', () => {
  it('round-trips a page and its parameters, sorted and without empties', () => {
    const r = parseHash('#/groups?range=15m&group=payment-svc');
    expect(r).toEqual({ page: 'groups', params: { range: '15m', group: 'payment-svc' } });
    expect(buildHash(withParams(r, { range: undefined, q: '' }))).toBe('#/groups?group=payment-svc');
    expect(buildHash(r)).toBe('#/groups?group=payment-svc&range=15m');
  });
  it('falls back to the overview for an unknown page', () => {
    expect(parseHash('#/nope').page).toBe('overview');
    expect(parseHash('').page).toBe('overview');
  });
});

describe('time window', () => {
  it('uses absolute from/to when both parse in order, else the range ending now', () => {
    expect(resolveWindow({ from: iso(7200_000), to: iso(3600_000) }, NOW)).toMatchObject({ fromMs: NOW - 7200_000, live: false });
    expect(resolveWindow({ range: '15m', from: iso(0), to: iso(60_000) }, NOW)).toMatchObject({ fromMs: NOW - 900_000, toMs: NOW, live: true });
    expect(resolveWindow({ range: 'bogus' }, NOW).fromMs).toBe(NOW - 3600_000);
  });
  it('reads ISO, ClickHouse text and epoch seconds', () => {
    expect(toMs('2025-06-01 12:00:00.000')).toBe(NOW);
    expect(toMs(NOW / 1000)).toBe(NOW);
    expect(toMs('garbage')).toBeNaN();
  });
});

describe('toLagSeries', () => {
  const rows = [
    { at: iso(20_000), lagMessages: 5, topic: 'orders', partition: 1 },
    { at: iso(20_000), lagMessages: 3, topic: 'orders', partition: 0 },
    { at: iso(10_000), lagMessages: 9, topic: 'orders', partition: 1, lagSeconds: 4 },
    { at: iso(4000_000), lagMessages: 1, topic: 'orders', partition: 0 },
    { at: 'not a time', lagMessages: 100 },
  ];
  it('gives one column per partition and one row per instant, in time order', () => {
    const s = toLagSeries(rows, NOW);
    expect(s.keys).toEqual(['orders/0', 'orders/1']);
    expect(s.rows.map((r) => r.t)).toEqual([NOW - 4000_000, NOW - 20_000, NOW - 10_000]);
    expect(s.rows[1]).toEqual({ t: NOW - 20_000, 'orders/0': 3, 'orders/1': 5 });
    expect(latestByKey(s)).toEqual({ 'orders/0': 3, 'orders/1': 9 });
  });
  it('drops samples outside the window and can chart seconds', () => {
    const s = toLagSeries(rows, NOW, { windowMs: 3600_000, metric: 'seconds' });
    expect(s.rows).toHaveLength(2);
    expect(s.rows[1]!['orders/1']).toBe(4);
    expect(s.rows[0]!['orders/0']).toBeNull();
  });
  it('charts named fields of any timed rows', () => {
    const s = toFieldSeries([{ at: iso(1000), p50: 5, p95: 'x' }, { at: iso(2000), p50: 4, p95: 9 }, { at: iso(-60_000), p50: 1 }], ['p50', 'p95'], NOW);
    expect(s.rows).toEqual([{ t: NOW - 2000, p50: 4, p95: 9 }, { t: NOW - 1000, p50: 5, p95: null }]);
  });
  it('tells a rising lag from a flat one', () => {
    const up = toLagSeries([0, 1, 2, 3].map((i) => ({ at: NOW - 40_000 + i * 10_000, lagMessages: 10 + i * 20 })), NOW);
    expect(trend(up, 'total')).toBe('rising');
    const flat = toLagSeries([0, 1, 2].map((i) => ({ at: NOW - 30_000 + i * 10_000, lagMessages: 50 })), NOW);
    expect(trend(flat, 'total')).toBe('flat');
  });
});

describe('live feed', () => {
  const snap = (msAgo: number, lag: number) => JSON.stringify({ at: iso(msAgo), groups: [{ group: 'inventory-svc', status: 'OK', lagMessages: lag, lagSeconds: null }], queues: [{ queue: 'dispatch', counts: { waiting: lag, active: 1, failed: 'x' } }] });
  it('parses snapshots leniently and keeps a bounded, ordered buffer', () => {
    expect(parseSnapshot('{not json', NOW)).toBeNull();
    let buf = appendSnapshot([], parseSnapshot(snap(2000, 7), NOW)!, NOW);
    buf = appendSnapshot(buf, parseSnapshot(snap(4000, 5), NOW)!, NOW);
    buf = appendSnapshot(buf, parseSnapshot(snap(3600_000, 1), NOW)!, NOW, 600_000);
    expect(buf.map((s) => s.atMs)).toEqual([NOW - 4000, NOW - 2000]);
    expect(groupLagRows(buf, 'inventory-svc').map((r) => r.lagMessages)).toEqual([5, 7]);
    expect(buf[0]!.queues[0]!.counts).toEqual({ waiting: 5, active: 1, failed: 0 });
    const depth = toDepthSeries(buf, 'dispatch', NOW);
    expect(depth.keys).toEqual(['waiting', 'active', 'failed']);
    expect(depth.rows.map((r) => r.waiting)).toEqual([5, 7]);
    expect(backlog({ waiting: 2, delayed: 3, active: 9 })).toBe(5);
  });
  it('never moves progress backwards or out of a final state', () => {
    const p = (state: string, done: number) => parseProgress(JSON.stringify({ kind: 'redrive', id: 'r1', state, matched: 10, done, failed: 0 }))!;
    let m = applyProgress({}, p('running', 4));
    m = applyProgress(m, p('running', 2));
    expect(m.r1!.done).toBe(4);
    m = applyProgress(m, p('done', 10));
    m = applyProgress(m, p('running', 3));
    expect(m.r1).toMatchObject({ state: 'done', done: 10 });
    expect(parseProgress('{"state":"x"}')).toBeNull();
  });
});

describe('stage cards', () => {
  it('fills the reference map from groups, queues and throttles when the server has no overview', () => {
    const cards = toStageCards({
      groups: [
        { group: 'payment-svc', status: 'STALLED', lagMessages: 900, lagSeconds: 120 },
        { group: 'billing-x', status: 'OK', lagMessages: 0, lagSeconds: 0 },
      ],
      queues: [{ queue: 'dispatch', retryRate: 0.2 }],
      throttles: [{ kind: 'group', name: 'inventory-svc', paused: false, maxRate: 5 }],
    });
    expect(cards.map((c) => c.stage)).toEqual([...REFERENCE_STAGES.map((s) => s.stage), 'billing-x']);
    const pay = cards.find((c) => c.stage === 'payment')!;
    expect(pay).toMatchObject({ lagMessages: 900, tone: 'bad', status: 'STALLED' });
    expect(cards.find((c) => c.stage === 'dispatch')!.retryRate).toBe(0.2);
    expect(cards.find((c) => c.stage === 'inventory')!.maxRate).toBe(5);
    expect(worstTone(cards)).toBe('bad');
  });
  it('adopts prefixed group and queue names', () => {
    const cards = toStageCards({ groups: [{ group: 'p1.inventory-svc', status: 'OK', lagMessages: 3, lagSeconds: 1 }], queues: [{ queue: 'p1.dispatch', retryRate: 0 }] });
    expect(cards.find((c) => c.stage === 'inventory')).toMatchObject({ group: 'p1.inventory-svc', topic: 'p1.orders', lagMessages: 3 });
    expect(cards.find((c) => c.stage === 'dispatch')).toMatchObject({ queue: 'p1.dispatch', group: 'dispatch-svc' });
    expect(cards).toHaveLength(REFERENCE_STAGES.length);
  });
  it('prefers the server stages and the live feed, and derives a status from numbers', () => {
    const cards = toStageCards({
      overviewStages: [{ stage: 'inventory', group: 'inventory-svc', ratePerSec: 12, lagSeconds: 45, errorRate: 0 }],
      live: { groups: [{ group: 'inventory-svc', status: '', lagMessages: 77, lagSeconds: 45 }], stages: [{ stage: 'inventory', rate: 20 }] },
    });
    expect(cards.map((c) => c.stage)).toEqual(['intake', 'inventory']);
    expect(cards[1]).toMatchObject({ rate: 20, lagMessages: 77, status: 'WARNING', tone: 'warn', label: 'Inventory' });
    expect(toneOf('stopped')).toBe('idle');
  });
  it('reads the API overview: output rate, input rate, and an intake stage from the first input', () => {
    const cards = toStageCards({ overviewStages: [{ stage: 'inventory', group: 'p.inventory-svc', topic: 'p.orders', rateIn: 20, rateOut: 18, lagMessages: 4, status: 'OK', dlqCount: 2 }] });
    expect(cards.map((c) => [c.stage, c.rate, c.rateIn])).toEqual([
      ['intake', 20, null],
      ['inventory', 18, 20],
    ]);
    expect(cards[0]).toMatchObject({ topic: 'p.orders', status: 'OK' });
    expect(cards[1]).toMatchObject({ group: 'p.inventory-svc', dlqCount: 2 });
  });
});

describe('waterfall', () => {
  const t0 = NOW;
  const spans = [
    { spanId: 'b', parentSpanId: 'a', name: 'orders process', service: 'inventory', start: t0 + 50, durationMs: 20, stitched: false },
    { spanId: 'a', parentSpanId: null, name: 'POST /orders', service: 'intake', start: new Date(t0).toISOString(), durationMs: 30, stitched: false },
    { spanId: 'c', parentSpanId: 'b', name: 'payments retry', service: 'payment', start: t0 + 55, durationMs: 5, stitched: false, attributes: { 'messaging.attempt': 2 } },
    { spanId: 'd', parentSpanId: null, name: 'notify dlq', service: 'notifier', start: t0 + 200, durationMs: 10, stitched: true },
    { spanId: 'e', parentSpanId: null, name: 'bad', service: 'x', start: 'never', durationMs: 1, stitched: false },
  ];
  it('orders hops depth-first with the wait before each and the marks', () => {
    const w = toWaterfall(spans);
    expect(w.rows.map((r) => [r.spanId, r.depth, r.offsetMs])).toEqual([
      ['a', 0, 0],
      ['b', 1, 50],
      ['c', 2, 55],
      ['d', 0, 200],
    ]);
    expect(w.rows.map((r) => r.waitMs)).toEqual([0, 20, 0, 130]);
    expect(w).toMatchObject({ totalMs: 210, hops: 4, retries: 1, deadLetters: 1, stitched: 1 });
    expect(toWaterfall([]).rows).toEqual([]);
  });
});

describe('cost and inference', () => {
  it('shapes a cost summary, dropping future buckets', () => {
    const v = toCostView(
      {
        currency: 'USD',
        costPerOrder: 0.002,
        fanOut: 11.5,
        retryShare: 0.1,
        buckets: [
          { start: iso(3600_000), ordersCreated: 10, costPerOrder: 0.002, cost: { retries: 0.002, replays: 0 } },
          { start: iso(-3600_000), ordersCreated: 1, costPerOrder: 9 },
        ],
        byService: [{ service: 'a', cost: 1 }, { service: 'b', cost: 3 }],
      },
      NOW,
    );
    expect(v.overTime).toEqual([{ t: NOW - 3600_000, perOrder: 0.002, retries: 0.0002, replays: 0 }]);
    expect(v.byService.map((s) => s.name)).toEqual(['b', 'a']);
    expect(v.replayShare).toBeNull();
    expect(toCostView(null, NOW).overTime).toEqual([]);
  });
  it('shapes model versions with the worst drift level', () => {
    const [m] = toModelViews({ items: [{ model: 'eta', version: '3', task: 'eta', n: 5, latency: { p50: 1, p90: 2, p99: 3 }, error: { mae: 2.5, p90AbsError: 4, bias: -1, n: 5 }, drift: [{ feature: 'distance', psi: 0.3 }, { feature: 'hour', psi: 0.01 }] }] });
    expect(m).toMatchObject({ key: 'eta@3', driftStatus: 'significant' });
    expect(m!.drift[0]).toEqual({ feature: 'distance', psi: 0.3, status: 'significant' });
    expect(m!.error[0]).toEqual({ label: 'MAE', value: 2.5, unit: 'min' });
    expect(psiLevel(0.15)).toBe('moderate');
    expect(toModelViews('nope')).toEqual([]);
  });
});

describe('action bodies', () => {
  it('builds a redrive of a selection or of everything matching', () => {
    expect(buildRedrive({ ids: [], all: false, filter: {}, velocity: '0', reason: 'x' })).toEqual({
      ok: false,
      errors: { velocity: expect.any(String), reason: expect.any(String), selection: expect.any(String) },
    });
    expect(buildRedrive({ ids: ['1'], all: true, filter: { topic: 'orders.dlq', q: '' }, velocity: '50', reason: ' fixed bug ' })).toEqual({
      ok: true,
      body: { filter: { topic: 'orders.dlq' }, velocity: 50, reason: 'fixed bug' },
    });
  });
  it('builds a replay selection and requires a reason only to confirm', () => {
    const f = { topic: 'orders', from: '2025-06-01T10:00:00Z', to: '', fromOffset: '12', toOffset: 'x', orderId: ' o-1 ', traceId: '', eventType: '', target: 'sandbox' as const, reason: '' };
    expect(buildReplay(f, true)).toEqual({ ok: false, errors: { toOffset: expect.any(String) } });
    const ok = buildReplay({ ...f, toOffset: '' }, true);
    expect(ok).toEqual({ ok: true, body: { selection: { topic: 'orders', from: '2025-06-01T10:00:00.000Z', fromOffset: 12, orderId: 'o-1' }, target: 'sandbox', reason: 'preview' } });
    expect(buildReplay({ ...f, toOffset: '' }, false).ok).toBe(false);
  });
  it('builds a throttle and reads previews under several names', () => {
    const t = buildThrottle({ kind: 'group', name: 'inventory-svc', paused: false, maxRate: '2.5', ttlMinutes: '10', reason: 'incident 42' });
    expect(t).toEqual({ ok: true, body: { path: 'throttles/group/inventory-svc', body: { paused: false, maxRate: 2.5, ttlSeconds: 600, reason: 'incident 42' } } });
    expect(buildThrottle({ kind: 'group', name: 'a b', paused: false, maxRate: '', ttlMinutes: '', reason: 'abc' }).ok).toBe(false);
    expect(previewSummary({ matched: 40, consumerGroups: ['a', { group: 'b' }], estimatedCost: { total: 0.5 } })).toEqual({ count: 40, groups: ['a', 'b'], cost: 0.5, notes: [] });
    // The API's replay preview: groups under consumerGroups.groups with a note, and notes[].
    expect(previewSummary({ matched: 7, consumerGroups: { groups: [{ group: 'payment-svc', partitions: 4 }], note: 'no DescribeGroups' }, notes: ['archive used'] })).toEqual({ count: 7, groups: ['payment-svc'], cost: null, notes: ['no DescribeGroups', 'archive used'] });
  });
});

describe('alerts, problems, formats', () => {
  it('puts critical firing alerts first and recent resolved ones first', () => {
    const { firing, resolved } = toAlertViews([
      { fingerprint: '1', labels: { alertname: 'Lag', severity: 'warning' }, startsAt: iso(1000), state: 'firing' },
      { fingerprint: '2', name: 'Dlq', severity: 'critical', startsAt: iso(500), status: 'firing' },
      { fingerprint: '3', name: 'Old', state: 'resolved', startsAt: iso(9000), endsAt: iso(8000) },
    ]);
    expect(firing.map((a) => a.name)).toEqual(['Dlq', 'Lag']);
    expect(resolved[0]!.endsAtMs).toBe(NOW - 8000);
  });
  it("reads the API's alert view (rule, activeAt, since, ack, silencedBy)", () => {
    const { firing, resolved } = toAlertViews([
      { fingerprint: 'a', rule: 'ConsumerLagHigh', state: 'firing', labels: { severity: 'critical' }, activeAt: iso(60_000), since: iso(30_000), ack: { by: 'ana', at: iso(1000), comment: '' }, silencedBy: ['s1'] },
      { fingerprint: 'b', rule: 'DlqGrowing', state: 'resolved', labels: {}, activeAt: iso(90_000), since: iso(10_000), ack: null, silencedBy: [] },
    ]);
    expect(firing[0]).toMatchObject({ name: 'ConsumerLagHigh', severity: 'critical', startsAtMs: NOW - 60_000, acknowledgedBy: 'ana', silenced: true });
    expect(resolved[0]).toMatchObject({ name: 'DlqGrowing', endsAtMs: NOW - 10_000, silenced: false });
  });
  it('always yields a readable detail from an error response', () => {
    expect(problemFrom({ title: 'Bad', status: 400, detail: 'Fix it.', code: 'VALIDATION_FAILED', errors: [{ path: 'reason', message: 'too short' }] }, 400)).toMatchObject({ detail: 'Fix it. reason: too short', code: 'VALIDATION_FAILED' });
    expect(problemFrom('<html>502</html>', 502, 'Bad Gateway')).toMatchObject({ detail: 'Bad Gateway (HTTP 502).', code: 'HTTP_502' });
  });
  it('formats numbers for people', () => {
    expect([fmtCount(12_345), fmtMs(850), fmtMs(200_000), fmtPct(0.125), fmtCount(null)]).toEqual(['12.3k', '850 ms', '3m 20s', '12.5%', '—']);
  });
});
