/**
 * What every action engine shares with the throttle handler: the audit base of a request, "audit or refuse",
 * follow-up rows that keep their order, and the new action's record.
 */
import { audit, type AuditEntry } from '../audit';
import { UnavailableError } from '../errors';
import type { ActionContext } from '../handlers/throttles';
import type { Ctx } from '../types';
import type { ActionKind, ActionRecord } from './state';

/** The audit fields of one request. */
export type AuditBase = Pick<AuditEntry, 'at' | 'actor' | 'role' | 'target' | 'reason' | 'requestId' | 'idempotencyKey'>;

/** The audit base of a request acting on `target`. */
export function auditBase(ctx: Ctx, act: ActionContext, target: string, reason: string): AuditBase {
  return { at: ctx.clock.now(), actor: { id: act.principal.tokenId, name: act.principal.name }, role: act.principal.role, target, reason, requestId: act.requestId, idempotencyKey: act.idempotencyKey };
}

/** Writes an audit row or refuses the action (503 AUDIT_UNAVAILABLE): an action that cannot be audited is not taken. */
export async function auditOrFail(ctx: Ctx, entry: AuditEntry): Promise<string> {
  const res = await audit(ctx.store, entry);
  if (!res.ok) throw new UnavailableError('The audit log cannot be written, so no action is taken; try again shortly.', 'AUDIT_UNAVAILABLE', { cause: res.error });
  return res.id;
}

/** Writes a follow-up audit row (done, failed, cancelled) one millisecond or more after `prev`; logs a refusal. */
export async function auditAfter(ctx: Ctx, prev: number, entry: Omit<AuditEntry, 'at'>): Promise<number> {
  const at = Math.max(ctx.clock.now(), prev + 1);
  const res = await audit(ctx.store, { ...entry, at });
  if (!res.ok) ctx.logger.error('audit of an action outcome failed', { err: res.error, action: entry.action, target: entry.target });
  return at;
}

/** A new record in state `queued`. */
export function newRecord(id: string, kind: ActionKind, base: AuditBase, selection: unknown, preview: unknown, matched: number): ActionRecord {
  const at = new Date(base.at).toISOString();
  return { id, kind, state: 'queued', matched, done: 0, failed: 0, skipped: 0, failedAgain: 0, createdBy: base.actor, reason: base.reason ?? '', selection, preview, detail: '', createdAt: at, startedAt: null, finishedAt: null, updatedAt: at };
}
