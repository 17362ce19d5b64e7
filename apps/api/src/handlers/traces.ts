/**
 * Trace reads over collectors/traces (one trace by id, or an order's trace stitched from intake to delivery) and the
 * OTLP/HTTP receiver's adapter, which maps the receiver's typed errors to API problems.
 */
import { createOtlpTraceReceiver, createSpanSink, OtlpDecodeError, OtlpUnsupportedError, SpanWriteError, type OtlpReceiveResult, type OtlpTraceReceiver, type Trace } from '@switchyard/collectors/traces';
import { getOrderTrace, getTrace } from '@switchyard/collectors/traces';
import { NotFoundError, UnavailableError } from '../errors';
import { OtlpRequestError } from '../actions/errors';
import type { Ctx } from '../types';

/** The trace `traceId` (with traces stitched onto it), or NotFoundError. */
export async function traceById(ctx: Ctx, traceId: string): Promise<Trace> {
  const t = await getTrace(ctx.store, traceId.toLowerCase());
  if (!t) throw new NotFoundError(`No span has trace id ${traceId}.`, 'TRACE_NOT_FOUND');
  return t;
}

/** The order's trace, from intake to delivery, or NotFoundError. */
export async function traceOfOrder(ctx: Ctx, orderId: string): Promise<Trace> {
  const t = await getOrderTrace(ctx.store, orderId);
  if (!t) throw new NotFoundError(`No span belongs to order ${orderId}.`, 'TRACE_NOT_FOUND');
  return t;
}

const receivers = new WeakMap<object, OtlpTraceReceiver>();

/** Stores one OTLP export request. Throws OtlpRequestError (400/415) or UnavailableError (503). */
export async function receiveTraces(ctx: Ctx, body: Uint8Array, contentType: string, contentEncoding: string): Promise<OtlpReceiveResult> {
  let r = receivers.get(ctx.store);
  if (!r) receivers.set(ctx.store, (r = createOtlpTraceReceiver(createSpanSink(ctx.store))));
  try {
    return await r.receiveOtlpTraces(body, contentType, contentEncoding);
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw new OtlpRequestError(err.message, 400, err.code);
    if (err instanceof OtlpUnsupportedError) throw new OtlpRequestError(err.message, 415, err.code);
    if (err instanceof SpanWriteError) throw new UnavailableError('The spans could not be stored now; retry.', err.code, { cause: err });
    throw err;
  }
}

/** OTLP's ExportTraceServiceResponse as protobuf: empty, or with partial_success {rejected_spans, error_message}. */
export function otlpProtoResponse(res: OtlpReceiveResult): Uint8Array {
  if (!res.rejected) return new Uint8Array(0);
  const varint = (n: number): number[] => {
    const out: number[] = [];
    let v = n;
    while (v > 127) {
      out.push((v & 127) | 128);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return out;
  };
  const msg = Buffer.from(res.errorMessage ?? '', 'utf8');
  const inner = [0x08, ...varint(res.rejected), 0x12, ...varint(msg.length), ...msg];
  return Uint8Array.from([0x0a, ...varint(inner.length), ...inner]);
}
