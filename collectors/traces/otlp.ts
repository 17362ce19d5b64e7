/**
 * OTLP/HTTP trace receiver, framework-free: the route adapter hands over the body and two headers and maps the
 * result (or the typed error) to a response. Accepts `application/json` (OTLP/JSON: hex ids, int64 as string or
 * number) and `application/x-protobuf`, optionally gzip-compressed.
 */
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequestProto } from './otlp-proto';
import type { SpanSink } from './sink';
import { attributeText, otlpKind, otlpStatus, toNanos, toSpanRow, validIds, type SpanRow } from './span-row';

/** The request cannot be read (bad JSON, bad protobuf, bad gzip). The client should not retry: HTTP 400. */
export class OtlpDecodeError extends Error {
  readonly code = 'OTLP_BAD_REQUEST';
  readonly retriable = false;
  readonly httpStatus = 400;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtlpDecodeError';
  }
}

/** A content type or encoding the receiver does not speak: HTTP 415. */
export class OtlpUnsupportedError extends Error {
  readonly code = 'OTLP_UNSUPPORTED_MEDIA_TYPE';
  readonly retriable = false;
  readonly httpStatus = 415;
  constructor(message: string) {
    super(message);
    this.name = 'OtlpUnsupportedError';
  }
}

/** The spans were read but could not be stored. `retriable` follows the store's verdict (HTTP 503 when true). */
export class SpanWriteError extends Error {
  readonly code = 'SPAN_WRITE_FAILED';
  readonly httpStatus: number;
  constructor(message: string, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpanWriteError';
    this.httpStatus = retriable ? 503 : 500;
  }
}

/** What one export request came to (OTLP's partial-success response carries `rejected` and `errorMessage`). */
export interface OtlpReceiveResult {
  accepted: number;
  rejected: number;
  errorMessage?: string;
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k);

// Own properties only: a decoded protobufjs message keeps unset fields' defaults on its prototype.
function anyValue(v: unknown): unknown {
  const o = asObj(v);
  if (has(o, 'stringValue')) return o.stringValue;
  if (has(o, 'boolValue')) return o.boolValue;
  if (has(o, 'intValue')) return String(o.intValue);
  if (has(o, 'doubleValue')) return Number(o.doubleValue);
  if (has(o, 'arrayValue')) return asArr(asObj(o.arrayValue).values).map(anyValue);
  if (has(o, 'kvlistValue')) return Object.fromEntries(asArr(asObj(o.kvlistValue).values).map((kv) => [String(asObj(kv).key), anyValue(asObj(kv).value)]));
  if (has(o, 'bytesValue')) return Buffer.from(o.bytesValue as Uint8Array).toString('base64');
  return '';
}

function attributes(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of asArr(list)) {
    const o = asObj(kv);
    if (typeof o.key === 'string') out[o.key] = attributeText(anyValue(o.value));
  }
  return out;
}

/** Protobuf bytes to lower-case hex. */
const bytesHex = (v: unknown): string => (v instanceof Uint8Array && v.length ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') : '');
/** OTLP/JSON ids are hex already; normalise case. */
const hex = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');

/**
 * Walks an ExportTraceServiceRequest (OTLP/JSON shape) into rows. `idOf` converts an id field (hex for JSON,
 * bytes for decoded protobuf). Spans with malformed ids are counted as rejected, not stored.
 */
export function requestToRows(request: unknown, idOf: (v: unknown) => string): { rows: SpanRow[]; rejected: number } {
  const rows: SpanRow[] = [];
  let rejected = 0;
  for (const rs of asArr(asObj(request).resourceSpans)) {
    const resource = attributes(asObj(asObj(rs).resource).attributes);
    const service = resource['service.name'] ?? '';
    for (const ss of asArr(asObj(rs).scopeSpans)) {
      for (const sv of asArr(asObj(ss).spans)) {
        const s = asObj(sv);
        const traceId = idOf(s.traceId);
        const spanId = idOf(s.spanId);
        if (!validIds(traceId, spanId)) {
          rejected++;
          continue;
        }
        const status = asObj(s.status);
        rows.push(
          toSpanRow({
            traceId,
            spanId,
            parentSpanId: idOf(s.parentSpanId),
            name: typeof s.name === 'string' ? s.name : '',
            service,
            kind: otlpKind(s.kind),
            startNanos: toNanos(s.startTimeUnixNano),
            endNanos: toNanos(s.endTimeUnixNano),
            statusCode: otlpStatus(status.code),
            statusMessage: typeof status.message === 'string' ? status.message : '',
            attributes: attributes(s.attributes),
            links: asArr(s.links)
              .map((l) => ({ trace_id: idOf(asObj(l).traceId), span_id: idOf(asObj(l).spanId) }))
              .filter((l) => l.trace_id && l.span_id),
          }),
        );
      }
    }
  }
  return { rows, rejected };
}

/**
 * Decodes an OTLP/HTTP trace request body into span rows. `contentEncoding` `gzip` (or a body that starts with
 * the gzip magic bytes) is inflated first. Throws {@link OtlpUnsupportedError} or {@link OtlpDecodeError}.
 */
export function decodeOtlpTraces(body: Uint8Array, contentType: string, contentEncoding = ''): { rows: SpanRow[]; rejected: number } {
  const encoding = contentEncoding.trim().toLowerCase();
  let raw = body;
  if (encoding === 'gzip' || (encoding === '' && body[0] === 0x1f && body[1] === 0x8b)) {
    try {
      raw = gunzipSync(body);
    } catch (err) {
      throw new OtlpDecodeError(`gzip body could not be inflated: ${(err as Error).message}`, { cause: err });
    }
  } else if (encoding !== '' && encoding !== 'identity') {
    throw new OtlpUnsupportedError(`Content-Encoding ${encoding} is not supported (use gzip or none)`);
  }
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
    } catch (err) {
      throw new OtlpDecodeError(`body is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    return requestToRows(parsed, hex);
  }
  if (type === 'application/x-protobuf' || type === 'application/protobuf') {
    let decoded: unknown;
    try {
      decoded = decodeTraceRequestProto(raw);
    } catch (err) {
      throw new OtlpDecodeError(`body is not a valid ExportTraceServiceRequest: ${(err as Error).message}`, { cause: err });
    }
    return requestToRows(decoded, bytesHex);
  }
  throw new OtlpUnsupportedError(`Content-Type ${type || '(none)'} is not supported (use application/json or application/x-protobuf)`);
}

/** A receiver bound to where its spans go. */
export interface OtlpTraceReceiver {
  /**
   * Handles one `POST /v1/traces` body. Resolves with accepted and rejected span counts; throws
   * {@link OtlpDecodeError} (400), {@link OtlpUnsupportedError} (415) or {@link SpanWriteError} (503 when retriable).
   */
  receiveOtlpTraces(body: Uint8Array, contentType: string, contentEncoding?: string): Promise<OtlpReceiveResult>;
}

/** Creates the OTLP/HTTP trace receiver writing into `sink` (one batch insert per request). */
export function createOtlpTraceReceiver(sink: SpanSink): OtlpTraceReceiver {
  return {
    async receiveOtlpTraces(body, contentType, contentEncoding) {
      const { rows, rejected } = decodeOtlpTraces(body, contentType, contentEncoding);
      const r = await sink.write(rows);
      if (!r.ok) throw new SpanWriteError(`could not store ${rows.length} spans: ${r.error.message}`, r.error.retriable, { cause: r.error });
      const result: OtlpReceiveResult = { accepted: rows.length, rejected };
      if (rejected) result.errorMessage = `${rejected} span(s) had malformed trace or span ids`;
      return result;
    },
  };
}
