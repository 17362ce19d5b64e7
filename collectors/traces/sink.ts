/**
 * Where spans go: the `spans` table, in batches. Two doors lead here: the OTLP/HTTP receiver (other processes) and
 * {@link createStoreSpanExporter}, an OpenTelemetry SpanExporter the embedded pipeline registers behind its
 * BatchSpanProcessor so in-process spans skip the HTTP round trip.
 */
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Store, WriteResult } from '@switchyard/store';
import { attributeText, otlpStatus, toSpanRow, validIds, type SpanKindName, type SpanRow } from './span-row';

/** Writes span rows. Never throws: a failure comes back as a result for the caller to retry or drop. */
export interface SpanSink {
  write(rows: readonly SpanRow[]): Promise<WriteResult>;
}

/** Options of {@link createSpanSink}. */
export interface SpanSinkOptions {
  /** Rows per INSERT; a larger write is split (default 10000). */
  maxBatchRows?: number;
}

/** A sink inserting into the `spans` table of `store`. */
export function createSpanSink(store: Store, opts: SpanSinkOptions = {}): SpanSink {
  const max = Math.max(1, opts.maxBatchRows ?? 10_000);
  return {
    async write(rows) {
      let written = 0;
      for (let i = 0; i < rows.length; i += max) {
        const r = await store.insert('spans', rows.slice(i, i + max) as unknown as Record<string, unknown>[]);
        if (!r.ok) return r;
        written += r.rows;
      }
      return { ok: true, rows: written };
    },
  };
}

/** OpenTelemetry API SpanKind (0 internal ... 4 consumer) to the stored name. */
const API_KINDS: SpanKindName[] = ['internal', 'server', 'client', 'producer', 'consumer'];

const hrToNanos = (t: readonly [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** Converts an SDK span to a row (exported for tests and for callers holding ReadableSpans). */
export function readableSpanToRow(span: ReadableSpan): SpanRow | undefined {
  const ctx = span.spanContext();
  if (!validIds(ctx.traceId, ctx.spanId)) return undefined;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(span.attributes)) if (v !== undefined) attrs[k] = attributeText(v);
  return toSpanRow({
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    service: attributeText(span.resource.attributes['service.name']),
    kind: API_KINDS[span.kind] ?? 'unspecified',
    startNanos: hrToNanos(span.startTime),
    endNanos: hrToNanos(span.endTime),
    statusCode: otlpStatus(span.status.code),
    statusMessage: span.status.message ?? '',
    attributes: attrs,
    links: span.links.map((l) => ({ trace_id: l.context.traceId, span_id: l.context.spanId })),
  });
}

/**
 * An OpenTelemetry SpanExporter that writes straight into the store. Use it behind a BatchSpanProcessor: each
 * `export` call is one INSERT. A failed write reports FAILED to the processor (which drops the batch, as every
 * OTel exporter does); `shutdown` and `forceFlush` wait for writes in flight.
 */
export function createStoreSpanExporter(store: Store, opts: SpanSinkOptions = {}): SpanExporter {
  const sink = createSpanSink(store, opts);
  const pending = new Set<Promise<void>>();
  let stopped = false;
  const flush = async (): Promise<void> => {
    await Promise.all([...pending]);
  };
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      if (stopped) {
        done({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
        return;
      }
      const rows = spans.map(readableSpanToRow).filter((r): r is SpanRow => r !== undefined);
      const p = sink.write(rows).then(
        (r) => done(r.ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: r.error }),
        (err: unknown) => done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    async shutdown(): Promise<void> {
      stopped = true;
      await flush();
    },
    forceFlush: flush,
  };
}
