import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureReference, NumericReference } from '@switchyard/ml';
import { openStore, type Store } from '@switchyard/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceSummary, loadReferences, materializeInference, type EtaError, type FraudQuality, type ModelReferences } from './index';

let dir: string;
let store: Store;
let offset = 0;
// Recent times: the tables' TTL drops rows older than the retention.
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
const at = (minutes: number): Date => new Date(BASE + minutes * 60_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-inference-'));
  store = await openStore({ dataDir: dir, database: 'inference_t' });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Ev {
  type: string;
  version?: number;
  orderId: string;
  data: unknown;
  minute: number;
  topic?: string;
  isRetry?: boolean;
  eventId?: string;
  offset?: number;
}

/** Event rows as the tap writes them: payload is the envelope. */
function eventRow(e: Ev): Record<string, unknown> {
  const id = e.eventId ?? randomUUID();
  const ts = at(e.minute);
  const envelope = { id, type: e.type, version: e.version ?? 1, orderId: e.orderId, occurredAt: ts.toISOString(), causationId: null, correlationId: id, source: 'test', data: e.data };
  const payload = JSON.stringify(envelope);
  return {
    topic: e.topic ?? 'eta', partition: 0, offset: e.offset ?? offset++, key: e.orderId, event_id: id, type: e.type, version: e.version ?? 1, order_id: e.orderId,
    trace_id: '', span_id: '', causation_id: '', correlation_id: id, source: 'test', bytes: payload.length, produced_at: ts, tapped_at: new Date(ts.getTime() + 50),
    headers: {}, payload, is_retry: e.isRetry ?? false, is_dlq: false, replay_id: '', redrive_id: '',
  };
}

async function insertEvents(evs: Ev[]): Promise<void> {
  const r = await store.insert('events', evs.map(eventRow));
  expect(r.ok).toBe(true);
}

const etaData = (etaMinutes: number, latencyMs: number, version = '1.0.0'): unknown => ({
  etaMinutes, model: 'eta', modelVersion: version, latencyMs,
  features: { distanceKm: 3, prepMinutes: 12, hour: 13, weather: 'clear', driverSupply: 1 },
});

describe('inference', () => {
  it('ETA error, latency and throughput equal a hand computation; re-runs, retries and v1 payloads are handled', async () => {
    const predicted = [30, 25, 40, 20];
    const actual = [35, 25, 30, 26];
    const latency = [10, 20, 30, 40];
    const evs: Ev[] = [];
    predicted.forEach((p, i) => {
      const orderId = `eta-o${i}`;
      // The third prediction arrives as an EtaPredicted v1 (whole seconds, model as name@version).
      evs.push(i === 2 ? { type: 'EtaPredicted', version: 1, orderId, minute: i, data: { etaSeconds: p * 60, model: 'eta@1.0.0', latencyMs: latency[i], features: { distanceKm: 3, prepMinutes: 12, hour: 13, weather: 'clear', driverSupply: 1 } } } : { type: 'EtaPredicted', version: 2, orderId, minute: i, data: etaData(p, latency[i]!) });
      evs.push({ type: 'OrderDelivered', orderId, topic: 'delivery', minute: 20 + i, data: { deliveredAt: at(29).toISOString(), actualMinutes: actual[i], driverId: 'd1' } });
    });
    // A copy of the first prediction on a retry topic is a re-delivery, not a second prediction.
    const first = eventRow(evs[0]!);
    await store.insert('events', [{ ...first, topic: 'eta-svc.retry', offset: 9_999, is_retry: true }]);
    // A fifth prediction whose order is not delivered yet counts for latency and throughput, not for error.
    evs.push({ type: 'EtaPredicted', version: 2, orderId: 'eta-o-pending', minute: 5, data: etaData(33, 50) });
    await insertEvents(evs.slice(1));
    // The tap stores the first prediction twice (a re-read after a restart): same topic, partition and offset.
    await store.insert('events', [first]);
    await store.insert('events', [{ ...first, tapped_at: new Date((first.tapped_at as Date).getTime() + 1000) }]);

    const r1 = await materializeInference(store);
    const r2 = await materializeInference(store); // the overlap re-reads everything: no double counting
    expect(r1.rows).toBeGreaterThanOrEqual(5); // before merges fold the re-tapped copy
    expect(await store.query("SELECT count() AS n FROM inference FINAL WHERE task = 'eta'")).toEqual([{ n: '5' }]);
    expect(r2.since.getTime()).toBeLessThan(Date.now());

    const [s] = await inferenceSummary(store, { from: at(0), to: at(10), references: {} });
    expect(s).toMatchObject({ model: 'eta', version: '1.0.0', task: 'eta', n: 5 });
    const err = s!.error as EtaError;
    const errors = predicted.map((p, i) => p - actual[i]!); // [-5, 0, 10, -6]
    expect(err.n).toBe(4);
    expect(err.mae).toBeCloseTo(errors.reduce((a, e) => a + Math.abs(e), 0) / 4, 10); // 5.25
    expect(err.bias).toBeCloseTo(errors.reduce((a, e) => a + e, 0) / 4, 10); // -0.25
    expect(err.p90AbsError).toBeCloseTo(6 + (10 - 6) * 0.7, 10); // |e| sorted [0,5,6,10], rank 2.7
    // Latencies [10,20,30,40,50]: linear percentiles; 5 predictions over a 10-minute window.
    expect(s!.latency.p50).toBeCloseTo(30, 10);
    expect(s!.latency.p90).toBeCloseTo(46, 10);
    expect(s!.latency.p99).toBeCloseTo(49.6, 10);
    expect(s!.throughputPerMin).toBeCloseTo(0.5, 10);
    const cats = await store.query<{ categorical: Record<string, string>; features: Record<string, number> }>("SELECT categorical, features FROM inference FINAL WHERE order_id = 'eta-o2'");
    expect(cats).toEqual([{ categorical: { weather: 'clear' }, features: { distanceKm: 3, prepMinutes: 12, hour: 13, driverSupply: 1 } }]);
  });

  it('fraud precision and recall at 0.5 against labels', async () => {
    const scores: [string, number, number | null][] = [['f1', 0.9, 1], ['f2', 0.7, 0], ['f3', 0.2, 1], ['f4', 0.1, 0], ['f5', 0.8, null]];
    await insertEvents(scores.map(([o, score], i) => ({ type: 'FraudScored', version: 2, orderId: o, topic: 'payments', minute: 12 + i, data: { score, model: 'fraud', modelVersion: '1.0.0', latencyMs: 5, features: { amount: 30, items: 2, addressMismatch: score > 0.5 } } })));
    // A v1 score is a percentage: 60 means 0.6.
    await insertEvents([{ type: 'FraudScored', version: 1, orderId: 'f6', topic: 'payments', minute: 18, data: { score: 60, model: 'fraud', modelVersion: '1.0.0', latencyMs: 5, features: { amount: 30, items: 2, addressMismatch: true } } }]);
    await store.insert('fraud_labels', [...scores.filter((s) => s[2] !== null).map(([o, , f]) => ({ order_id: o, is_fraud: f, labelled_at: at(25) })), { order_id: 'f6', is_fraud: 1, labelled_at: at(25) }]);
    await materializeInference(store);
    const [s] = await inferenceSummary(store, { from: at(10), to: at(20), references: {} });
    // Labelled: f1 TP, f2 FP, f3 FN, f4 TN, f6 (0.6) TP.
    expect(s!.error).toEqual({ precision: 2 / 3, recall: 2 / 3, n: 5, threshold: 0.5 });
    const [withUnlabelled] = await inferenceSummary(store, { from: at(10), to: at(20), references: {}, unlabelledAsNegative: true });
    expect((withUnlabelled!.error as FraudQuality).precision).toBeCloseTo(2 / 4, 10); // f5 (0.8, unlabelled) becomes a FP
    const cats = await store.query<{ categorical: Record<string, string> }>("SELECT categorical FROM inference FINAL WHERE order_id = 'f1'");
    expect(cats[0]?.categorical).toEqual({ addressMismatch: 'true' });
  });

  it('records FraudLabelled outcomes as labels: precision and recall over N orders equal a hand computation', async () => {
    const version = '7.0.0'; // this test's own model version, so other tests' rows stay out of its summary
    // Scores tapped after the earlier tests' predictions (the watermark), labels some minutes after the scores.
    // [order, score, labels in arrival order (minute, isFraud)]
    const orders: [string, number, [number, boolean][]][] = [
      ['fl1', 0.95, [[27, true]]], // TP
      ['fl2', 0.7, [[27.2, false]]], // FP
      ['fl3', 0.3, [[27.4, true]]], // FN
      ['fl4', 0.1, [[27.6, false]]], // TN
      ['fl5', 0.6, [[27.8, true]]], // TP
      ['fl6', 0.55, [[28, true], [28.5, false]]], // a dispute reversed: the later label (not fraud) wins: FP
      ['fl7', 0.8, []], // not labelled yet: left out
    ];
    const outcome = (isFraud: boolean, score: number): string => (score > 0.9 ? (isFraud ? 'confirmed_fraud' : 'cleared') : isFraud ? 'chargeback' : 'settled');
    await insertEvents(orders.map(([o, score], i) => ({ type: 'FraudScored', version: 2, orderId: o, topic: 'payments', minute: 19 + i * 0.1, data: { score, model: 'fraud', modelVersion: version, latencyMs: 4, features: { amount: 30, items: 2, addressMismatch: false } } })));
    const labels: Ev[] = orders.flatMap(([o, score, ls]) => ls.map(([minute, isFraud]) => ({ type: 'FraudLabelled', orderId: o, topic: 'payments', minute, data: { isFraud, outcome: outcome(isFraud, score) } })));
    // A retry copy of a label is not an outcome: fl8 stays unlabelled.
    labels.push({ type: 'FraudLabelled', orderId: 'fl8', topic: 'payment-svc.retry', isRetry: true, minute: 29, data: { isFraud: true, outcome: 'chargeback' } });
    await insertEvents([{ type: 'FraudScored', version: 2, orderId: 'fl8', topic: 'payments', minute: 19.9, data: { score: 0.2, model: 'fraud', modelVersion: version, latencyMs: 4, features: { amount: 30, items: 2, addressMismatch: false } } }]);
    await insertEvents(labels.slice(0, 3));
    await materializeInference(store);
    await insertEvents(labels.slice(3)); // the rest arrive after a run: the next run picks them up
    await materializeInference(store);

    const rows = await store.query<{ order_id: string; is_fraud: number }>("SELECT order_id, is_fraud FROM fraud_labels FINAL WHERE startsWith(order_id, 'fl') ORDER BY order_id");
    expect(rows.map((r) => [r.order_id, Number(r.is_fraud)])).toEqual([['fl1', 1], ['fl2', 0], ['fl3', 1], ['fl4', 0], ['fl5', 1], ['fl6', 0]]);
    const s = (await inferenceSummary(store, { from: at(19), to: at(20), references: {} })).find((m) => m.version === version);
    // By hand at 0.5: TP fl1 fl5, FP fl2 fl6, FN fl3, TN fl4.
    const [tp, fp, fn] = [2, 2, 1];
    expect(s?.error).toEqual({ precision: tp / (tp + fp), recall: tp / (tp + fn), n: 6, threshold: 0.5 });
  });

  it('detects drift on a shifted distribution and not on an unshifted one', async () => {
    const refs = loadReferences();
    const eta = refs['eta@1.0.0'];
    expect(eta).toBeDefined();
    // Draw N rows whose features follow the training histograms exactly (bin midpoints in proportion), then a
    // copy with distance shifted up by 5 km and every order in snow.
    const N = 1000;
    const draw = (ref: FeatureReference): (number | string)[] => {
      const out: (number | string)[] = [];
      ref.proportions.forEach((p, i) => {
        const v = ref.kind === 'categorical' ? ref.categories[i]! : midpoint(ref, i);
        for (let k = 0; k < Math.round(p * N); k++) out.push(v);
      });
      return out;
    };
    const cols = Object.fromEntries(Object.entries(eta!).map(([f, ref]) => [f, draw(ref)]));
    const rows = (version: string, shift: boolean): Record<string, unknown>[] =>
      Array.from({ length: N }, (_, i) => {
        const pick = (f: string): number | string => cols[f]![(i * 7919) % cols[f]!.length]!;
        const distanceKm = (pick('distanceKm') as number) + (shift ? 5 : 0);
        return eventRow({ type: 'EtaPredicted', version: 2, orderId: `d-${version}-${i}`, minute: 21 + (i % 5), data: { etaMinutes: 30, model: 'eta', modelVersion: version, latencyMs: 3, features: { distanceKm, prepMinutes: pick('prepMinutes'), hour: pick('hour'), weather: shift ? 'snow' : pick('weather'), driverSupply: pick('driverSupply') } } });
      });
    expect((await store.insert('events', [...rows('9.0.0', false), ...rows('9.1.0', true)])).ok).toBe(true);
    await materializeInference(store);
    // A bare model key serves every version without its own reference.
    const references: ModelReferences = { eta: eta! };
    const summary = await inferenceSummary(store, { from: at(21), to: at(26), references });
    const drift = (v: string): Record<string, string> => Object.fromEntries(summary.find((s) => s.version === v)!.drift.map((d) => [d.feature, d.status]));
    expect(drift('9.0.0')).toEqual({ distanceKm: 'ok', prepMinutes: 'ok', hour: 'ok', weather: 'ok', driverSupply: 'ok' });
    expect(drift('9.1.0')).toEqual({ distanceKm: 'drift', prepMinutes: 'ok', hour: 'ok', weather: 'drift', driverSupply: 'ok' });
    const unshifted = summary.find((s) => s.version === '9.0.0')!.drift;
    for (const d of unshifted) expect(d.psi!).toBeLessThan(0.01);
    expect(unshifted[0]!.n).toBe(N);
  });
});

/** A value inside numeric bin i: (edges[i-1], edges[i]]. */
function midpoint(ref: NumericReference, i: number): number {
  const lo = i === 0 ? ref.edges[0]! - 1 : ref.edges[i - 1]!;
  const hi = i === ref.edges.length ? ref.edges[i - 1]! + 1 : ref.edges[i]!;
  return (lo + hi) / 2;
}
