/**
 * One Kafka message → one `events` row. Envelope metadata comes from the Switchyard headers when present (any
 * producer using @switchyard/bus sets them), else from the JSON envelope in the value. A message that is neither
 * (not JSON, no envelope, not even UTF-8) is still a row: type `unknown`, its raw bytes kept in `payload`.
 */
import { isUtf8 } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS } from '@switchyard/bus/types';

/** A row of the `events` table (packages/store/migrations/0001_events.sql). */
export interface EventRow extends Record<string, unknown> {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string (64-bit). */
  offset: string;
  key: string;
  event_id: string;
  type: string;
  version: number;
  order_id: string;
  trace_id: string;
  span_id: string;
  causation_id: string;
  correlation_id: string;
  source: string;
  /** Bytes of key + value + headers. */
  bytes: number;
  produced_at: Date;
  tapped_at: Date;
  headers: Record<string, string>;
  /** The value as UTF-8 text, or base64 when it is not UTF-8 (then `headers['sy-tap-encoding'] = 'base64'`). */
  payload: string;
  is_retry: boolean;
  is_dlq: boolean;
  replay_id: string;
  redrive_id: string;
}

/** Header the tap adds to a row (never to the message) when it had to base64 the payload. */
export const TAP_ENCODING_HEADER = 'sy-tap-encoding';

/** Trace and span id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`); empty strings when absent or invalid. */
export function parseTraceparent(value: string | undefined): { traceId: string; spanId: string } {
  const m = value ? /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}/.exec(value.trim().toLowerCase()) : null;
  return m ? { traceId: m[1] ?? '', spanId: m[2] ?? '' } : { traceId: '', spanId: '' };
}

function headerText(v: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  return one === undefined ? undefined : one.toString();
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));

/** Builds the row of one message. Never throws on message content. */
export function toEventRow(topic: string, partition: number, m: KafkaMessage, tappedAt: number): EventRow {
  const headers: Record<string, string> = {};
  let headerBytes = 0;
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const t = headerText(v);
    if (t === undefined) continue;
    headers[k] = t;
    headerBytes += k.length + Buffer.byteLength(t);
  }
  const value = m.value ?? Buffer.alloc(0);
  let payload: string;
  let env: Record<string, unknown> = {};
  if (isUtf8(value)) {
    payload = value.toString('utf8');
    try {
      const parsed: unknown = JSON.parse(payload);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) env = parsed as Record<string, unknown>;
    } catch {
      // not JSON: stored as is, type unknown
    }
  } else {
    payload = value.toString('base64');
    headers[TAP_ENCODING_HEADER] = 'base64';
  }
  const h = (name: string): string | undefined => headers[name] || undefined;
  const isEnvelope = typeof env.id === 'string' && typeof env.type === 'string';
  const { traceId, spanId } = parseTraceparent(h(HEADERS.traceparent));
  const version = Number(h(HEADERS.eventVersion) ?? (isEnvelope ? env.version : 0));
  const attempt = Number(h(HEADERS.attempt) ?? 1);
  const ts = Number(m.timestamp);
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : '',
    event_id: h(HEADERS.eventId) ?? (isEnvelope ? str(env.id) : ''),
    type: h(HEADERS.eventType) ?? (isEnvelope ? str(env.type) : 'unknown'),
    version: Number.isInteger(version) && version >= 0 && version < 65536 ? version : 0,
    order_id: h(HEADERS.orderId) ?? (isEnvelope ? str(env.orderId) : ''),
    trace_id: traceId,
    span_id: spanId,
    causation_id: h(HEADERS.causationId) ?? (isEnvelope ? str(env.causationId) : ''),
    correlation_id: h(HEADERS.correlationId) ?? (isEnvelope ? str(env.correlationId) : ''),
    source: h(HEADERS.source) ?? (isEnvelope ? str(env.source) : ''),
    bytes: value.length + (m.key?.length ?? 0) + headerBytes,
    produced_at: new Date(Number.isFinite(ts) && ts > 0 ? ts : tappedAt),
    tapped_at: new Date(tappedAt),
    headers,
    payload,
    is_retry: topic.endsWith('.retry') || attempt > 1,
    is_dlq: topic.endsWith('.dlq'),
    replay_id: h(HEADERS.replay) ?? '',
    redrive_id: h(HEADERS.redrive) ?? '',
  };
}
