/**
 * GET /api/v1/audit: the audit trail, newest first, filtered and paged by an (at, id) cursor.
 */
import { ValidationError } from '../errors';
import { decodeCursor, page } from '../pagination';
import { chTimeToIso, sql } from '../queries/index';
import type { Ctx } from '../types';

/** Filters of {@link listAudit}; absent means any. */
export interface AuditQuery {
  limit: number;
  cursor?: string;
  from?: string;
  to?: string;
  action?: string;
  actor?: string;
  outcome?: string;
  target?: string;
}

interface Row {
  id: string;
  at: string;
  actor: string;
  actor_id: string;
  role: string;
  action: string;
  target: string;
  reason: string;
  selection: string;
  dry_run: number;
  preview: string;
  outcome: string;
  detail: string;
  idempotency_key: string;
  request_id: string;
}

const parse = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

/** One page of audit rows. */
export async function listAudit(ctx: Ctx, q: AuditQuery) {
  const before = q.cursor ? decodeCursor(q.cursor, ['at', 'id']) : { at: '2200-01-01 00:00:00.000', id: '' };
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})?$/.test(before.at)) {
    throw new ValidationError('The cursor is not one this API issued: pass back nextCursor unchanged.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'INVALID_CURSOR');
  }
  const rows = await ctx.store.query<Row>(sql('audit-list'), {
    from: q.from ? new Date(q.from) : new Date(0),
    to: q.to ? new Date(q.to) : new Date(ctx.clock.now() + 86_400_000),
    action: q.action ?? '',
    actor: q.actor ?? '',
    outcome: q.outcome ?? '',
    target: q.target ?? '',
    beforeAt: before.at,
    beforeId: before.id,
    limit: q.limit + 1,
  });
  const { items, nextCursor } = page(rows, q.limit, (last) => ({ at: last.at, id: last.id }));
  return {
    nextCursor,
    items: items.map((r) => ({
      id: r.id,
      at: chTimeToIso(r.at),
      actor: { id: r.actor_id, name: r.actor },
      role: r.role,
      action: r.action,
      target: r.target,
      reason: r.reason,
      selection: parse(r.selection),
      dryRun: Number(r.dry_run) === 1,
      preview: parse(r.preview),
      outcome: r.outcome,
      detail: r.detail,
      idempotencyKey: r.idempotency_key,
      requestId: r.request_id,
    })),
  };
}
