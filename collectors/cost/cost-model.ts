/**
 * The cost model: unit prices that turn what an order fanned out to into money. Parsed once from configuration
 * (zod; unknown keys fail fast), every price has a documented default. The defaults are public list prices of
 * the kind of managed service each resource stands for, rounded; override them with your own bill.
 *
 * Formulas (collectors/cost/README.md): a message costs `perMessage`; its bytes cost transfer
 * (`perMbTransferred` per 10^6 bytes) and storage (`perGbMonth` per 10^9 bytes for `storageMonths`); a job run
 * costs `perJob`; consumer time costs `perComputeSecond`; a prediction costs `perInference`. A retry costs what it
 * re-does: its message (and bytes), or its job run, plus the compute of the retried attempt.
 */
import { z } from 'zod';

/** Unit prices. */
export const CostModelSchema = z.strictObject({
  /** Currency the prices are in (default `USD`). */
  currency: z.string().min(1).default('USD'),
  /** Per Kafka message produced, originals, retries, dead letters, replays and redrives alike (default 0.0000004, i.e. $0.40 per million). */
  perMessage: z.number().nonnegative().default(0.0000004),
  /** Per GB (10^9 bytes) stored for a month (default 0.10). */
  perGbMonth: z.number().nonnegative().default(0.1),
  /** Months a message's bytes are kept (default 1: a 30-day retention). */
  storageMonths: z.number().nonnegative().default(1),
  /** Per MB (10^6 bytes) moved between services (default 0.00009, i.e. $0.09 per GB). */
  perMbTransferred: z.number().nonnegative().default(0.00009),
  /** Per BullMQ job run, each attempt counted (default 0.0000002). */
  perJob: z.number().nonnegative().default(0.0000002),
  /** Per second of consumer span time (default 0.0000166667, a 1 GB function-second). */
  perComputeSecond: z.number().nonnegative().default(0.0000166667),
  /** Per model prediction (default 0.00001). */
  perInference: z.number().nonnegative().default(0.00001),
});

/** A parsed cost model. */
export type CostModel = z.output<typeof CostModelSchema>;

/** The default cost model. */
export const DEFAULT_COST_MODEL: CostModel = CostModelSchema.parse({});

/** Error for a cost model that does not validate: names the offending keys. */
export class CostModelError extends Error {
  readonly code = 'COST_MODEL_INVALID';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CostModelError';
  }
}

/** Parses a cost model from configuration (partial: defaults fill the rest). Throws {@link CostModelError}. */
export function parseCostModel(input: unknown = {}): CostModel {
  const r = CostModelSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CostModelError(`invalid cost model: ${issues}`, { cause: r.error });
  }
  return r.data;
}
