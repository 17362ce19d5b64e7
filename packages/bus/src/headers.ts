/**
 * Kafka headers: what Switchyard writes on a message, and the bookkeeping a retry or dead letter adds.
 * Times in headers are epoch milliseconds as decimal strings (`sy-produced-at`, `sy-not-before`, failure times).
 */
import type { IHeaders } from 'kafkajs';
import type { Envelope } from '@switchyard/contracts/envelope';
import { HEADERS } from './types';

/** Longest error message kept in a header; longer ones are cut with an ellipsis. */
export const MAX_ERROR_MESSAGE = 1000;

/** Headers as plain strings (the last value wins when a header repeats; Buffers are read as UTF-8). */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[k] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}

/** The envelope's metadata as headers (trace context is added by the producer span, not here). */
export function envelopeHeaders(event: Envelope, producedAt: number): Record<string, string> {
  const h: Record<string, string> = {
    [HEADERS.eventId]: event.id,
    [HEADERS.eventType]: event.type,
    [HEADERS.eventVersion]: String(event.version),
    [HEADERS.orderId]: event.orderId,
    [HEADERS.correlationId]: event.correlationId,
    [HEADERS.source]: event.source,
    [HEADERS.producedAt]: String(producedAt),
  };
  if (event.causationId) h[HEADERS.causationId] = event.causationId;
  return h;
}

/** Where a failing message came from and how it failed, carried from retry to retry and onto the dead letter. */
export interface FailureRecord {
  /** Attempts made so far, the failed one included. */
  attempt: number;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  group: string;
  errorClass: string;
  errorMessage: string;
  errorCode: string;
  firstFailureAt: number;
  lastFailureAt: number;
}

/**
 * Bookkeeping headers that a retry or dead letter replaces; everything else is carried over (trace context too:
 * the send span replaces it when tracing is on, and it passes through unchanged when it is off).
 */
const BOOKKEEPING = new Set<string>([
  HEADERS.attempt,
  HEADERS.originalTopic,
  HEADERS.originalPartition,
  HEADERS.originalOffset,
  HEADERS.group,
  HEADERS.errorClass,
  HEADERS.errorMessage,
  HEADERS.errorCode,
  HEADERS.firstFailureAt,
  HEADERS.lastFailureAt,
  HEADERS.notBefore,
]);

/** The headers of a retry (with `notBefore`) or a dead letter (without) of a message with `original` headers. */
export function failureHeaders(original: Record<string, string>, f: FailureRecord, notBefore?: number): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(original)) if (!BOOKKEEPING.has(k)) h[k] = v;
  h[HEADERS.attempt] = String(f.attempt);
  h[HEADERS.originalTopic] = f.originalTopic;
  h[HEADERS.originalPartition] = String(f.originalPartition);
  h[HEADERS.originalOffset] = f.originalOffset;
  h[HEADERS.group] = f.group;
  h[HEADERS.errorClass] = f.errorClass;
  h[HEADERS.errorMessage] = truncate(f.errorMessage, MAX_ERROR_MESSAGE);
  h[HEADERS.errorCode] = f.errorCode;
  h[HEADERS.firstFailureAt] = String(f.firstFailureAt);
  h[HEADERS.lastFailureAt] = String(f.lastFailureAt);
  if (notBefore !== undefined) h[HEADERS.notBefore] = String(notBefore);
  return h;
}

/** Reads an integer header, or `fallback` when it is missing or not a number. */
export function intHeader(h: Record<string, string>, name: string, fallback: number): number {
  const v = h[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The class, message and code of anything thrown. Code: the error's string `code`, else `ERROR`. */
export function describeError(err: unknown): { errorClass: string; errorMessage: string; errorCode: string; retriable: boolean } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const retriable = (err as { retriable?: unknown }).retriable !== false;
    return { errorClass: err.name || err.constructor.name, errorMessage: err.message, errorCode: typeof code === 'string' ? code : 'ERROR', retriable };
  }
  return { errorClass: typeof err, errorMessage: String(err), errorCode: 'ERROR', retriable: true };
}
