/**
 * Dead-letter search (collectors/dlq/search.sql): by topic or queue, by key, order id or error text, in a time
 * range, newest first, with an opaque cursor for the next page.
 */
import { readFileSync } from 'node:fs';
import type { Store } from '@switchyard/store';

const SEARCH = readFileSync(new URL('./search.sql', import.meta.url), 'utf8');

/** A search. */
export interface DeadLetterQuery {
  /** DLQ topic, its origin topic, or BullMQ queue (default any). */
  topic?: string;
  /** Exact key or order id, or text in the error message or class (default any). */
  q?: string;
  /** failed_at from, inclusive (default the epoch). */
  from?: Date;
  /** failed_at to, exclusive (default far future). */
  to?: Date;
  /** Page size, 1..1000 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** A dead letter as the store returns it (64-bit integers as strings, times as 'YYYY-MM-DD HH:MM:SS.mmm' UTC). */
export interface DeadLetter {
  id: string;
  source: 'kafka' | 'bullmq';
  topic: string;
  partition: number;
  offset: string;
  key: string;
  order_id: string;
  event_type: string;
  error_class: string;
  error_message: string;
  origin_topic: string;
  origin_partition: number;
  origin_offset: string;
  group: string;
  attempts: number;
  first_failed_at: string;
  failed_at: string;
  payload: string;
  headers: Record<string, string>;
  redrive_state: 'none' | 'pending' | 'redriven' | 'failed-again';
  redriven_at: string | null;
}

/** A page of results. */
export interface DeadLetterPage {
  items: DeadLetter[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A cursor that does not decode: the client sent something we did not issue. */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  readonly retriable = false;
  constructor() {
    super('cursor is not one this API issued; start from the first page');
    this.name = 'InvalidCursorError';
  }
}

/** Searches dead letters. Throws InvalidCursorError for a bad cursor, StoreError when the query fails. */
export async function searchDeadLetters(store: Store, query: DeadLetterQuery): Promise<DeadLetterPage> {
  const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 50)));
  let cursorTs = '1970-01-01 00:00:00.000';
  let cursorId = '';
  if (query.cursor) {
    const decoded = Buffer.from(query.cursor, 'base64url').toString('utf8');
    const sep = decoded.indexOf('|');
    if (sep < 0 || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(decoded.slice(0, sep))) throw new InvalidCursorError();
    cursorTs = decoded.slice(0, sep);
    cursorId = decoded.slice(sep + 1);
  }
  const items = await store.query<DeadLetter>(SEARCH, {
    topic: query.topic ?? '',
    q: query.q ?? '',
    from: query.from ?? new Date(0),
    to: query.to ?? new Date(Date.UTC(2100, 0, 1)),
    cursor_ts: cursorTs,
    cursor_id: cursorId,
    limit,
  });
  const last = items.at(-1);
  const nextCursor = items.length === limit && last ? Buffer.from(`${last.failed_at}|${last.id}`, 'utf8').toString('base64url') : null;
  return { items, nextCursor };
}
