/**
 * One consumer group member: decode → idempotency claim → handler (in a CONSUMER span) → commit; failures go to
 * the group's retry topic with backoff, then to its dead-letter topic. See README.md for the semantics.
 *
 * Offsets: kafkajs `eachBatch` with `eachBatchAutoResolve: false` and autoCommit. Each message's offset is resolved
 * only once it is settled (handled, skipped as a duplicate, or published to the retry or dead-letter topic);
 * kafkajs commits resolved offsets at least every second and at the end of every batch, and on stop it lets the
 * message in hand finish, commits, then leaves the group. kafkajs fetches each partition from its last resolved
 * offset, so a message left unresolved (paused, delayed, stopping) is fetched again later: no seek is needed.
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
  private state: ControlState = NO_CONTROL;
  private watch: ControlWatch | null = null;
  private running = false;
  private stopping: Promise<void> | null = null;
  /** Retry-topic partitions waiting for their head message's not-before time. */
  private readonly delayed = new Map<number, NodeJS.Timeout>();

  constructor(private readonly deps: ConsumerDeps, private readonly opts: ConsumeOptions & { service?: string }) {
    this.group = opts.group;
    this.retry = retryTopic(opts.group);
    this.dlq = deadLetterTopic(opts.group);
    this.service = opts.service ?? deps.service;
    this.maxAttempts = opts.maxAttempts ?? deps.maxAttempts;
    this.backoffMs = opts.backoffMs ?? deps.backoffMs;
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
      this.kc.on(this.kc.events.GROUP_JOIN, () => this.applyPauses());
      await this.kc.run({
        autoCommit: true,
        autoCommitInterval: 1000,
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
    this.applyPauses();
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
    const { batch } = p;
    for (const message of batch.messages) {
      if (!p.isRunning() || p.isStale() || this.state.paused || (batch.topic === this.retry && this.delayed.has(batch.partition))) break;
      if (batch.topic === this.retry) {
        const due = intHeader(readHeaders(message.headers), HEADERS.notBefore, 0) - this.deps.clock.now();
        if (due > 0) {
          this.delayRetry(batch.partition, due);
          break;
        }
      }
      if (!(await this.throttle(p))) break;
      await this.handleMessage(batch.topic, batch.partition, message, p);
      p.resolveOffset(message.offset);
      await p.heartbeat();
      await p.commitOffsetsIfNecessary();
    }
  }

  /** Waits for a token of the maximum rate in short slices; false when paused or stopping meanwhile. */
  private async throttle(p: EachBatchPayload): Promise<boolean> {
    for (;;) {
      if (!p.isRunning() || this.state.paused) return false;
      const rate = this.state.maxRate;
      if (rate === null) return true;
      const wait = this.bucket.take(rate);
      if (wait === 0) return true;
      const slice = Math.min(wait, 200);
      await sleep(slice);
      this.deps.stats.throttledMs += slice;
      await p.heartbeat();
    }
  }

  private async handleMessage(topic: string, partition: number, message: KafkaMessage, p: EachBatchPayload): Promise<void> {
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

  /** Claims an event id, waiting while another holder processes it; null when it was already processed. */
  private async claim(eventId: string, p: EachBatchPayload): Promise<string | null> {
    for (;;) {
      const c = await this.idem.claim(eventId);
      if (c.kind === 'claimed') return c.token;
      if (c.kind === 'done') return null;
      // Another member or partition holds it right now; its claim lapses if it died. Keep the session alive.
      await sleep(100);
      await p.heartbeat();
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
      await this.kc.disconnect();
    })();
    return this.stopping;
  }
}
