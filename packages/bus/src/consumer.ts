/**
 * One consumer group member: decode → idempotency claim → handler (in a CONSUMER span) → commit; failures go to
 * the group's retry topic with backoff, then to its dead-letter topic. See README.md for the semantics.
 *
 * Offsets: kafkajs `eachBatch` with `eachBatchAutoResolve: false`. Each message's offset is resolved only once it
 * is settled (handled, skipped as a duplicate, or published to the retry or dead-letter topic); kafkajs fetches
 * each partition from its last resolved offset, so a message left unresolved (paused, delayed, stopping) is
 * fetched again later: no seek is needed.
 *
 * Commits are ours, not kafkajs's autoCommit: the resolved offsets are committed every {@link COMMIT_INTERVAL_MS},
 * when a heartbeat mid-batch reports a rebalance, and on stop (after the batches in hand finish, before leaving
 * the group). kafkajs's autoCommit commits at the end of every batch, and the mock cluster answers a fetch as
 * soon as one message is there, so a batch is one message at the pipeline's rates: that was one OffsetCommit
 * request per message per group, the most frequent request of the process (measured: 14.8k commits against 4.3k
 * fetches and 4.5k produces for 500 orders). A crash re-delivers at most the last interval's messages; the
 * idempotency store absorbs them, as it absorbs any redelivery.
 */
import type { Consumer as KafkaConsumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Link } from '@opentelemetry/api';
import { decodeEvent } from '@switchyard/contracts';
import type { Envelope } from '@switchyard/contracts';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { extractContext, MSG, spanName, tracerFor, withSpan } from '@switchyard/telemetry/tracing';
import type { Redis } from 'ioredis';
import type { ensureTopics } from './admin';
import { NO_CONTROL, TokenBucket, watchControl } from './control';
import type { ControlWatch } from './control';
import { describeError, failureHeaders, intHeader, readHeaders } from './headers';
import type { FailureRecord } from './headers';
import { Idempotency } from './idempotency';
import { deadLetterTopic, HEADERS, retryTopic } from './types';
import type { ConsumeOptions, Consumer, ControlState, MessageContext } from './types';

/** Counters of one consumer group in this process. */
export interface GroupStats {
  /** Messages taken off the topics (retry topic included). */
  consumed: number;
  /** Handled successfully. */
  processed: number;
  /** Handler failures (each attempt). */
  failed: number;
  /** Sent to the retry topic. */
  retried: number;
  /** Sent to the dead-letter topic (invalid ones included). */
  deadLettered: number;
  /** Not valid events (a subset of deadLettered). */
  invalid: number;
  /** Skipped because the event id was already processed. */
  duplicatesSkipped: number;
  /** Time spent waiting for the maximum rate, in ms. */
  throttledMs: number;
}

/** Fresh zeroed counters. */
export function emptyStats(): GroupStats {
  return { consumed: 0, processed: 0, failed: 0, retried: 0, deadLettered: 0, invalid: 0, duplicatesSkipped: 0, throttledMs: 0 };
}

/** A raw message to send on behalf of the consumer (retry or dead letter). */
export interface RawMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
}

/** What a consumer needs from the bus that starts it. */
export interface ConsumerDeps {
  kafka: Kafka;
  ensure(topics: string[]): ReturnType<typeof ensureTopics>;
  redis: Redis;
  subscriber: Redis | null;
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  service: string;
  maxAttempts: number;
  backoffMs: number;
  ttlSeconds: number;
  stats: GroupStats;
  /** Sends a raw message inside a `send <topic>` PRODUCER span (trace context injected into its headers). */
  sendRaw(topic: string, message: RawMessage, service: string): Promise<void>;
  /** Publishes an event caused by `cause` (ctx.emit). */
  emit(topic: string, type: string, data: unknown, cause: Envelope, service: string): Promise<Envelope>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How often resolved offsets are committed, in ms. Short enough that lag readings stay current. */
export const COMMIT_INTERVAL_MS = 250;

/** The offset to commit for one topic-partition: the next one to read. */
interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}
const tpKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** Starts one member of `opts.group` (a physical group name) on physical topic names. */
export async function startConsumer(deps: ConsumerDeps, opts: ConsumeOptions & { service?: string }): Promise<Consumer> {
  const c = new GroupConsumer(deps, opts);
  await c.start();
  return c;
}

class GroupConsumer implements Consumer {
  readonly group: string;
  private readonly retry: string;
  private readonly dlq: string;
  private readonly kc: KafkaConsumer;
  private readonly idem: Idempotency;
  private readonly bucket: TokenBucket;
  private readonly log: Logger;
  private readonly service: string;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly keyConcurrency: number;
  private state: ControlState = NO_CONTROL;
  private watch: ControlWatch | null = null;
  private running = false;
  private stopping: Promise<void> | null = null;
  /** Retry-topic partitions waiting for their head message's not-before time. */
  private readonly delayed = new Map<number, NodeJS.Timeout>();
  /** Resolved offsets not yet committed, per topic-partition. */
  private readonly uncommitted = new Map<string, TopicPartitionOffset>();
  /** Commits run one after another, so a later one never lands before an earlier one. */
  private commits: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | null = null;
  /** Set on stop: batches handed over from now on settle nothing. */
  private draining = false;
  /** eachBatch calls in progress. */
  private activeBatches = 0;

  constructor(private readonly deps: ConsumerDeps, private readonly opts: ConsumeOptions & { service?: string }) {
    this.group = opts.group;
    this.retry = retryTopic(opts.group);
    this.dlq = deadLetterTopic(opts.group);
    this.service = opts.service ?? deps.service;
    this.maxAttempts = opts.maxAttempts ?? deps.maxAttempts;
    this.backoffMs = opts.backoffMs ?? deps.backoffMs;
    this.keyConcurrency = Math.max(1, opts.keyConcurrency ?? 1);
    this.log = deps.logger.child(opts.group);
    this.idem = new Idempotency(deps.redis, deps.keyPrefix, opts.group, deps.ttlSeconds);
    this.bucket = new TokenBucket(deps.clock);
    const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
    this.kc = deps.kafka.consumer({
      groupId: opts.group,
      allowAutoTopicCreation: true,
      // Short fetch waits keep stop and pause prompt; an idle consumer costs two fetches a second.
      maxWaitTimeInMs: 200,
      sessionTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    });
  }

  control(): ControlState {
    return this.state;
  }

  async start(): Promise<void> {
    await this.deps.ensure([...this.opts.topics, this.retry, this.dlq]);
    this.watch = await watchControl({
      redis: this.deps.redis,
      subscriber: this.deps.subscriber,
      prefix: this.deps.keyPrefix,
      kind: 'group',
      name: this.group,
      clock: this.deps.clock,
      logger: this.log,
      onChange: (s) => {
        if (s.paused !== this.state.paused || s.maxRate !== this.state.maxRate) this.log.info('control state', { group: this.group, ...s });
        this.state = s;
        this.applyPauses();
      },
    });
    try {
      await this.kc.connect();
      await this.kc.subscribe({ topics: [...this.opts.topics, this.retry], fromBeginning: this.opts.fromBeginning ?? true });
      // A restart after a crash builds a new kafkajs consumer group, which forgets pauses: apply them on every join.
      this.kc.on(this.kc.events.GROUP_JOIN, (e) => {
        this.forgetUnassigned(e.payload.memberAssignment);
        this.applyPauses();
      });
      await this.kc.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
        eachBatch: (p) => this.eachBatch(p),
      });
    } catch (err) {
      await this.watch.stop();
      await this.kc.disconnect().catch(() => undefined);
      throw err;
    }
    this.running = true;
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
    this.applyPauses();
  }

  /** Records a settled message: kafkajs fetches past it, and the next commit includes it. */
  private settle(p: EachBatchPayload, message: KafkaMessage): void {
    const { topic, partition } = p.batch;
    p.resolveOffset(message.offset);
    this.uncommitted.set(tpKey(topic, partition), { topic, partition, offset: (BigInt(message.offset) + 1n).toString() });
  }

  /**
   * Commits every resolved offset not yet committed. Never throws: a failed commit puts its offsets back (unless a
   * later offset of the partition is already waiting) and the next one retries them.
   */
  private commit(): Promise<void> {
    this.commits = this.commits.then(async () => {
      if (this.uncommitted.size === 0) return;
      const offsets = [...this.uncommitted.values()];
      this.uncommitted.clear();
      try {
        await this.kc.commitOffsets(offsets);
      } catch (err) {
        for (const o of offsets) if (!this.uncommitted.has(tpKey(o.topic, o.partition))) this.uncommitted.set(tpKey(o.topic, o.partition), o);
        this.log.debug('offset commit failed; retrying with the next one', { err });
      }
    });
    return this.commits;
  }

  /** After a rebalance, drops uncommitted offsets of partitions this member no longer owns (their new owner re-reads). */
  private forgetUnassigned(assignment: Record<string, number[]>): void {
    for (const [k, o] of this.uncommitted) if (!assignment[o.topic]?.includes(o.partition)) this.uncommitted.delete(k);
  }

  /**
   * A heartbeat that, when it learns of a rebalance, first tries once to commit what this member settled (as
   * kafkajs does). The try is not queued behind a periodic commit that kafkajs may be retrying meanwhile: the
   * batch must give up promptly so that the member can rejoin.
   */
  private async heartbeat(p: EachBatchPayload): Promise<void> {
    try {
      await p.heartbeat();
    } catch (err) {
      const offsets = [...this.uncommitted.values()];
      if (offsets.length > 0) await p.commitOffsetsIfNecessary({ topics: groupByTopic(offsets) }).catch(() => undefined);
      throw err;
    }
  }

  /** Pauses everything while the control state says so; otherwise only delayed retry partitions. */
  private applyPauses(): void {
    if (!this.running || this.stopping) return;
    const all = [...this.opts.topics, this.retry].map((topic) => ({ topic }));
    try {
      if (this.state.paused) {
        this.kc.pause(all);
        return;
      }
      this.kc.resume(all);
      if (this.delayed.size > 0) this.kc.pause([{ topic: this.retry, partitions: [...this.delayed.keys()] }]);
    } catch (err) {
      this.log.warn('cannot apply pause state yet', { err });
    }
  }

  /** Holds a retry-topic partition until its head message is due, without holding anything else. */
  private delayRetry(partition: number, ms: number): void {
    if (this.delayed.has(partition)) return;
    const t = setTimeout(() => {
      this.delayed.delete(partition);
      this.applyPauses();
    }, ms);
    this.delayed.set(partition, t);
    this.applyPauses();
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    this.activeBatches++;
    try {
      if (this.keyConcurrency > 1 && p.batch.topic !== this.retry) await this.eachByKey(p);
      else await this.eachMessage(p);
    } finally {
      this.activeBatches--;
    }
  }

  /** False once the batch in hand must stop taking messages: stopping, paused, stale, or a delayed retry. */
  private mayContinue(p: EachBatchPayload): boolean {
    const { batch } = p;
    return !(this.draining || !p.isRunning() || p.isStale() || this.state.paused || (batch.topic === this.retry && this.delayed.has(batch.partition)));
  }

  /** One message after another, in partition order. */
  private async eachMessage(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    for (const message of batch.messages) {
      if (!this.mayContinue(p)) break;
      if (batch.topic === this.retry) {
        const due = intHeader(readHeaders(message.headers), HEADERS.notBefore, 0) - this.deps.clock.now();
        if (due > 0) {
          this.delayRetry(batch.partition, due);
          break;
        }
      }
      if (!(await this.throttle(p))) break;
      await this.handleMessage(batch.topic, batch.partition, message, p);
      this.settle(p, message);
      await this.heartbeat(p);
    }
  }

  /**
   * Messages of different keys at once, up to `keyConcurrency`; messages of one key one after another, in offset
   * order. Offsets are resolved only over the settled prefix of the batch, so a commit never covers a message that
   * is still in hand. Messages are started in offset order and a stop, pause or throttle only stops the starting,
   * so what was started finishes and the prefix has no gap. If settling a message fails (its retry or dead-letter
   * publish failed), nothing more of the batch starts, later messages of its key are not handled, and the error
   * goes to kafkajs, which fetches again from the settled prefix.
   */
  private async eachByKey(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const messages = batch.messages;
    const settled = new Array<boolean>(messages.length).fill(false);
    let prefix = 0;
    let failure: { err: unknown } | null = null;
    const tails = new Map<string, Promise<void>>();
    const inHand = new Set<Promise<void>>();
    try {
      for (let i = 0; i < messages.length && !failure; i++) {
        if (!this.mayContinue(p) || !(await this.throttle(p))) break;
        while (inHand.size >= this.keyConcurrency) await Promise.race(inHand);
        if (failure) break;
        const message = messages[i]!;
        const key = message.key?.toString('latin1') ?? '';
        const task = (tails.get(key) ?? Promise.resolve()).then(async () => {
          if (failure) return;
          try {
            await this.handleMessage(batch.topic, batch.partition, message, p);
          } catch (err) {
            failure ??= { err };
            return;
          }
          settled[i] = true;
          for (; prefix < messages.length && settled[prefix]; prefix++) this.settle(p, messages[prefix]!);
        });
        tails.set(key, task);
        inHand.add(task);
        void task.finally(() => {
          inHand.delete(task);
          if (tails.get(key) === task) tails.delete(key);
        });
        await this.heartbeat(p);
      }
    } finally {
      // Also when a heartbeat reports a rebalance: what was started finishes before the batch is given up.
      await Promise.all(inHand);
    }
    if (failure) throw (failure as { err: unknown }).err;
  }

  /** Waits for a token of the maximum rate in short slices; false when paused or stopping meanwhile. */
  private async throttle(p: EachBatchPayload): Promise<boolean> {
    for (;;) {
      if (this.draining || !p.isRunning() || this.state.paused) return false;
      const rate = this.state.maxRate;
      if (rate === null) return true;
      const wait = this.bucket.take(rate);
      if (wait === 0) return true;
      const slice = Math.min(wait, 200);
      await sleep(slice);
      this.deps.stats.throttledMs += slice;
      await this.heartbeat(p);
    }
  }

  private async handleMessage(topic: string, partition: number, message: KafkaMessage, p: EachBatchPayload): Promise<void> {
    if (this.notForUs(message)) {
      // Acknowledged without decoding or a span: on a topic that carries several types (the pipeline's delivery
      // topic has four, read by three groups) most messages are someone else's, and decoding and tracing them
      // cost more than the work the group does on its own.
      this.deps.stats.consumed++;
      return;
    }
    const headers = readHeaders(message.headers);
    const fromRetry = topic === this.retry;
    const attempt = fromRetry ? Math.max(1, intHeader(headers, HEADERS.attempt, 1)) : 1;
    const parent = extractContext(headers, ROOT_CONTEXT);
    const parentSpan = trace.getSpanContext(parent);
    const links: Link[] = parentSpan ? [{ context: parentSpan }] : [];
    const attributes = {
      [MSG.system]: 'kafka',
      [MSG.destination]: topic,
      [MSG.operationType]: 'process',
      [MSG.operationName]: 'process',
      [MSG.group]: this.group,
      [MSG.partition]: String(partition),
      [MSG.kafkaOffset]: Number(message.offset),
      [MSG.bodySize]: message.value?.length ?? 0,
      'switchyard.attempt': attempt,
      ...(headers[HEADERS.replay] ? { 'switchyard.replay_id': headers[HEADERS.replay] } : {}),
      ...(headers[HEADERS.redrive] ? { 'switchyard.redrive_id': headers[HEADERS.redrive] } : {}),
      ...(message.key ? { [MSG.kafkaKey]: message.key.toString('utf8') } : {}),
    };
    const tracer = tracerFor(this.service);
    await withSpan(tracer, spanName('process', topic), { kind: SpanKind.CONSUMER, parent, links, attributes }, async (span) => {
      this.deps.stats.consumed++;
      const failure = (err: unknown): Promise<void> => this.fail(err, { topic, partition, message, headers, attempt, fromRetry });
      const decoded = decodeEvent(message.value);
      if (!decoded.ok) {
        this.deps.stats.invalid++;
        span.setAttribute('sy.outcome', 'invalid');
        await failure(decoded.error);
        return;
      }
      const event = decoded.event as Envelope;
      span.setAttribute(MSG.messageId, event.id);
      // The trace collector stitches a span whose context was lost under the producer of this event id.
      span.setAttribute('switchyard.causation_id', event.id);
      span.setAttribute('order.id', event.orderId);
      if (this.opts.accepts && !this.opts.accepts(event.type)) {
        // Not for this group: acknowledged without an idempotency round trip.
        span.setAttribute('sy.outcome', 'ignored');
        return;
      }
      const claim = await this.claim(event.id, p);
      if (claim === null) {
        span.setAttribute('sy.outcome', 'duplicate');
        this.deps.stats.duplicatesSkipped++;
        return;
      }
      const ctx: MessageContext = {
        topic,
        partition,
        offset: message.offset,
        attempt,
        headers,
        emit: (t, type, data) => this.deps.emit(t, type, data, event, this.service),
      };
      try {
        await this.opts.handle(event, ctx);
      } catch (err) {
        const d = describeError(err);
        span.recordException(err instanceof Error ? err : new Error(d.errorMessage));
        span.setAttribute('error.type', d.errorCode !== 'ERROR' ? d.errorCode : d.errorClass);
        await this.idem.release(event.id, claim);
        await failure(err);
        return;
      }
      await this.idem.done(event.id);
      this.deps.stats.processed++;
      span.setAttribute('sy.outcome', 'processed');
    });
  }

  /**
   * True when the producer's event-type header names a type this group does not accept. A message without the
   * header (a foreign producer) is decoded and judged by its body, as before.
   */
  private notForUs(message: KafkaMessage): boolean {
    if (!this.opts.accepts) return false;
    const raw = message.headers?.[HEADERS.eventType];
    const type = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (type === undefined) return false;
    return !this.opts.accepts(typeof type === 'string' ? type : type.toString('utf8'));
  }

  /** Claims an event id, waiting while another holder processes it; null when it was already processed. */
  private async claim(eventId: string, p: EachBatchPayload): Promise<string | null> {
    for (;;) {
      const c = await this.idem.claim(eventId);
      if (c.kind === 'claimed') return c.token;
      if (c.kind === 'done') return null;
      // Another member or partition holds it right now; its claim lapses if it died. Keep the session alive.
      await sleep(100);
      await this.heartbeat(p);
    }
  }

  private async fail(
    err: unknown,
    m: { topic: string; partition: number; message: KafkaMessage; headers: Record<string, string>; attempt: number; fromRetry: boolean },
  ): Promise<void> {
    const d = describeError(err);
    const now = this.deps.clock.now();
    const h = m.headers;
    const f: FailureRecord = {
      attempt: m.attempt,
      // Only our own retry topic's bookkeeping is trusted; a message on a main topic is always a first attempt.
      originalTopic: m.fromRetry ? (h[HEADERS.originalTopic] ?? m.topic) : m.topic,
      originalPartition: m.fromRetry ? intHeader(h, HEADERS.originalPartition, m.partition) : m.partition,
      originalOffset: m.fromRetry ? (h[HEADERS.originalOffset] ?? m.message.offset) : m.message.offset,
      group: this.group,
      errorClass: d.errorClass,
      errorMessage: d.errorMessage,
      errorCode: d.errorCode,
      firstFailureAt: m.fromRetry ? intHeader(h, HEADERS.firstFailureAt, now) : now,
      lastFailureAt: now,
    };
    this.deps.stats.failed++;
    const raw = { key: m.message.key, value: m.message.value };
    if (d.retriable && m.attempt < this.maxAttempts) {
      const notBefore = now + this.backoffMs * 2 ** (m.attempt - 1);
      await this.deps.sendRaw(this.retry, { ...raw, headers: failureHeaders(h, { ...f, attempt: m.attempt + 1 }, notBefore) }, this.service);
      this.deps.stats.retried++;
      this.log.debug('message failed; retrying', { topic: f.originalTopic, offset: f.originalOffset, attempt: m.attempt, code: d.errorCode });
      return;
    }
    await this.deps.sendRaw(this.dlq, { ...raw, headers: failureHeaders(h, f) }, this.service);
    this.deps.stats.deadLettered++;
    this.log.warn('message dead-lettered', { dlq: this.dlq, topic: f.originalTopic, partition: f.originalPartition, offset: f.originalOffset, attempts: m.attempt, errorClass: d.errorClass, code: d.errorCode });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.watch?.stop();
      for (const t of this.delayed.values()) clearTimeout(t);
      this.delayed.clear();
      this.running = false;
      // Let the messages in hand finish, commit everything settled, and only then leave the group: a restart (here
      // or on another member) resumes exactly after the last handled message.
      this.draining = true;
      while (this.activeBatches > 0) await sleep(5);
      if (this.commitTimer) clearInterval(this.commitTimer);
      await this.commit();
      await this.kc.disconnect();
    })();
    return this.stopping;
  }
}

/** Offsets in the shape of kafkajs's `OffsetsByTopicPartition`. */
function groupByTopic(offsets: TopicPartitionOffset[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: o.offset });
    byTopic.set(o.topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
