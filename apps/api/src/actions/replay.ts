/**
 * The replay engine: re-publishes a selection of a topic (to the topic itself or to `<topic>.sandbox`) with the
 * original key, value and headers plus `sy-replay-id`, at a set velocity, reporting progress. Messages the broker
 * still holds are read from it; older ones (below its low watermark) and time ranges the broker cannot resolve come
 * from the archive (`events`). Consumers do not double their effects: the event id is unchanged, and the bus
 * skips ids it has processed.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { HEADERS } from '@switchyard/bus/types';
import { DEFAULT_COST_MODEL, priceUsage } from '@switchyard/collectors/cost';
import type { ActionContext } from '../handlers/throttles';
import type { Ctx } from '../types';
import { auditAfter, auditBase, auditOrFail, newRecord, type AuditBase } from './common';
import { UnprocessableError } from './errors';
import { groupsSeeing, openAdmin, OverLimitError, readBroker, type GroupsSeeing, type ReadMessage } from './kafka';
import { Pacer } from './pacer';
import { resolveSelection, type ReplaySelection, type Resolution } from './replay-resolve';
import { actionSql } from './sql';
import { ActionRun, type ActionRecord } from './state';

/** Default and largest velocity, messages per second. */
export const REPLAY_VELOCITY = { default: 1000, max: 20_000 } as const;
/** Default and largest selection size. */
export const REPLAY_LIMIT_MAX = 100_000;

/** A replay request (validated by the route's schema). */
export interface ReplayInput {
  selection: ReplaySelection;
  target: 'original' | 'sandbox';
  reason: string;
  /** Messages per second (default 1000; `Infinity` only from code, e.g. the benchmark). */
  velocity?: number;
  /** Most messages the selection may match (default and max 100000). */
  limit?: number;
  dryRun: boolean;
}

/** What a dry run answers (and what a real run records as its preview). */
export interface ReplayPreview {
  dryRun: true;
  topic: string;
  target: string;
  matched: number;
  /** False when matched is an upper bound (a content filter over offsets the archive has not stored). */
  exact: boolean;
  sources: { broker: number; archive: number };
  segments: { partition: number; fromOffset: string; toOffset: string; source: 'broker' | 'archive' }[];
  timeRange: 'broker' | 'archive' | null;
  consumerGroups: GroupsSeeing;
  estimatedCost: { currency: string; messages: number; bytes: number; total: number };
  velocity: number;
  estimatedSeconds: number;
  limit: number;
  notes: string[];
}

/** The answer to a real run: the action as started. */
export type ReplayStarted = ActionRecord & { dryRun: false };

const targetTopic = (topic: string, target: 'original' | 'sandbox'): string => (target === 'sandbox' ? `${topic}.sandbox` : topic);

function previewOf(r: Resolution, target: string, groups: GroupsSeeing, velocity: number, limit: number): ReplayPreview {
  const cost = priceUsage({ messages: r.matched, bytes: r.bytes, retryMessages: 0, retryBytes: 0, replayMessages: r.matched, replayBytes: r.bytes, deadLetters: 0, jobs: 0, jobRetries: 0, computeSeconds: 0, retryComputeSeconds: 0, replayComputeSeconds: 0, inferences: 0 }, DEFAULT_COST_MODEL);
  return {
    dryRun: true,
    topic: r.topic,
    target,
    matched: r.matched,
    exact: r.exact,
    sources: { broker: r.fromBroker, archive: r.fromArchive },
    segments: r.segments.map((g) => ({ partition: g.partition, fromOffset: g.from.toString(), toOffset: (g.to - 1n).toString(), source: g.source })),
    timeRange: r.timeVia,
    consumerGroups: groups,
    estimatedCost: { currency: DEFAULT_COST_MODEL.currency, messages: r.matched, bytes: r.bytes, total: cost.total },
    velocity,
    estimatedSeconds: Number.isFinite(velocity) ? r.matched / velocity : 0,
    limit,
    notes: r.notes,
  };
}

/** Previews a replay, or (without `dryRun`) audits it, starts it in the background and answers the new action. */
export async function replay(ctx: Ctx, act: ActionContext, input: ReplayInput): Promise<ReplayPreview | ReplayStarted> {
  const velocity = input.velocity ?? REPLAY_VELOCITY.default;
  const limit = input.limit ?? REPLAY_LIMIT_MAX;
  const target = targetTopic(input.selection.topic, input.target);
  const admin = await openAdmin(ctx.kafka, ctx.options.kafkaTimeoutMs);
  let res: Resolution;
  let groups: GroupsSeeing;
  try {
    res = await resolveSelection(ctx, admin, input.selection);
    if (res.exact && res.matched > limit) throw new UnprocessableError(`The selection matches ${res.matched} messages, over the limit of ${limit}: narrow it (time, offsets, partition, order, trace or event type) or raise limit (at most ${REPLAY_LIMIT_MAX}).`, 'SELECTION_TOO_LARGE');
    groups = await groupsSeeing(ctx.store, admin, target, ctx.clock.now(), ctx.logger, ctx.options.kafkaTimeoutMs);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const preview = previewOf(res, target, groups, velocity, limit);
  const base = auditBase(ctx, act, `topic:${input.selection.topic}`, input.reason);
  const selection = { ...input.selection, target: input.target, velocity, limit };
  if (input.dryRun) {
    await auditOrFail(ctx, { ...base, action: 'replay.start', dryRun: true, selection, preview, outcome: 'done' });
    return preview;
  }
  const id = randomUUID();
  const recorded = { ...selection, actionId: id };
  await auditOrFail(ctx, { ...base, id, action: 'replay.start', selection: recorded, preview, outcome: 'accepted' });
  const run = new ActionRun(newRecord(id, 'replay', base, recorded, preview, res.matched), { store: ctx.store, clock: ctx.clock, logger: ctx.logger });
  await run.save();
  void execute(ctx, run, base, res, target, velocity, limit).catch((err: unknown) => ctx.logger.error('replay crashed', { err, id }));
  return { ...run.record, dryRun: false };
}

interface ArchiveRow {
  partition: number;
  offset: string;
  key: string;
  headers: Record<string, string>;
  payload: string;
  bytes: number;
}

/** Reads the archive segments of a resolution (at most `limit + 1` messages, to detect an overflow). */
async function readArchive(ctx: Ctx, r: Resolution, limit: number): Promise<ReadMessage[]> {
  const out: ReadMessage[] = [];
  for (const g of r.segments.filter((s) => s.source === 'archive')) {
    const rows = await ctx.store.query<ArchiveRow>(actionSql('archive-read'), {
      topic: r.topic,
      partition: g.partition,
      from_offset: g.from.toString(),
      to_offset: g.to.toString(),
      from_ts: new Date(r.fromTs),
      to_ts: new Date(r.toTs),
      order_id: r.filter.orderId ?? '',
      trace_id: r.filter.traceId ?? '',
      event_type: r.filter.eventType ?? '',
      limit: limit + 1 - out.length,
    });
    for (const row of rows) {
      const { 'sy-tap-encoding': enc, ...headers } = row.headers;
      out.push({ partition: Number(row.partition), offset: String(row.offset), key: row.key ? Buffer.from(row.key) : null, value: Buffer.from(row.payload, enc === 'base64' ? 'base64' : 'utf8'), headers, bytes: Number(row.bytes) });
    }
    if (out.length > limit) throw new OverLimitError(limit);
  }
  return out;
}

/** Publishes `messages` to `topic` at the pacer's velocity, each batch with `extra` headers; stops on abort. */
export async function publishPaced(kafka: Kafka, topic: string, messages: readonly ReadMessage[], extra: Record<string, string>, pacer: Pacer, run: ActionRun): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true, idempotent: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length && !run.signal.aborted; ) {
      const n = Math.min(pacer.batch, messages.length - i);
      await pacer.take(n, run.signal);
      if (run.signal.aborted) break;
      const batch: Message[] = messages.slice(i, i + n).map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers, ...extra } }));
      try {
        await producer.send({ topic, acks: -1, messages: batch });
        await run.progress({ done: n });
      } catch (err) {
        await run.progress({ failed: n });
        throw err;
      }
      i += n;
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

async function execute(ctx: Ctx, run: ActionRun, base: AuditBase, r: Resolution, target: string, velocity: number, limit: number): Promise<void> {
  const selection = run.record.selection;
  const audited = { ...base, action: 'replay.start', selection };
  let at = base.at;
  try {
    await run.start(undefined, r.notes.join('; '));
    const archived = await readArchive(ctx, r, limit);
    const live = await readBroker(ctx.kafka, r.topic, r.segments, r.filter, { limit: limit - archived.length, signal: run.signal });
    const messages = [...archived, ...live];
    run.record.matched = messages.length;
    await publishPaced(ctx.kafka, target, messages, { [HEADERS.replay]: run.record.id }, new Pacer(velocity, ctx.clock), run);
    if (run.signal.aborted) {
      await run.finish('cancelled', `cancelled after ${run.record.done} of ${messages.length}`);
      at = await auditAfter(ctx, at, { ...audited, outcome: 'cancelled', detail: `published ${run.record.done} of ${messages.length}` });
      return;
    }
    await run.finish('done', `published ${run.record.done} to ${target} (${archived.length} from the archive, ${live.length} from the broker)`);
    await auditAfter(ctx, at, { ...audited, outcome: 'done', detail: `published ${run.record.done} of ${messages.length} to ${target}` });
  } catch (err) {
    const detail = err instanceof OverLimitError ? `the selection matched more than ${limit} messages; nothing was published` : `failed: ${(err as Error).message}`;
    await run.finish('failed', detail);
    await auditAfter(ctx, at, { ...audited, outcome: 'failed', detail });
  }
}
