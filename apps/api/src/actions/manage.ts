/**
 * Reading and cancelling actions (replays and redrives alike): GET one, list, DELETE (cancel). A redrive's
 * `failedAgain` is counted at read time, from the dead letters that came back since it started.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { ActionContext } from '../handlers/throttles';
import { decodeCursor, page } from '../pagination';
import type { Ctx } from '../types';
import { auditAfter, auditBase, auditOrFail } from './common';
import { failedAgain } from './redrive';
import { cancelRunning, isRunningHere, listActions, readAction, type ActionKind, type ActionRecord } from './state';

/** An action with, for a redrive, the dead letters that failed again. */
export type ActionView = ActionRecord & { failedAgainIds?: { id: string; eventId: string }[] };

/** One action, or NotFoundError. */
export async function getAction(ctx: Ctx, kind: ActionKind, id: string): Promise<ActionView> {
  const rec = await readAction(ctx.store, kind, id, ctx.clock.now());
  if (!rec) throw new NotFoundError(`No ${kind} with id ${id}.`);
  if (kind !== 'redrive' || !rec.startedAt) return rec;
  const again = await failedAgain(ctx, id, new Date(rec.startedAt));
  return { ...rec, failedAgain: again.length, failedAgainIds: again };
}

/** Actions of a kind, newest first, one page at a time. */
export async function listActionPage(ctx: Ctx, kind: ActionKind, q: { limit: number; cursor?: string }): Promise<{ items: ActionRecord[]; nextCursor: string | null }> {
  const c = q.cursor ? decodeCursor(q.cursor, ['t', 'i']) : undefined;
  const rows = await listActions(ctx.store, kind, { limit: q.limit + 1, beforeTs: c?.t, beforeId: c?.i }, ctx.clock.now());
  return page(rows, q.limit, (last) => ({ t: last.createdAt, i: last.id }));
}

/**
 * Cancels a queued or running action of this process: it stops before its next batch (what was published stays
 * published). 409 `ACTION_FINISHED` when it already ended, `ACTION_ELSEWHERE` when another API process runs it.
 */
export async function cancelAction(ctx: Ctx, act: ActionContext, kind: ActionKind, id: string, reason: string): Promise<ActionRecord> {
  if (reason.trim().length < 3) throw new ValidationError('Cancelling needs a reason of 3 to 500 characters, in the body or as ?reason=.', [{ path: 'body.reason', message: 'required' }]);
  const rec = await readAction(ctx.store, kind, id, ctx.clock.now());
  if (!rec) throw new NotFoundError(`No ${kind} with id ${id}.`);
  if (rec.state === 'done' || rec.state === 'failed' || rec.state === 'cancelled') throw new ConflictError(`This ${kind} already ended (${rec.state}); nothing to cancel.`, 'ACTION_FINISHED');
  if (!isRunningHere(id)) throw new ConflictError(`This ${kind} runs in another API process; cancel it there.`, 'ACTION_ELSEWHERE');
  const base = auditBase(ctx, act, `${kind}:${id}`, reason);
  await auditOrFail(ctx, { ...base, action: `${kind}.cancel`, selection: { id }, outcome: 'accepted' });
  cancelRunning(id);
  const deadline = Date.now() + 10_000;
  let now = rec;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (isRunningHere(id)) continue;
    now = (await readAction(ctx.store, kind, id, ctx.clock.now())) ?? rec;
    break;
  }
  await auditAfter(ctx, base.at, { ...base, action: `${kind}.cancel`, selection: { id }, outcome: 'done', detail: `state ${now.state} after ${now.done} of ${now.matched}` });
  return now;
}
