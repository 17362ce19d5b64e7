/**
 * Inference and cost reads over collectors/inference and collectors/cost. Training references are loaded once per
 * process (packages/ml artifacts); without them drift is simply left out and a note says why.
 */
import { costPerOrder, costSummary, type CostSummary, type OrderCost } from '@switchyard/collectors/cost';
import { inferenceSummary, loadReferences, type ModelReferences, type ModelSummary } from '@switchyard/collectors/inference';
import { ValidationError } from '../errors';
import type { Ctx } from '../types';

let references: { refs: ModelReferences; note: string | null } | undefined;

function refs(ctx: Ctx): { refs: ModelReferences; note: string | null } {
  if (!references) {
    try {
      references = { refs: loadReferences(), note: null };
    } catch (err) {
      ctx.logger.warn('model training references unavailable; drift is left out', { err });
      references = { refs: {}, note: `training references unavailable (${(err as Error).message}): drift is left out` };
    }
  }
  return references;
}

/** Resolves ?from&to (default the last `defaultMs` before now); an inverted range is a ValidationError. */
export function window(ctx: Ctx, q: { from?: string; to?: string }, defaultMs: number): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date(ctx.clock.now());
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultMs);
  if (from >= to) throw new ValidationError('The time range is inverted.', [{ path: 'query.to', message: 'must be after from' }]);
  return { from, to };
}

/** Every model version with predictions in the window (default the last hour). */
export async function inference(ctx: Ctx, q: { from?: string; to?: string }): Promise<{ from: string; to: string; models: ModelSummary[]; note: string | null }> {
  const w = window(ctx, q, 3_600_000);
  const r = refs(ctx);
  const models = await inferenceSummary(ctx.store, { ...w, references: r.refs });
  return { from: w.from.toISOString(), to: w.to.toISOString(), models, note: r.note };
}

/** Cost over the window (default the last 24 hours), in buckets of `bucket` seconds (default 3600). */
export async function cost(ctx: Ctx, q: { from?: string; to?: string; bucket?: number }): Promise<CostSummary> {
  const w = window(ctx, q, 86_400_000);
  if (q.bucket !== undefined && (w.to.getTime() - w.from.getTime()) / 1000 / q.bucket > 2000) throw new ValidationError('Too many buckets: at most 2000 per request.', [{ path: 'query.bucket', message: 'too small for the range' }]);
  return costSummary(ctx.store, { ...w, bucket: q.bucket });
}

/** What one order fanned out to, priced. */
export async function orderCost(ctx: Ctx, orderId: string): Promise<OrderCost> {
  return costPerOrder(ctx.store, orderId);
}
