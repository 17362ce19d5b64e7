/**
 * The redrive engine: dead letters back to where they failed, each at most once. A Kafka entry goes to the topic
 * named in its `sy-original-topic` header with its key, value and headers, minus the failure bookkeeping, plus
 * `sy-redrive-id`; a BullMQ entry (`bullmq:<queue>:<jobId>`) is retried (failed → waiting).
 *
 * At most once: before an entry is sent, it is claimed in Redis with `SET <prefix>redrive:done:<entryId> <redriveId>
 * NX`; an entry already claimed, by an earlier redrive or by this one before a restart, is skipped and reported.
 * A publish that fails releases its claim (nothing was delivered) and counts as failed. Each entry's fate is
 * recorded in `redrive_items`, and a redriven entry gets a newer `dead_letters` version with redrive_state
 * `redriven`. What fails again comes back as a new dead letter and is reported as `failedAgain` (by event id).
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Partitioners, type Message, type Producer } from 'kafkajs';
import { HEADERS } from '@switchyard/bus/types';
import { DEFAULT_COST_MODEL, priceUsage } from '@switchyard/collectors/cost';
import { ValidationError } from '../errors';
import type { ActionContext } from '../handlers/throttles';
import type { Ctx } from '../types';
import { auditAfter, auditBase, auditOrFail, newRecord, type AuditBase } from './common';
import { UnprocessableError } from './errors';
import { Pacer } from './pacer';
import { actionSql } from './sql';
import { ActionRun, type ActionRecord } from './state';

/** Most entries one redrive may select. */
export const REDRIVE_LIMIT = 100_000;
/** How long a claim is kept, seconds (30 days: longer than any dead letter is retained). */
export const CLAIM_TTL_SECONDS = 30 * 86_400;

/** A redrive request (validated by the route's schema). */
export interface RedriveInput {
  filter?: { topic?: string; q?: string; from?: string; to?: string };
  ids?: string[];
  source?: 'kafka' | 'bullmq';
  /** Messages per second (`Infinity` only from code, e.g. the benchmark). */
  velocity: number;
  reason: string;
  dryRun: boolean;
}

/** What a dry run answers. */
export interface RedrivePreview {
  dryRun: true;
  matched: number;
  /** Entries an earlier redrive already claimed: they will be skipped. */
  alreadyRedriven: number;
  bySource: { kafka: number; bullmq: number };
  byOrigin: { origin: string; count: number }[];
  /** Requested ids that are not dead letters. */
  notFound: string[];
  velocity: number;
  estimatedSeconds: number;
  estimatedCost: { currency: string; messages: number; bytes: number; total: number };
}

/** A dead_letters row as selected. */
export interface DeadLetterRow extends Record<string, unknown> {
  id: string;
  source: string;
  topic: string;
  key: string;
  origin_topic: string;
  headers: Record<string, string>;
  payload: string;
}

/** Failure bookkeeping removed before a dead letter goes back to its origin. */
const FAILURE_HEADERS = new Set<string>([HEADERS.attempt, HEADERS.originalTopic, HEADERS.originalPartition, HEADERS.originalOffset, HEADERS.group, HEADERS.errorClass, HEADERS.errorMessage, HEADERS.errorCode, HEADERS.firstFailureAt, HEADERS.lastFailureAt, HEADERS.notBefore, 'sy-tap-encoding']);

/** The Redis key that claims an entry. */
export const claimKey = (prefix: string, entryId: string): string => `${prefix}redrive:done:${entryId}`;

/** The headers a redriven message carries: the original's without failure bookkeeping, plus the redrive id. */
export function redriveHeaders(headers: Record<string, string>, redriveId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!FAILURE_HEADERS.has(k)) out[k] = v;
  out[HEADERS.redrive] = redriveId;
  return out;
}

function checkInput(input: RedriveInput): void {
  const f = input.filter;
  if (f?.from && f.to && Date.parse(f.from) >= Date.parse(f.to)) throw new ValidationError('The redrive filter is inverted.', [{ path: 'body.filter.to', message: 'must be after filter.from' }]);
}

/** Selects the entries of a redrive (at most REDRIVE_LIMIT + 1, to detect an overflow). */
export async function selectEntries(ctx: Ctx, input: RedriveInput): Promise<DeadLetterRow[]> {
  const f = input.filter ?? {};
  return ctx.store.query<DeadLetterRow>(actionSql('redrive-select'), {
    ids: input.ids ?? [],
    source: input.source ?? '',
    topic: f.topic ?? '',
    q: f.q ?? '',
    from: f.from ? new Date(f.from) : new Date(0),
    to: f.to ? new Date(f.to) : new Date(Date.UTC(2100, 0, 1)),
    limit: REDRIVE_LIMIT + 1,
  });
}

/** Previews a redrive, or (without `dryRun`) audits it, starts it in the background and answers the new action. */
export async function redrive(ctx: Ctx, act: ActionContext, input: RedriveInput): Promise<RedrivePreview | (ActionRecord & { dryRun: false })> {
  checkInput(input);
  const entries = await selectEntries(ctx, input);
  if (entries.length > REDRIVE_LIMIT) throw new UnprocessableError(`The selection holds more than ${REDRIVE_LIMIT} dead letters: narrow the filter.`, 'SELECTION_TOO_LARGE');
  const prefix = ctx.options.redisPrefix;
  const claims = entries.length ? await ctx.redis.mget(entries.map((e) => claimKey(prefix, e.id))) : [];
  const origins = new Map<string, number>();
  let bytes = 0;
  for (const e of entries) {
    const o = e.source === 'bullmq' ? `queue:${e.topic}` : e.origin_topic || '(unknown origin)';
    origins.set(o, (origins.get(o) ?? 0) + 1);
    bytes += Buffer.byteLength(e.payload);
  }
  const found = new Set(entries.map((e) => e.id));
  const kafka = entries.filter((e) => e.source === 'kafka').length;
  const cost = priceUsage({ messages: kafka, bytes, retryMessages: 0, retryBytes: 0, replayMessages: kafka, replayBytes: bytes, deadLetters: 0, jobs: 0, jobRetries: entries.length - kafka, computeSeconds: 0, retryComputeSeconds: 0, replayComputeSeconds: 0, inferences: 0 });
  const preview: RedrivePreview = {
    dryRun: true,
    matched: entries.length,
    alreadyRedriven: claims.filter((c) => c !== null).length,
    bySource: { kafka, bullmq: entries.length - kafka },
    byOrigin: [...origins].map(([origin, count]) => ({ origin, count })).sort((a, b) => b.count - a.count),
    notFound: (input.ids ?? []).filter((id) => !found.has(id)),
    velocity: input.velocity,
    estimatedSeconds: Number.isFinite(input.velocity) ? entries.length / input.velocity : 0,
    estimatedCost: { currency: DEFAULT_COST_MODEL.currency, messages: entries.length, bytes, total: cost.total },
  };
  const base = auditBase(ctx, act, `dlq:${input.filter?.topic ?? (input.ids?.length ? 'ids' : 'all')}`, input.reason);
  const selection = { filter: input.filter ?? null, ids: input.ids ?? null, source: input.source ?? null, velocity: input.velocity };
  if (input.dryRun) {
    await auditOrFail(ctx, { ...base, action: 'redrive.start', dryRun: true, selection, preview, outcome: 'done' });
    return preview;
  }
  const id = randomUUID();
  const recorded = { ...selection, actionId: id };
  await auditOrFail(ctx, { ...base, id, action: 'redrive.start', selection: recorded, preview, outcome: 'accepted' });
  const run = new ActionRun(newRecord(id, 'redrive', base, recorded, preview, entries.length), { store: ctx.store, clock: ctx.clock, logger: ctx.logger });
  await run.save();
  void executeRedrive(ctx, run, base, entries, input.velocity).catch((err: unknown) => ctx.logger.error('redrive crashed', { err, id }));
  return { ...run.record, dryRun: false };
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Runs a redrive over selected entries. Exported for the benchmark; the API calls it through {@link redrive}. */
export async function executeRedrive(ctx: Ctx, run: ActionRun, base: AuditBase, entries: readonly DeadLetterRow[], velocity: number): Promise<void> {
  const id = run.record.id;
  const prefix = ctx.options.redisPrefix;
  const pacer = new Pacer(velocity, ctx.clock);
  const audited = { ...base, action: 'redrive.start', selection: run.record.selection };
  const queues = new Map<string, Queue>();
  const redisForQueues = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  let producer: Producer | null = null;
  // Bookkeeping is written in bulk, about once a second: the Redis claims, not these rows, keep entries at most once.
  const book = { items: [] as Record<string, unknown>[], marked: [] as Record<string, unknown>[], flushedAt: ctx.clock.now() };
  const flush = async (): Promise<void> => {
    const items = book.items.splice(0);
    const marked = book.marked.splice(0);
    book.flushedAt = ctx.clock.now();
    const w1 = items.length ? await ctx.store.insert('redrive_items', items) : ({ ok: true } as const);
    const w2 = marked.length ? await ctx.store.insert('dead_letters', marked) : ({ ok: true } as const);
    if (!w1.ok || !w2.ok) ctx.logger.warn('redrive bookkeeping write failed; the Redis claims still hold', { id, err: !w1.ok ? w1.error : !w2.ok ? w2.error : undefined });
  };
  try {
    await run.start();
    for (let i = 0; i < entries.length && !run.signal.aborted; i += pacer.batch) {
      const batch = entries.slice(i, i + pacer.batch);
      const pipe = ctx.redis.pipeline();
      for (const e of batch) pipe.set(claimKey(prefix, e.id), id, 'EX', CLAIM_TTL_SECONDS, 'NX');
      const res = (await pipe.exec()) ?? [];
      const claimed = batch.filter((_, j) => res[j]?.[1] === 'OK');
      const skipped = batch.filter((_, j) => res[j]?.[1] !== 'OK');
      const now = new Date(ctx.clock.now());
      const items: Record<string, unknown>[] = skipped.map((e) => ({ redrive_id: id, entry_id: e.id, event_id: e.headers[HEADERS.eventId] ?? '', origin: e.origin_topic, state: 'skipped', detail: 'already redriven', at: now }));
      await pacer.take(claimed.length, run.signal);
      const ok: DeadLetterRow[] = [];
      const failed: { e: DeadLetterRow; detail: string }[] = [];
      const kafka = claimed.filter((e) => e.source === 'kafka');
      const byTopic = new Map<string, Message[]>();
      for (const e of kafka) {
        if (!e.origin_topic) {
          failed.push({ e, detail: 'no sy-original-topic header: origin unknown' });
          continue;
        }
        const value = Buffer.from(e.payload, e.headers['sy-tap-encoding'] === 'base64' ? 'base64' : 'utf8');
        const list = byTopic.get(e.origin_topic) ?? [];
        list.push({ key: e.key || null, value, headers: redriveHeaders(e.headers, id) });
        byTopic.set(e.origin_topic, list);
      }
      if (byTopic.size > 0) {
        try {
          producer ??= ctx.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true, idempotent: false });
          await producer.connect();
          await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          ok.push(...kafka.filter((e) => e.origin_topic));
        } catch (err) {
          for (const e of kafka.filter((x) => x.origin_topic)) failed.push({ e, detail: `publish failed: ${(err as Error).message}` });
        }
      }
      for (const e of claimed.filter((x) => x.source === 'bullmq')) {
        const [, queue = '', ...rest] = e.id.split(':');
        try {
          let q = queues.get(queue);
          if (!q) queues.set(queue, (q = new Queue(queue, { connection: redisForQueues, prefix: ctx.options.bullmqPrefix })));
          const job = await q.getJob(rest.join(':'));
          if (!job) throw new Error('the job no longer exists');
          await job.retry('failed');
          ok.push(e);
        } catch (err) {
          failed.push({ e, detail: `retry failed: ${(err as Error).message}` });
        }
      }
      for (const f of failed) await ctx.redis.eval(RELEASE, 1, claimKey(prefix, f.e.id), id);
      items.push(...ok.map((e) => ({ redrive_id: id, entry_id: e.id, event_id: e.headers[HEADERS.eventId] ?? '', origin: e.origin_topic, state: 'redriven', detail: '', at: now })));
      items.push(...failed.map((f) => ({ redrive_id: id, entry_id: f.e.id, event_id: f.e.headers[HEADERS.eventId] ?? '', origin: f.e.origin_topic, state: 'failed', detail: f.detail, at: now })));
      book.items.push(...items);
      book.marked.push(...ok.map((e) => ({ ...e, redrive_state: 'redriven', redriven_at: now, version: now.getTime() })));
      if (book.items.length >= 5000 || ctx.clock.now() - book.flushedAt >= 1000) await flush();
      await run.progress({ done: ok.length, failed: failed.length, skipped: skipped.length });
    }
    await flush();
    const summary = `redriven ${run.record.done}, skipped ${run.record.skipped} (already redriven), failed ${run.record.failed}`;
    if (run.signal.aborted) {
      await run.finish('cancelled', summary);
      await auditAfter(ctx, base.at, { ...audited, outcome: 'cancelled', detail: summary });
    } else {
      await run.finish('done', summary);
      await auditAfter(ctx, base.at, { ...audited, outcome: 'done', detail: summary });
    }
  } catch (err) {
    await flush().catch(() => undefined);
    await run.finish('failed', `failed: ${(err as Error).message}`);
    await auditAfter(ctx, base.at, { ...audited, outcome: 'failed', detail: (err as Error).message });
  } finally {
    await producer?.disconnect().catch(() => undefined);
    await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
    redisForQueues.disconnect();
  }
}

/** Entries of redrive `id` that failed again since `since` (new dead letters linked by event id). */
export async function failedAgain(ctx: Ctx, id: string, since: Date, limit = 1000): Promise<{ id: string; eventId: string }[]> {
  const rows = await ctx.store.query<{ id: string; event_id: string }>(actionSql('redrive-failed-again'), { id, since, limit });
  return rows.map((r) => ({ id: r.id, eventId: r.event_id }));
}
