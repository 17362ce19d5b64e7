import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@switchyard/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrace, createOtlpTraceReceiver, createSpanSink, getOrderTrace, getTrace, type OtlpTraceReceiver, type StoredSpan } from './index';

let dir: string;
let store: Store;
let receiver: OtlpTraceReceiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-stitch-'));
  store = await openStore({ dataDir: dir, database: 'traces_stitch' });
  receiver = createOtlpTraceReceiver(createSpanSink(store));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const hexId = (bytes: number): string => randomBytes(bytes).toString('hex');
// Recent: the tables' TTL drops rows older than the retention.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000; // ms

interface Crafted {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number; // OTLP: 2 server, 4 producer, 5 consumer
  startMs: number;
  endMs: number;
  attrs: Record<string, string>;
  links?: { traceId: string; spanId: string }[];
}

/** Sends crafted spans through the receiver as OTLP/JSON, one resource per service. */
async function send(spans: Crafted[]): Promise<void> {
  const services = [...new Set(spans.map((s) => s.service))];
  const body = {
    resourceSpans: services.map((svc) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] },
      scopeSpans: [
        {
          spans: spans
            .filter((s) => s.service === svc)
            .map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: String(BigInt(T0 + s.startMs) * 1_000_000n),
              endTimeUnixNano: String(BigInt(T0 + s.endMs) * 1_000_000n),
              attributes: Object.entries(s.attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
              links: s.links ?? [],
            })),
        },
      ],
    })),
  };
  const r = await receiver.receiveOtlpTraces(Buffer.from(JSON.stringify(body)), 'application/json');
  expect(r.accepted).toBe(spans.length);
}

/** Six hops: five Kafka topics and one BullMQ queue. Wait before each consumer and its work time, in ms. */
const HOPS = [
  { system: 'kafka', dest: 'orders', from: 'order-api', to: 'inventory-svc', wait: 4, work: 10 },
  { system: 'kafka', dest: 'inventory', from: 'inventory-svc', to: 'payment-svc', wait: 7, work: 20 },
  { system: 'kafka', dest: 'payments', from: 'payment-svc', to: 'eta-svc', wait: 3, work: 15 },
  { system: 'kafka', dest: 'eta', from: 'eta-svc', to: 'kitchen-svc', wait: 12, work: 30 },
  { system: 'kafka', dest: 'kitchen', from: 'kitchen-svc', to: 'dispatch-svc', wait: 5, work: 8 },
  { system: 'bullmq', dest: 'dispatch', from: 'dispatch-svc', to: 'dispatch-worker', wait: 40, work: 25 },
] as const;

/**
 * Crafts one order's spans: an HTTP intake root, then per hop a producer span (child of the previous consumer)
 * and a consumer span (child of the producer, linked to it). `stripHop` makes that hop's consumer start a new
 * trace with no parent and only its causation id, as a consumer that lost the context would; the spans after it
 * stay in that new trace and carry no order id.
 */
function craftOrder(orderId: string, stripHop?: number): { spans: Crafted[]; producers: string[]; consumers: string[]; rootTrace: string } {
  const rootTrace = hexId(16);
  let traceId = rootTrace;
  let orderAttr: Record<string, string> = { 'order.id': orderId };
  const root: Crafted = { service: 'order-api', traceId, spanId: hexId(8), name: 'POST /orders', kind: 2, startMs: 0, endMs: 6, attrs: { ...orderAttr, 'http.request.method': 'POST', 'http.route': '/orders' } };
  const spans: Crafted[] = [root];
  const producers: string[] = [];
  const consumers: string[] = [];
  let parent = root;
  let t = 1;
  HOPS.forEach((h, i) => {
    const eventId = `ev-${orderId}-${i}`;
    const prod: Crafted = { service: h.from, traceId, spanId: hexId(8), parentSpanId: parent.spanId, name: `${h.dest} publish`, kind: 4, startMs: t, endMs: t + 2, attrs: { ...orderAttr, 'messaging.system': h.system, 'messaging.destination.name': h.dest, 'messaging.message.id': eventId } };
    const stripped = i === stripHop;
    if (stripped) {
      traceId = hexId(16);
      orderAttr = {};
    }
    const cons: Crafted = {
      service: h.to,
      traceId,
      spanId: hexId(8),
      parentSpanId: stripped ? undefined : prod.spanId,
      name: `${h.dest} process`,
      kind: 5,
      startMs: t + h.wait,
      endMs: t + h.wait + h.work,
      attrs: { ...orderAttr, 'messaging.system': h.system, 'messaging.destination.name': h.dest, 'messaging.message.id': eventId, 'switchyard.causation_id': eventId },
      links: stripped ? [] : [{ traceId: prod.traceId, spanId: prod.spanId }],
    };
    spans.push(prod, cons);
    producers.push(prod.spanId);
    consumers.push(cons.spanId);
    parent = cons;
    t = cons.startMs + 1;
  });
  return { spans, producers, consumers, rootTrace };
}

describe('order trace', () => {
  it('assembles six hops with the right parents, links, per-hop waits and critical path', async () => {
    const c = craftOrder('o-whole');
    await send(c.spans);
    const tr = await getOrderTrace(store, 'o-whole');
    expect(tr).not.toBeNull();
    expect(tr!.traceId).toBe(c.rootTrace);
    expect(tr!.traceIds).toEqual([c.rootTrace]);
    expect(tr!.spans).toHaveLength(13);
    const byId = new Map(tr!.spans.map((s) => [s.spanId, s]));
    HOPS.forEach((h, i) => {
      const prod = byId.get(c.producers[i]!)!;
      const cons = byId.get(c.consumers[i]!)!;
      expect(prod.parentSpanId).toBe(i === 0 ? c.spans[0]!.spanId : c.consumers[i - 1]);
      expect(cons).toMatchObject({ parentSpanId: prod.spanId, stitched: false, service: h.to, system: h.system, destination: h.dest, waitMs: h.wait });
      expect(cons.links).toEqual([{ traceId: c.rootTrace, spanId: prod.spanId }]);
    });
    expect(tr!.hops.map((h) => [h.from, h.to, h.destination, h.waitMs, h.durationMs])).toEqual(HOPS.map((h) => [h.from, h.to, h.dest, h.wait, h.work]));
    // Each consumer outlives its producer and its whole chain ends last: root, then every producer/consumer.
    expect(tr!.criticalPath).toEqual([c.spans[0]!.spanId, ...c.producers.flatMap((p, i) => [p, c.consumers[i]!])]);
    expect(await getOrderTrace(store, 'o-nothing')).toBeNull();
  });

  it('stitches a hop that lost its context by causation id and flags it', async () => {
    const c = craftOrder('o-stripped', 3);
    await send(c.spans);
    const tr = await getOrderTrace(store, 'o-stripped');
    expect(tr!.traceId).toBe(c.rootTrace);
    expect(tr!.traceIds).toHaveLength(2);
    expect(tr!.spans).toHaveLength(13);
    const byId = new Map(tr!.spans.map((s) => [s.spanId, s]));
    const stripped = byId.get(c.consumers[3]!)!;
    expect(stripped).toMatchObject({ parentSpanId: c.producers[3], stitched: true, waitMs: HOPS[3].wait });
    expect(stripped.traceId).not.toBe(c.rootTrace);
    expect(tr!.spans.filter((s) => s.stitched).map((s) => s.spanId)).toEqual([c.consumers[3]]);
    // Hops after the stitched one keep their own (new-trace) parents and are all present.
    expect(byId.get(c.producers[4]!)!.parentSpanId).toBe(c.consumers[3]);
    expect(byId.get(c.consumers[5]!)!.parentSpanId).toBe(c.producers[5]);
    expect(tr!.hops.find((h) => h.consumerSpanId === c.consumers[3])).toMatchObject({ stitched: true, producerSpanId: c.producers[3], waitMs: HOPS[3].wait });
    expect(tr!.criticalPath.at(-1)).toBe(c.consumers[5]);
    // Asked by trace id, the root trace pulls in its continuation too.
    const byTrace = await getTrace(store, c.rootTrace);
    expect(byTrace!.spans).toHaveLength(13);
    expect(byTrace!.spans.find((s) => s.spanId === c.consumers[3])!.stitched).toBe(true);
  });

  it('critical path follows the child whose subtree ends last, not the longest or latest-ending child', () => {
    const span = (id: string, parent: string, start: number, end: number): StoredSpan => ({
      trace_id: 't', span_id: id, parent_span_id: parent, name: id, service: 's', kind: 'internal', start_us: start * 1000, end_us: end * 1000,
      status_code: 'unset', status_message: '', attributes: {}, links: [], order_id: '', event_id: '', causation_id: '', system: '', destination: '',
    });
    // root [0,100]; A [10,60] has an async child A1 [15,130] that ends after everything; B [20,95] is longer
    // and ends later than A itself, with B1 [30,90].
    const tr = buildTrace([span('root', '', 0, 100), span('A', 'root', 10, 60), span('A1', 'A', 15, 130), span('B', 'root', 20, 95), span('B1', 'B', 30, 90)]);
    expect(tr!.criticalPath).toEqual(['root', 'A', 'A1']);
    expect(tr!.durationMs).toBe(130);
    // Without the async tail, B's chain explains the end.
    const tr2 = buildTrace([span('root', '', 0, 100), span('A', 'root', 10, 60), span('B', 'root', 20, 95), span('B1', 'B', 30, 90)]);
    expect(tr2!.criticalPath).toEqual(['root', 'B', 'B1']);
    expect(tr2!.spans.find((s) => s.spanId === 'B1')!.waitMs).toBe(0);
  });
});
