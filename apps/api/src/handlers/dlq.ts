/**
 * The DLQ browser's reads over collectors/dlq: search (topic, key/order id/error text, time range, cursor) and one
 * entry with its payload and headers.
 */
import { readFileSync } from 'node:fs';
import { InvalidCursorError, searchDeadLetters, type DeadLetter } from '@switchyard/collectors/dlq';
import { NotFoundError, ValidationError } from '../errors';
import { chTimeToIso } from '../queries/index';
import type { Ctx } from '../types';

const ENTRY = readFileSync(new URL('./sql/dlq-entry.sql', import.meta.url), 'utf8');

/** A dead letter as listed. */
export interface DeadLetterItem {
  id: string;
  source: 'kafka' | 'bullmq';
  topic: string;
  partition: number;
  offset: string;
  key: string;
  orderId: string;
  eventType: string;
  error: string;
  errorClass: string;
  originTopic: string;
  group: string;
  attempts: number;
  firstFailedAt: string;
  failedAt: string;
  redriveState: string;
  redrivenAt: string | null;
}

/** A dead letter with what it carried. */
export type DeadLetterDetail = DeadLetterItem & { originPartition: number; originOffset: string; payload: string; headers: Record<string, string> };

function toItem(d: DeadLetter): DeadLetterItem {
  return {
    id: d.id,
    source: d.source,
    topic: d.topic,
    partition: Number(d.partition),
    offset: String(d.offset),
    key: d.key,
    orderId: d.order_id,
    eventType: d.event_type,
    error: d.error_message,
    errorClass: d.error_class,
    originTopic: d.origin_topic,
    group: d.group,
    attempts: Number(d.attempts),
    firstFailedAt: chTimeToIso(d.first_failed_at),
    failedAt: chTimeToIso(d.failed_at),
    redriveState: d.redrive_state,
    redrivenAt: d.redriven_at ? chTimeToIso(d.redriven_at) : null,
  };
}

/** Searches dead letters, newest failure first. */
export async function listDeadLetters(ctx: Ctx, q: { topic?: string; q?: string; from?: string; to?: string; limit: number; cursor?: string }): Promise<{ items: DeadLetterItem[]; nextCursor: string | null }> {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new ValidationError('The time range is inverted.', [{ path: 'query.to', message: 'must be after from' }]);
  try {
    const res = await searchDeadLetters(ctx.store, { topic: q.topic, q: q.q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, limit: q.limit, cursor: q.cursor });
    return { items: res.items.map(toItem), nextCursor: res.nextCursor };
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new ValidationError('The cursor is not one this API issued: pass back nextCursor unchanged.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'INVALID_CURSOR');
    throw err;
  }
}

/** One dead letter with payload and headers, or NotFoundError. */
export async function getDeadLetter(ctx: Ctx, id: string): Promise<DeadLetterDetail> {
  const [d] = await ctx.store.query<DeadLetter>(ENTRY, { id });
  if (!d) throw new NotFoundError(`No dead letter with id ${id}.`);
  return { ...toItem(d), originPartition: Number(d.origin_partition), originOffset: String(d.origin_offset), payload: d.payload, headers: d.headers };
}
