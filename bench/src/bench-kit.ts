/**
 * Small pieces the collector benches share: percentiles, a sleep, and a pipeline-like Kafka message (an envelope
 * with the headers @switchyard/bus writes plus a traceparent), so the tap does the same work as in production.
 */
import type { Message } from 'kafkajs';
import { newEnvelope } from '@switchyard/contracts/envelope';
import { envelopeHeaders } from '@switchyard/bus/headers';
import { HEADERS } from '@switchyard/bus/types';

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (0-100, nearest rank) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Rounds to `digits` decimals (figures, not maths). */
export const round = (n: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Six event types of the reference pipeline (packages/contracts), in flow order. */
export const PIPELINE_TYPES = ['OrderCreated', 'InventoryReserved', 'PaymentAuthorized', 'EtaPredicted', 'DriverAssigned', 'OrderDelivered'] as const;

/**
 * Message number `i` of a bench run: a pipeline envelope (type cycling through the stages, ~6 events per order),
 * keyed by order id, with bus headers and a W3C traceparent. `producedAt` goes in the Kafka timestamp too.
 */
export function benchMessage(i: number, producedAt: number): Message {
  const orderNo = Math.floor(i / PIPELINE_TYPES.length);
  const type = PIPELINE_TYPES[i % PIPELINE_TYPES.length]!;
  const e = newEnvelope({ type, version: 1, orderId: `o-${orderNo}`, source: 'bench', data: { sku: `sku-${orderNo % 977}`, qty: 1 + (i % 3), seq: i }, now: producedAt });
  const trace = orderNo.toString(16).padStart(32, '0');
  return {
    key: e.orderId,
    value: JSON.stringify(e),
    timestamp: String(producedAt),
    headers: { ...envelopeHeaders(e, producedAt), [HEADERS.traceparent]: `00-${trace}-${i.toString(16).padStart(16, '0')}-01` },
  };
}
