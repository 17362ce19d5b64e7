import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { openStore, type Store } from '@switchyard/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtlpTraceReceiver, createSpanSink, createStoreSpanExporter, OtlpDecodeError, OtlpUnsupportedError, type OtlpTraceReceiver } from './index';

let dir: string;
let store: Store;
let receiver: OtlpTraceReceiver;
let server: Server;
let url: string;
const seen: { contentType: string; encoding: string; status: number }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-traces-'));
  store = await openStore({ dataDir: dir, database: 'traces_otlp' });
  receiver = createOtlpTraceReceiver(createSpanSink(store));
  // The thinnest possible adapter, as a route would be: body and two headers in, status out.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      const encoding = req.headers['content-encoding'] ?? '';
      receiver.receiveOtlpTraces(Buffer.concat(chunks), contentType, encoding).then(
        (r) => {
          seen.push({ contentType, encoding, status: 200 });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ partialSuccess: { rejectedSpans: r.rejected } }));
        },
        (err: { httpStatus?: number; message: string }) => {
          seen.push({ contentType, encoding, status: err.httpStatus ?? 500 });
          res.writeHead(err.httpStatus ?? 500).end(err.message);
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Stored {
  span_id: string;
  parent_span_id: string;
  name: string;
  service: string;
  kind: string;
  order_id: string;
  event_id: string;
  system: string;
  destination: string;
  status_code: string;
  attributes: Record<string, string>;
  links: { trace_id: string; span_id: string }[];
  duration_ms: number;
}
const spansOf = (traceId: string): Promise<Stored[]> => store.query<Stored>('SELECT * FROM spans FINAL WHERE trace_id = {t:String} ORDER BY start', { t: traceId });

/** Emits a producer -> consumer -> internal chain of `n` spans under one root, in one trace. Returns its trace id and span ids by name. */
function emitTrace(tracer: Tracer, orderId: string): { traceId: string; ids: Map<string, string>; parents: Map<string, string> } {
  const ids = new Map<string, string>();
  const parents = new Map<string, string>();
  const root = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/orders', 'order.id': orderId } });
  const rootCtx = trace.setSpan(context.active(), root);
  const send = tracer.startSpan('orders publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.message.id': 'ev-1', 'messaging.kafka.message.key': orderId } }, rootCtx);
  const recv = tracer.startSpan('orders process', { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.message.id': 'ev-1', 'order.id': orderId, attempt: 2, ok: true } }, trace.setSpan(rootCtx, send));
  const work = tracer.startSpan('reserve stock', { links: [{ context: send.spanContext() }] }, trace.setSpan(rootCtx, recv));
  work.setStatus({ code: 2, message: 'shortage' });
  for (const [name, span, parent] of [
    ['POST /orders', root, undefined],
    ['orders publish', send, root],
    ['orders process', recv, send],
    ['reserve stock', work, recv],
  ] as const) {
    ids.set(name, span.spanContext().spanId);
    if (parent) parents.set(name, parent.spanContext().spanId);
  }
  for (const s of [work, recv, send, root]) s.end();
  return { traceId: root.spanContext().traceId, ids, parents };
}

async function exportWith(exporter: SpanExporter, orderId: string): Promise<ReturnType<typeof emitTrace>> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'inventory-svc' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const t = emitTrace(provider.getTracer('test'), orderId);
  await provider.forceFlush();
  await provider.shutdown();
  return t;
}

async function expectWhole(t: ReturnType<typeof emitTrace>, orderId: string): Promise<void> {
  const rows = await spansOf(t.traceId);
  expect(rows).toHaveLength(4);
  for (const r of rows) {
    expect(r.span_id).toBe(t.ids.get(r.name));
    expect(r.parent_span_id).toBe(t.parents.get(r.name) ?? '');
    expect(r.service).toBe('inventory-svc');
  }
  const byName = new Map(rows.map((r) => [r.name, r]));
  expect(byName.get('POST /orders')).toMatchObject({ kind: 'server', system: 'http', destination: '/orders', order_id: orderId });
  expect(byName.get('orders publish')).toMatchObject({ kind: 'producer', system: 'kafka', destination: 'orders', event_id: 'ev-1', order_id: orderId });
  expect(byName.get('orders process')?.attributes).toMatchObject({ attempt: '2', ok: 'true', 'order.id': orderId });
  expect(byName.get('reserve stock')).toMatchObject({ kind: 'internal', status_code: 'error', links: [{ trace_id: t.traceId, span_id: t.ids.get('orders publish') }] });
}

describe('OTLP/HTTP receiver', () => {
  it('a trace exported by the standard OpenTelemetry SDK exporter (protobuf, gzip) arrives whole', async () => {
    const t = await exportWith(new ProtoExporter({ url, compression: CompressionAlgorithm.GZIP }), 'o-proto');
    expect(seen.at(-1)).toEqual({ contentType: 'application/x-protobuf', encoding: 'gzip', status: 200 });
    await expectWhole(t, 'o-proto');
  });

  it('a trace exported by the OTLP/HTTP JSON exporter arrives whole', async () => {
    const t = await exportWith(new HttpJsonExporter({ url }), 'o-json');
    expect(seen.at(-1)?.contentType).toBe('application/json');
    await expectWhole(t, 'o-json');
  });

  it('the in-process exporter stores the same rows', async () => {
    const t = await exportWith(createStoreSpanExporter(store), 'o-inproc');
    await expectWhole(t, 'o-inproc');
  });

  it('reads hand-written OTLP JSON: int64 as string or number, enum names, gzip, malformed ids rejected', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    // Recent whole seconds (the tables' TTL drops old rows): a string int64 and a JSON number past 2^53.
    const sec = BigInt(Math.floor(Date.now() / 1000) - 60);
    const start = (sec * 1_000_000_000n).toString();
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payment-svc' } }] },
          scopeSpans: [
            {
              scope: { name: 'manual' },
              spans: [
                { traceId: traceId.toUpperCase(), spanId: 'EEE19B7EC3C1B174', name: 'a', kind: 2, startTimeUnixNano: start, endTimeUnixNano: (BigInt(start) + 1_500_000_000n).toString(), attributes: [{ key: 'order.id', value: { stringValue: 'o-1' } }, { key: 'n', value: { intValue: '7' } }, { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 2 }] } } }] },
                { traceId, spanId: '1111111111111111', parentSpanId: 'eee19b7ec3c1b174', name: 'b', kind: 'SPAN_KIND_CONSUMER', startTimeUnixNano: Number(BigInt(start) + 100_000_000n), endTimeUnixNano: Number(BigInt(start) + 350_000_000n), status: { code: 'STATUS_CODE_OK' } },
                { traceId: 'xyz', spanId: '2222222222222222', name: 'bad' },
              ],
            },
          ],
        },
      ],
    };
    const raw = Buffer.from(JSON.stringify(body));
    const r = await receiver.receiveOtlpTraces(gzipSync(raw), 'application/json; charset=utf-8', 'gzip');
    expect(r).toEqual({ accepted: 2, rejected: 1, errorMessage: expect.stringContaining('1 span') });
    const rows = await store.query<Stored & { start: string }>('SELECT * FROM spans FINAL WHERE trace_id = {t:String} ORDER BY start', { t: traceId });
    expect(rows.map((x) => [x.name, x.kind, x.parent_span_id, x.service, x.status_code])).toEqual([
      ['a', 'server', '', 'payment-svc', 'unset'],
      ['b', 'consumer', 'eee19b7ec3c1b174', 'payment-svc', 'ok'],
    ]);
    expect(rows[0]?.duration_ms).toBe(1500);
    // A JSON number past 2^53 nanoseconds is already rounded by JSON.parse (to 128 ns here): close, not exact.
    expect(rows[1]?.duration_ms).toBeCloseTo(250, 3);
    expect(rows[0]?.start).toBe(new Date(Number(sec) * 1000).toISOString().replace('T', ' ').replace('.000Z', '.000000'));
    expect(rows[0]?.attributes).toEqual({ 'order.id': 'o-1', n: '7', tags: '["x","2"]' });
    // A re-sent batch (an exporter retrying) leaves one row per span.
    await receiver.receiveOtlpTraces(raw, 'application/json');
    expect(await store.query('SELECT * FROM spans FINAL WHERE trace_id = {t:String}', { t: traceId })).toHaveLength(2);
  });

  it('refuses what it cannot read with typed errors', async () => {
    await expect(receiver.receiveOtlpTraces(Buffer.from('{nope'), 'application/json')).rejects.toBeInstanceOf(OtlpDecodeError);
    await expect(receiver.receiveOtlpTraces(Buffer.from([0x0a, 0xff, 0xff]), 'application/x-protobuf')).rejects.toMatchObject({ code: 'OTLP_BAD_REQUEST', httpStatus: 400 });
    await expect(receiver.receiveOtlpTraces(Buffer.from('{}'), 'text/plain')).rejects.toBeInstanceOf(OtlpUnsupportedError);
    await expect(receiver.receiveOtlpTraces(Buffer.from('{}'), 'application/json', 'br')).rejects.toMatchObject({ httpStatus: 415 });
    await expect(receiver.receiveOtlpTraces(Buffer.from('{}'), 'application/json')).resolves.toEqual({ accepted: 0, rejected: 0 });
  });
});
