/**
 * One row of the `spans` table, and the derivations every span goes through whatever door it came in by (OTLP
 * JSON, OTLP protobuf, the in-process exporter): kind and status names, flattened attributes, and the Switchyard
 * columns read from well-known attributes (order id, event id, causation id, messaging system, destination).
 */

/** Span kinds as stored (OTLP's enum, lower-cased). */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** A row of `spans` (migration 0020). Times are UTC `YYYY-MM-DD HH:MM:SS.ffffff` strings (DateTime64(6)). */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  service: string;
  kind: SpanKindName;
  start: string;
  end: string;
  duration_ms: number;
  status_code: 'unset' | 'ok' | 'error';
  status_message: string;
  attributes: Record<string, string>;
  links: { trace_id: string; span_id: string }[];
  order_id: string;
  event_id: string;
  causation_id: string;
  /** `kafka`, `bullmq`, `http` or '' (anything else). */
  system: string;
  /** Topic, queue or HTTP route. */
  destination: string;
}

/** Attribute names the collector reads. Services that want stitching and per-order views set these. */
export const SPAN_ATTRIBUTES = {
  orderId: 'order.id',
  kafkaKey: 'messaging.kafka.message.key',
  messageId: 'messaging.message.id',
  causationId: 'switchyard.causation_id',
  messagingSystem: 'messaging.system',
  destination: 'messaging.destination.name',
} as const;

/** OTLP's SpanKind numbering (0 = unspecified ... 5 = consumer). */
const OTLP_KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Kind name from OTLP's number (JSON may also carry the enum name, e.g. `SPAN_KIND_SERVER`). */
export function otlpKind(kind: unknown): SpanKindName {
  if (typeof kind === 'string') {
    const name = kind.replace(/^SPAN_KIND_/, '').toLowerCase();
    return (OTLP_KINDS as string[]).includes(name) ? (name as SpanKindName) : 'unspecified';
  }
  return OTLP_KINDS[Number(kind ?? 0)] ?? 'unspecified';
}

/** Status name from OTLP's number (0 unset, 1 ok, 2 error) or enum name (`STATUS_CODE_ERROR`). */
export function otlpStatus(code: unknown): SpanRow['status_code'] {
  if (typeof code === 'string') {
    const name = code.replace(/^STATUS_CODE_/, '').toLowerCase();
    return name === 'ok' || name === 'error' ? name : 'unset';
  }
  return code === 1 ? 'ok' : code === 2 ? 'error' : 'unset';
}

/** Attribute value as stored in `Map(String, String)`: strings as they are, the rest as JSON. */
export function attributeText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

const pad = (n: number | bigint, w: number): string => String(n).padStart(w, '0');

/** Unix nanoseconds to the `DateTime64(6, 'UTC')` text ClickHouse parses exactly. */
export function nanosToDateTime64(nanos: bigint): string {
  const micros = nanos / 1000n;
  const ms = Number(micros / 1000n);
  const d = new Date(ms);
  const frac = micros % 1_000_000n;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(frac < 0n ? 0n : frac, 6)}`
  );
}

/** Parses an int64 that OTLP JSON gives as a string or a number, or protobufjs as a Long. */
export function toNanos(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (value && typeof value === 'object' && 'low' in value && 'high' in value) {
    const l = value as { low: number; high: number };
    return (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return 0n;
}

/** What is known about a span before the Switchyard columns are derived. */
export interface SpanCore {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  kind: SpanKindName;
  startNanos: bigint;
  endNanos: bigint;
  statusCode: SpanRow['status_code'];
  statusMessage: string;
  attributes: Record<string, string>;
  links: { trace_id: string; span_id: string }[];
}

function systemOf(attrs: Record<string, string>, kind: SpanKindName): string {
  const sys = (attrs[SPAN_ATTRIBUTES.messagingSystem] ?? '').toLowerCase();
  if (sys === 'kafka' || sys === 'bullmq') return sys;
  const http = 'http.request.method' in attrs || 'http.method' in attrs || 'http.route' in attrs;
  if (http && (kind === 'server' || kind === 'client')) return 'http';
  return '';
}

/** Builds the stored row, deriving order id, event id, causation id, system and destination from attributes. */
export function toSpanRow(s: SpanCore): SpanRow {
  const a = s.attributes;
  const system = systemOf(a, s.kind);
  const end = s.endNanos >= s.startNanos ? s.endNanos : s.startNanos;
  return {
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    name: s.name,
    service: s.service || 'unknown_service',
    kind: s.kind,
    start: nanosToDateTime64(s.startNanos),
    end: nanosToDateTime64(end),
    duration_ms: Number(end - s.startNanos) / 1e6,
    status_code: s.statusCode,
    status_message: s.statusMessage,
    attributes: a,
    links: s.links,
    order_id: a[SPAN_ATTRIBUTES.orderId] || a[SPAN_ATTRIBUTES.kafkaKey] || '',
    event_id: a[SPAN_ATTRIBUTES.messageId] ?? '',
    causation_id: a[SPAN_ATTRIBUTES.causationId] ?? '',
    system,
    destination: a[SPAN_ATTRIBUTES.destination] ?? a['messaging.destination'] ?? (system === 'http' ? (a['http.route'] ?? '') : ''),
  };
}

const HEX_ID = /^[0-9a-f]+$/;

/** True when trace and span ids are well-formed lower-case hex (32 and 16 digits) and not all zero. */
export function validIds(traceId: string, spanId: string): boolean {
  return traceId.length === 32 && spanId.length === 16 && HEX_ID.test(traceId) && HEX_ID.test(spanId) && !/^0+$/.test(traceId) && !/^0+$/.test(spanId);
}
