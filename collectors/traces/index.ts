/**
 * collectors/traces: OTLP/HTTP span receiver, in-process span exporter, and the order trace (stitching, per-hop
 * latency, critical path). See README.md.
 */
export {
  createOtlpTraceReceiver,
  decodeOtlpTraces,
  requestToRows,
  OtlpDecodeError,
  OtlpUnsupportedError,
  SpanWriteError,
  type OtlpReceiveResult,
  type OtlpTraceReceiver,
} from './otlp';
export { createSpanSink, createStoreSpanExporter, readableSpanToRow, type SpanSink, type SpanSinkOptions } from './sink';
export { SPAN_ATTRIBUTES, toSpanRow, nanosToDateTime64, type SpanRow, type SpanCore, type SpanKindName } from './span-row';
export { buildTrace, criticalPath, type StoredSpan, type Trace, type TraceSpan, type TraceHop } from './stitch';
export { getTrace, getOrderTrace, type TraceQueryOptions } from './trace-query';
