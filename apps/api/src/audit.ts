/**
 * The audit trail: every operator action writes rows to ClickHouse `audit_log` (who, what, when, why, with what
 * selection and preview, and how it ended). Action engines call {@link audit}; GET /api/v1/audit reads it.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '@switchyard/store/types';
import type { StoreError } from '@switchyard/store/types';

/** How an action (or one step of it) ended. */
export type AuditOutcome = 'accepted' | 'rejected' | 'done' | 'failed' | 'cancelled';

/** One audit row, as action engines pass it. */
export interface AuditEntry {
  /** Row id (default a random UUID). */
  id?: string;
  /** When, epoch ms (from the caller's clock). */
  at: number;
  /** Who: the token's id and name. */
  actor: { id: string; name: string };
  /** The actor's role at the time. */
  role: string;
  /** What, e.g. `throttle.set`, `throttle.lift`, `replay.start`, `redrive.start`, `token.create`. */
  action: string;
  /** What it applies to, e.g. `group:payment-svc`. */
  target: string;
  /** The operator's reason (default ''). */
  reason?: string;
  /** The selection the action works on (stored as JSON; default null). */
  selection?: unknown;
  /** True for a dry run (default false). */
  dryRun?: boolean;
  /** What the dry run or the action foresaw (stored as JSON; default null). */
  preview?: unknown;
  outcome: AuditOutcome;
  /** Free text: why it was rejected, what failed (default ''). */
  detail?: string;
  /** The request's Idempotency-Key (default ''). */
  idempotencyKey?: string;
  /** The request id (default ''). */
  requestId?: string;
}

/** Result of {@link audit}: never throws, like every Store write. */
export type AuditResult = { ok: true; id: string } | { ok: false; id: string; error: StoreError };

/** Writes one audit row. Returns `{ ok: false }` instead of throwing when ClickHouse refuses it. */
export async function audit(store: Store, entry: AuditEntry): Promise<AuditResult> {
  const id = entry.id ?? randomUUID();
  const res = await store.insert('audit_log', [
    {
      id,
      at: new Date(entry.at),
      actor: entry.actor.name,
      actor_id: entry.actor.id,
      role: entry.role,
      action: entry.action,
      target: entry.target,
      reason: entry.reason ?? '',
      selection: JSON.stringify(entry.selection ?? null),
      dry_run: entry.dryRun ? 1 : 0,
      preview: JSON.stringify(entry.preview ?? null),
      outcome: entry.outcome,
      detail: entry.detail ?? '',
      idempotency_key: entry.idempotencyKey ?? '',
      request_id: entry.requestId ?? '',
    },
  ]);
  return res.ok ? { ok: true, id } : { ok: false, id, error: res.error };
}
