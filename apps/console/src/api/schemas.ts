/**
 * Lenient response schemas. A field the console needs but the server leaves out, or sends with another type,
 * falls back to a neutral value (`.catch`) instead of breaking the page; unknown fields are kept (`looseObject`)
 * so the shaping functions can read the aliases listed in the report (e.g. `rate` or `ratePerSec`).
 */
import { z } from 'zod';

const num = z.number().catch(0);
const numOrNull = z.number().nullable().catch(null);
const str = z.string().catch('');
const strOrNull = z.string().nullable().catch(null);
const bool = z.boolean().catch(false);
const list = <T extends z.ZodType>(item: T) => z.array(item).catch([]);
/** Moves a list sent under another name (`alerts`, `silences`, `history`) to `items`. */
const itemsFrom = (...keys: string[]) => (v: unknown): unknown => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return Array.isArray(v) ? { items: v } : v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.items)) return o;
  for (const k of keys) if (Array.isArray(o[k])) return { ...o, items: o[k] };
  return o;
};
/** A percentile pair; a bare number is read as p50. */
const pct = z.preprocess((v) => (typeof v === 'number' ? { p50: v, p95: null } : v), z.looseObject({ p50: numOrNull, p95: numOrNull })).catch({ p50: null, p95: null });

export const GroupSummary = z.looseObject({ group: str, status: z.string().catch('UNKNOWN'), lagMessages: num, lagSeconds: numOrNull, topics: list(z.string()), partitions: num, reason: str, updatedAt: str });
export type GroupSummary = z.output<typeof GroupSummary>;
export const GroupList = z.looseObject({ items: list(GroupSummary), nextCursor: strOrNull.optional() });

export const PartitionRow = z.looseObject({ topic: str, partition: num, committed: num, logEnd: num, low: num, lagMessages: num, lagSeconds: numOrNull, noCommit: bool, updatedAt: str });
export const LagPoint = z.looseObject({ at: str, lagMessages: num, lagSeconds: numOrNull, partition: z.number().optional().catch(undefined), topic: z.string().optional().catch(undefined) });
export type LagPoint = z.output<typeof LagPoint>;
export const Member = z.looseObject({ memberId: str, clientId: str, host: str });
export const GroupDetail = z.looseObject({
  group: GroupSummary,
  partitions: list(PartitionRow),
  history: list(LagPoint),
  partitionHistory: list(LagPoint),
  statusHistory: list(z.looseObject({ at: str, status: str })),
  members: list(Member),
  membersNote: strOrNull.optional(),
});
export type GroupDetail = z.output<typeof GroupDetail>;

export const QueueCounts = z.looseObject({ waiting: num, active: num, delayed: num, failed: num, completed: num, paused: num, prioritized: num });
export const QueueSummary = z.looseObject({ queue: str, counts: QueueCounts.catch({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, paused: 0, prioritized: 0 }), waitMs: pct, processingMs: pct, retryRate: numOrNull, updatedAt: str });
export type QueueSummary = z.output<typeof QueueSummary>;
export const QueueList = z.looseObject({ items: list(QueueSummary) });

export const DlqItem = z.looseObject({ id: str, source: str, topic: str, partition: num, offset: z.union([z.number(), z.string()]).catch(''), key: strOrNull, orderId: strOrNull, eventType: str, error: str, errorClass: str, originTopic: str, group: str, attempts: num, failedAt: str, payload: z.unknown().optional(), headers: z.record(z.string(), z.unknown()).catch({}).optional(), redriveState: strOrNull.optional() });
export type DlqItem = z.output<typeof DlqItem>;
export const DlqList = z.looseObject({ items: list(DlqItem), nextCursor: strOrNull.optional(), total: numOrNull.optional() });

export const Span = z.looseObject({ spanId: str, parentSpanId: z.string().nullable().catch(null).transform((v) => v || null), waitMs: numOrNull.optional(), name: str, service: str, start: z.union([z.string(), z.number()]).catch(0), durationMs: num, stitched: bool, status: strOrNull.optional(), kind: strOrNull.optional(), attributes: z.record(z.string(), z.unknown()).catch({}).optional() });
export type Span = z.output<typeof Span>;
export const Trace = z.looseObject({ traceId: str, orderId: strOrNull, spans: list(Span), criticalPath: list(z.string()) });
export type Trace = z.output<typeof Trace>;

const Actor = z.looseObject({ id: str, name: str }).nullable().catch(null);
export const Throttle = z.looseObject({ kind: z.string().catch('group'), name: str, paused: bool, maxRate: numOrNull, expiresAt: strOrNull, setBy: Actor, setAt: strOrNull, reason: strOrNull });
export type Throttle = z.output<typeof Throttle>;
export const ThrottleList = z.looseObject({ items: list(Throttle) });

export const AuditRow = z.looseObject({ id: str, at: str, actor: Actor, role: str, action: str, target: str, reason: str, dryRun: bool, outcome: str, detail: str, selection: z.unknown().optional() });
export type AuditRow = z.output<typeof AuditRow>;
export const AuditList = z.looseObject({ items: list(AuditRow), nextCursor: strOrNull.optional() });

/** An alert (GET /api/v1/alerts: rule, state, labels, activeAt, since, ack, silencedBy), or a history transition. */
export const Alert = z.looseObject({
  fingerprint: str,
  rule: str,
  state: z.string().catch('firing'),
  labels: z.record(z.string(), z.string()).catch({}),
  annotations: z.record(z.string(), z.string()).catch({}),
  activeAt: str,
  since: str,
  at: str,
  value: numOrNull,
  ack: z.looseObject({ by: str, at: str, comment: str }).nullable().catch(null),
  silencedBy: list(z.string()),
  inhibitedBy: strOrNull,
});
export type Alert = z.output<typeof Alert>;
export const AlertList = z.preprocess(itemsFrom('alerts', 'history'), z.looseObject({ items: list(Alert), ruleErrors: list(z.looseObject({ rule: str, since: str, error: str })) }));
export const Silence = z.looseObject({ id: str, matchers: list(z.looseObject({ name: str, op: z.string().catch('='), value: str })), startsAt: str, endsAt: str, createdBy: str, comment: str, status: str });
export type Silence = z.output<typeof Silence>;
export const SilenceList = z.preprocess(itemsFrom('silences'), z.looseObject({ items: list(Silence) }));

export const Stage = z.looseObject({ stage: str, group: strOrNull.optional(), topic: strOrNull.optional(), queue: strOrNull.optional(), status: strOrNull.optional(), lagMessages: numOrNull.optional(), lagSeconds: numOrNull.optional() });
export type Stage = z.output<typeof Stage>;
/** GET /api/v1/overview: stages (rateIn, rateOut, lag, status, retryRate, errorRate, dlqCount) and delivery buckets. */
export const Overview = z.looseObject({
  stages: list(Stage),
  delivery: z.looseObject({ bucketSeconds: num, buckets: list(z.looseObject({ start: str, orders: num, p50: numOrNull, p99: numOrNull })) }).catch({ bucketSeconds: 0, buckets: [] }),
  at: str.optional(),
  windowSeconds: num.optional(),
});
export type Overview = z.output<typeof Overview>;

/** A replay or redrive (GET /api/v1/replays/{id}, and the 202 that starts one). */
export const ActionStatus = z.looseObject({ id: str, state: z.string().catch('queued'), matched: num, done: num, failed: num, skipped: num, failedAgain: num, detail: str });
export type ActionStatus = z.output<typeof ActionStatus>;

/** The whole body is kept loose: inference and cost are shaped in shape/inference.ts and shape/cost.ts. */
export const Loose = z.unknown();
export const SessionInfo = z.looseObject({ tokenId: str, name: str, role: z.string().catch('viewer') });
export type SessionInfo = z.output<typeof SessionInfo>;
