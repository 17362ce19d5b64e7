/**
 * Request and response schemas (zod, with OpenAPI metadata). Routes validate with them and the OpenAPI document
 * is generated from them; handlers only see the parsed, typed values.
 */
import { z } from '@hono/zod-openapi';

/** application/problem+json (RFC 9457) with Switchyard's stable `code`. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** Pagination query: `limit` (1..500, default 50) and an opaque `cursor`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
  cursor: z.string().max(1000).optional().openapi({ param: { name: 'cursor', in: 'query' } }),
});

const Name = z.string().regex(/^[A-Za-z0-9._:-]{1,249}$/, 'letters, digits and . _ : - only (1 to 249)');
const Iso = z.string().openapi({ format: 'date-time', example: '2025-01-01T00:00:00.000Z' });
const Reason = z.string().trim().min(3, 'a reason of 3 to 500 characters is required').max(500, 'a reason of 3 to 500 characters is required');
const BoolQuery = z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1');

export const ThrottleKind = z.enum(['group', 'queue']).openapi({ description: 'A Kafka consumer group or a BullMQ queue.' });

export const ThrottleParams = z.object({
  kind: ThrottleKind.openapi({ param: { name: 'kind', in: 'path' } }),
  name: Name.openapi({ param: { name: 'name', in: 'path' }, example: 'payment-svc' }),
});

export const DryRunQuery = z.object({ dryRun: BoolQuery.openapi({ param: { name: 'dryRun', in: 'query' }, type: 'boolean' }) });

export const ThrottleBody = z
  .strictObject({
    paused: z.boolean().optional(),
    maxRate: z.number().positive().max(1_000_000).nullable().optional().openapi({ description: 'Messages (or jobs) per second; null lifts the rate limit.' }),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional().openapi({ description: 'When the throttle lapses; null for never.' }),
    ttlSeconds: z.number().int().min(1).max(30 * 86_400).optional().openapi({ description: 'Lapses this many seconds from now (instead of expiresAt).' }),
    reason: Reason,
  })
  .openapi('ThrottleRequest');

export const LiftQuery = z.object({
  reason: z.string().optional().openapi({ param: { name: 'reason', in: 'query' } }),
  dryRun: BoolQuery.openapi({ param: { name: 'dryRun', in: 'query' }, type: 'boolean' }),
});
export const LiftBody = z.strictObject({ reason: Reason }).partial().openapi('ThrottleLiftRequest');
export { Reason };

const Actor = z.object({ id: z.string(), name: z.string() });

export const Throttle = z
  .object({
    kind: ThrottleKind,
    name: z.string(),
    paused: z.boolean(),
    maxRate: z.number().nullable(),
    expiresAt: Iso.nullable(),
    setBy: Actor.nullable(),
    setAt: Iso.nullable(),
    reason: z.string().nullable(),
  })
  .openapi('Throttle');

const ControlState = z.object({ paused: z.boolean(), maxRate: z.number().nullable(), expiresAt: Iso.nullable() });

export const ThrottlePreview = z
  .object({
    dryRun: z.literal(true),
    kind: ThrottleKind,
    name: z.string(),
    current: ControlState.nullable(),
    next: ControlState.nullable(),
    changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
    affected: z.object({
      consumers: z.array(z.object({ id: z.string(), host: z.string().optional() })),
      topics: z.array(z.string()),
      partitions: z.number().int().nullable(),
      note: z.string().nullable(),
    }),
  })
  .openapi('ThrottlePreview');

export const ThrottleResult = z
  .object({ dryRun: z.literal(false), auditId: z.string(), throttle: Throttle.nullable(), previous: ControlState.nullable() })
  .openapi('ThrottleResult');

export const ThrottleList = z.object({ items: z.array(Throttle) }).openapi('ThrottleList');

export const GroupSummary = z
  .object({
    group: z.string(),
    status: z.string(),
    lagMessages: z.number(),
    lagSeconds: z.number().nullable(),
    topics: z.array(z.string()),
    partitions: z.number().int(),
    reason: z.string(),
    updatedAt: Iso,
  })
  .openapi('ConsumerGroupSummary');
export const GroupList = z.object({ items: z.array(GroupSummary), nextCursor: z.string().nullable() }).openapi('ConsumerGroupList');

export const GroupParams = z.object({ group: Name.openapi({ param: { name: 'group', in: 'path' }, example: 'payment-svc' }) });
export const RangeQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ param: { name: 'from', in: 'query' }, description: 'Default: one hour before `to`.' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ param: { name: 'to', in: 'query' }, description: 'Default: now.' }),
});
export const GroupDetail = z
  .object({
    group: GroupSummary,
    partitions: z.array(
      z.object({ topic: z.string(), partition: z.number().int(), committed: z.number(), logEnd: z.number(), low: z.number(), lagMessages: z.number(), lagSeconds: z.number().nullable(), noCommit: z.boolean(), updatedAt: Iso }),
    ),
    history: z.array(z.object({ at: Iso, lagMessages: z.number(), lagSeconds: z.number().nullable() })),
    statusHistory: z.array(z.object({ at: Iso, status: z.string() })),
  })
  .openapi('ConsumerGroupDetail');

export const QueueCounts = z.object({ waiting: z.number(), active: z.number(), delayed: z.number(), failed: z.number(), completed: z.number(), paused: z.number(), prioritized: z.number() });
export const QueueSummary = z
  .object({
    queue: z.string(),
    counts: QueueCounts,
    waitMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
    processingMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
    retryRate: z.number().nullable().openapi({ description: 'Share of finished jobs (last hour) that needed more than one attempt.' }),
    updatedAt: Iso,
  })
  .openapi('QueueSummary');
export const QueueList = z.object({ items: z.array(QueueSummary), nextCursor: z.string().nullable() }).openapi('QueueList');

export const AuditQuery = PageQuery.extend({
  from: RangeQuery.shape.from,
  to: RangeQuery.shape.to,
  action: z.string().max(100).optional().openapi({ param: { name: 'action', in: 'query' } }),
  actor: z.string().max(200).optional().openapi({ param: { name: 'actor', in: 'query' }, description: 'Token name or id.' }),
  outcome: z.enum(['accepted', 'rejected', 'done', 'failed', 'cancelled']).optional().openapi({ param: { name: 'outcome', in: 'query' } }),
  target: z.string().max(500).optional().openapi({ param: { name: 'target', in: 'query' } }),
});
export const AuditRow = z
  .object({
    id: z.string(),
    at: Iso,
    actor: Actor,
    role: z.string(),
    action: z.string(),
    target: z.string(),
    reason: z.string(),
    selection: z.unknown(),
    dryRun: z.boolean(),
    preview: z.unknown(),
    outcome: z.string(),
    detail: z.string(),
    idempotencyKey: z.string(),
    requestId: z.string(),
  })
  .openapi('AuditRow');
export const AuditList = z.object({ items: z.array(AuditRow), nextCursor: z.string().nullable() }).openapi('AuditList');

const Role = z.enum(['viewer', 'operator', 'admin']);
export const TokenInfo = z
  .object({ id: z.string(), name: z.string(), role: Role, createdBy: z.string(), createdAt: Iso, revokedAt: Iso.nullable() })
  .openapi('Token');
export const TokenList = z.object({ items: z.array(TokenInfo) }).openapi('TokenList');
export const TokenCreate = z.strictObject({ name: z.string().trim().min(1).max(100), role: Role }).openapi('TokenCreateRequest');
export const TokenCreated = z
  .object({ token: z.string().nullable().openapi({ description: 'The secret: shown this once (null on an idempotent replay: it is never stored).' }), record: TokenInfo })
  .openapi('TokenCreated');
export const TokenParams = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' } }) });

export const SessionCreate = z.strictObject({ token: z.string().min(1).max(200) }).openapi('SessionRequest');
export const SessionInfo = z.object({ tokenId: z.string(), name: z.string(), role: Role }).openapi('Session');

// ---- Operator actions (replay, redrive, rewind) and the reads beside them (DLQ, traces, inference, cost, overview).

const IsoDateTime = z.iso.datetime({ offset: true });
const TopicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits and . _ - (1 to 249)');

export const DlqQuery = PageQuery.extend({
  topic: z.string().max(300).optional().openapi({ param: { name: 'topic', in: 'query' }, description: 'Dead-letter topic, its origin topic, or a BullMQ queue.' }),
  q: z.string().max(300).optional().openapi({ param: { name: 'q', in: 'query' }, description: 'Exact key or order id, or text in the error.' }),
  from: IsoDateTime.optional().openapi({ param: { name: 'from', in: 'query' } }),
  to: IsoDateTime.optional().openapi({ param: { name: 'to', in: 'query' } }),
});
export const DeadLetterItem = z
  .object({
    id: z.string(),
    source: z.enum(['kafka', 'bullmq']),
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string(),
    orderId: z.string(),
    eventType: z.string(),
    error: z.string(),
    errorClass: z.string(),
    originTopic: z.string(),
    group: z.string(),
    attempts: z.number().int(),
    firstFailedAt: Iso,
    failedAt: Iso,
    redriveState: z.string(),
    redrivenAt: Iso.nullable(),
  })
  .openapi('DeadLetter');
export const DeadLetterList = z.object({ items: z.array(DeadLetterItem), nextCursor: z.string().nullable() }).openapi('DeadLetterList');
export const DeadLetterDetail = DeadLetterItem.extend({ originPartition: z.number().int(), originOffset: z.string(), payload: z.string(), headers: z.record(z.string(), z.string()) }).openapi('DeadLetterDetail');
export const DlqParams = z.object({ id: z.string().min(1).max(600).openapi({ param: { name: 'id', in: 'path' }, example: 'kafka:payment-svc.dlq:0:42' }) });

export const TraceParams = z.object({ traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, '32 hex digits').openapi({ param: { name: 'traceId', in: 'path' } }) });
export const OrderParams = z.object({ orderId: z.string().min(1).max(200).openapi({ param: { name: 'orderId', in: 'path' } }) });
const TraceSpan = z.object({ traceId: z.string(), spanId: z.string(), parentSpanId: z.string(), name: z.string(), service: z.string(), kind: z.string(), start: Iso, durationMs: z.number(), stitched: z.boolean(), status: z.string(), waitMs: z.number().nullable() }).passthrough();
export const TraceView = z
  .object({
    traceId: z.string(),
    traceIds: z.array(z.string()),
    orderId: z.string(),
    start: Iso,
    durationMs: z.number(),
    spans: z.array(TraceSpan),
    hops: z.array(z.object({ consumerSpanId: z.string(), producerSpanId: z.string().nullable(), from: z.string(), to: z.string(), system: z.string(), destination: z.string(), waitMs: z.number().nullable(), durationMs: z.number(), stitched: z.boolean() })),
    criticalPath: z.array(z.string()),
  })
  .openapi('Trace');
export const OtlpResult = z.object({ partialSuccess: z.object({ rejectedSpans: z.number().int().optional(), errorMessage: z.string().optional() }).optional() }).openapi('OtlpExportResponse');

export const WindowQuery = z.object({
  from: IsoDateTime.optional().openapi({ param: { name: 'from', in: 'query' } }),
  to: IsoDateTime.optional().openapi({ param: { name: 'to', in: 'query' }, description: 'Default: now.' }),
  bucket: z.coerce.number().int().min(10).max(86_400).optional().openapi({ param: { name: 'bucket', in: 'query' }, description: 'Bucket width in seconds.' }),
});
export const InferenceView = z.object({ from: Iso, to: Iso, models: z.array(z.object({ model: z.string(), version: z.string(), task: z.string(), n: z.number() }).passthrough()), note: z.string().nullable() }).openapi('InferenceSummary');
export const CostView = z.object({ currency: z.string(), from: z.string(), to: z.string(), ordersCreated: z.number(), costPerOrder: z.number().nullable() }).passthrough().openapi('CostSummary');
export const OrderCostView = z.object({ orderId: z.string(), currency: z.string(), usage: z.record(z.string(), z.number()), cost: z.record(z.string(), z.number()) }).openapi('OrderCost');
export const OverviewView = z
  .object({
    at: Iso,
    windowSeconds: z.number(),
    stages: z.array(z.object({ stage: z.string(), group: z.string(), topic: z.string(), rateIn: z.number(), rateOut: z.number(), lagMessages: z.number().nullable(), lagSeconds: z.number().nullable(), status: z.string().nullable(), retryRate: z.number(), errorRate: z.number(), dlqCount: z.number() })),
    delivery: z.object({ bucketSeconds: z.number(), buckets: z.array(z.object({ start: Iso, orders: z.number(), p50: z.number().nullable(), p99: z.number().nullable() })) }),
  })
  .openapi('Overview');

const Velocity = z.number().positive().max(20_000).openapi({ description: 'Messages per second (at most 20000).' });
export const ReplayBody = z
  .strictObject({
    selection: z.strictObject({
      topic: TopicName,
      from: IsoDateTime.optional(),
      to: IsoDateTime.optional(),
      fromOffset: z.number().int().min(0).optional(),
      toOffset: z.number().int().min(0).optional().openapi({ description: 'Inclusive.' }),
      partition: z.number().int().min(0).max(100_000).optional(),
      orderId: z.string().min(1).max(200).optional(),
      traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, '32 hex digits').optional(),
      eventType: z.string().min(1).max(200).optional(),
    }),
    target: z.enum(['original', 'sandbox']).openapi({ description: '`sandbox` publishes to `<topic>.sandbox`.' }),
    reason: Reason,
    velocity: Velocity.optional().openapi({ description: 'Messages per second (default 1000, at most 20000).' }),
    limit: z.number().int().min(1).max(100_000).optional().openapi({ description: 'Most messages the selection may match (default and max 100000); over it the request is a 422.' }),
  })
  .openapi('ReplayRequest');
export const ActionView = z
  .object({
    id: z.string(),
    kind: z.enum(['replay', 'redrive']),
    state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
    matched: z.number(),
    done: z.number(),
    failed: z.number(),
    skipped: z.number(),
    failedAgain: z.number(),
    createdBy: Actor,
    reason: z.string(),
    selection: z.unknown(),
    preview: z.unknown(),
    detail: z.string(),
    createdAt: Iso,
    startedAt: Iso.nullable(),
    finishedAt: Iso.nullable(),
    updatedAt: Iso,
    failedAgainIds: z.array(z.object({ id: z.string(), eventId: z.string() })).optional(),
  })
  .openapi('Action');
export const ActionStarted = ActionView.extend({ dryRun: z.literal(false) }).openapi('ActionStarted');
export const ActionList = z.object({ items: z.array(ActionView), nextCursor: z.string().nullable() }).openapi('ActionList');
export const ActionParams = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' } }) });
export const ReplayPreview = z
  .object({
    dryRun: z.literal(true),
    topic: z.string(),
    target: z.string(),
    matched: z.number(),
    exact: z.boolean(),
    sources: z.object({ broker: z.number(), archive: z.number() }),
    segments: z.array(z.object({ partition: z.number(), fromOffset: z.string(), toOffset: z.string(), source: z.enum(['broker', 'archive']) })),
    timeRange: z.enum(['broker', 'archive']).nullable(),
    consumerGroups: z.object({ groups: z.array(z.object({ group: z.string(), partitions: z.number() })), note: z.string().nullable() }),
    estimatedCost: z.object({ currency: z.string(), messages: z.number(), bytes: z.number(), total: z.number() }),
    velocity: z.number(),
    estimatedSeconds: z.number(),
    limit: z.number(),
    notes: z.array(z.string()),
  })
  .openapi('ReplayPreview');
export const RedriveBody = z
  .strictObject({
    filter: z.strictObject({ topic: z.string().min(1).max(300).optional(), q: z.string().min(1).max(300).optional(), from: IsoDateTime.optional(), to: IsoDateTime.optional() }).optional(),
    ids: z.array(z.string().min(1).max(600)).min(1).max(100_000).optional(),
    source: z.enum(['kafka', 'bullmq']).optional(),
    velocity: Velocity,
    reason: Reason,
    dryRun: z.boolean().optional(),
  })
  .openapi('RedriveRequest');
export const RedrivePreview = z
  .object({
    dryRun: z.literal(true),
    matched: z.number(),
    alreadyRedriven: z.number(),
    bySource: z.object({ kafka: z.number(), bullmq: z.number() }),
    byOrigin: z.array(z.object({ origin: z.string(), count: z.number() })),
    notFound: z.array(z.string()),
    velocity: z.number(),
    estimatedSeconds: z.number(),
    estimatedCost: z.object({ currency: z.string(), messages: z.number(), bytes: z.number(), total: z.number() }),
  })
  .openapi('RedrivePreview');
export const CancelQuery = z.object({ reason: z.string().optional().openapi({ param: { name: 'reason', in: 'query' } }) });
export const CancelBody = z.strictObject({ reason: Reason }).partial().openapi('CancelRequest');
export const RewindBody = z.strictObject({ to: IsoDateTime, reason: Reason, dryRun: z.boolean().optional() }).openapi('RewindRequest');
export const RewindResult = z
  .object({
    dryRun: z.boolean(),
    group: z.string(),
    to: z.string(),
    topics: z.array(z.object({ topic: z.string(), partitions: z.array(z.object({ partition: z.number(), current: z.string(), target: z.string() })) })),
    auditId: z.string().nullable(),
    note: z.string().nullable(),
  })
  .openapi('RewindResult');
