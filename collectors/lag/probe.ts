/**
 * Reads the timestamp of the message at a given offset (the oldest unconsumed message of a lagging partition), for
 * lag in seconds. kafkajs has no consumer without a group, so the prober is one consumer in a throwaway group
 * (`<groupPrefix>-<uuid>`, never committing) that keeps every partition paused and, per probe, seeks a partition to
 * the wanted offset, resumes it until one message arrives, and pauses it again. It is reused across sweeps and only
 * rejoins when a probe needs a topic it is not subscribed to (a join costs about 3 s on the mock cluster).
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@switchyard/telemetry/log';

/** A partition and the offset whose message timestamp is wanted. */
export interface ProbeTarget {
  topic: string;
  partition: number;
  offset: number;
}

/** Options of {@link MessageProber}. */
export interface ProberOptions {
  /** Prefix of the throwaway group id; the lag collector leaves groups with this prefix out (default `switchyard-lag-probe`). */
  groupPrefix?: string;
  /** How long one probe call waits for its messages (default 3000 ms). */
  waitMs?: number;
  /** How long a (re)join may take (default 20000 ms). */
  joinTimeoutMs?: number;
  /** Topics kept subscribed across probes before the set is trimmed to what the current probe needs (default 200). */
  maxTopics?: number;
  logger: Logger;
}

interface Pending {
  offset: number;
  done: (ts: number) => void;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Finds message timestamps by offset; see the file comment. */
export class MessageProber {
  readonly groupPrefix: string;
  private consumer: Consumer | undefined;
  private topics = new Set<string>();
  private pending = new Map<string, Pending>();
  private readonly waitMs: number;
  private readonly joinTimeoutMs: number;
  private readonly maxTopics: number;

  constructor(private readonly kafka: Kafka, private readonly opts: ProberOptions) {
    this.groupPrefix = opts.groupPrefix ?? 'switchyard-lag-probe';
    this.waitMs = opts.waitMs ?? 3000;
    this.joinTimeoutMs = opts.joinTimeoutMs ?? 20_000;
    this.maxTopics = opts.maxTopics ?? 200;
  }

  /**
   * Returns the timestamp (epoch ms) of the first message at or after each target's offset, keyed
   * `topic:partition:offset`. Targets whose message did not arrive within the wait are absent.
   */
  async probe(targets: readonly ProbeTarget[], signal?: AbortSignal): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (targets.length === 0) return out;
    await this.ensureSubscribed(new Set(targets.map((t) => t.topic)), signal);
    const consumer = this.consumer!;
    const waits: Promise<void>[] = [];
    for (const t of targets) {
      waits.push(
        new Promise<void>((resolve) => {
          this.pending.set(key(t.topic, t.partition), {
            offset: t.offset,
            done: (ts) => {
              out.set(`${t.topic}:${t.partition}:${t.offset}`, ts);
              resolve();
            },
          });
        }),
      );
      consumer.seek({ topic: t.topic, partition: t.partition, offset: String(t.offset) });
      consumer.resume([{ topic: t.topic, partitions: [t.partition] }]);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.waitMs);
      timer.unref();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([Promise.all(waits), timeout]);
    clearTimeout(timer);
    for (const t of targets) {
      this.pending.delete(key(t.topic, t.partition));
      consumer.pause([{ topic: t.topic, partitions: [t.partition] }]);
    }
    return out;
  }

  /** Leaves the throwaway group. */
  async close(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    this.topics.clear();
    if (c) await c.disconnect();
  }

  private async ensureSubscribed(needed: Set<string>, signal?: AbortSignal): Promise<void> {
    if (this.consumer && [...needed].every((t) => this.topics.has(t))) return;
    const union = new Set([...this.topics, ...needed]);
    const topics = union.size <= this.maxTopics ? union : needed;
    await this.close();
    const consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}-${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 64 * 1024,
      retry: { retries: 2 },
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    const running = consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    // The consumer group exists once run() has been called: pause everything before the first fetch.
    consumer.pause([...topics].map((topic) => ({ topic })));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.joinTimeoutMs);
      timer.unref();
      signal?.addEventListener('abort', () => resolve('timeout'), { once: true });
    });
    const outcome = await Promise.race([Promise.all([running, joined]).then(() => 'joined' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await consumer.disconnect().catch(() => {});
      throw new ProbeJoinError(this.joinTimeoutMs);
    }
    this.consumer = consumer;
    this.topics = topics;
    this.opts.logger.debug('lag prober joined', { topics: topics.size });
  }

  private onBatch({ batch }: EachBatchPayload): Promise<void> {
    const p = this.pending.get(key(batch.topic, batch.partition));
    if (!p) {
      this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      return Promise.resolve();
    }
    const m = batch.messages.find((msg) => Number(msg.offset) >= p.offset);
    if (m) {
      this.pending.delete(key(batch.topic, batch.partition));
      this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      p.done(Number(m.timestamp));
    }
    return Promise.resolve();
  }
}

/** The prober's group did not join in time (the broker may be down or rebalancing). */
export class ProbeJoinError extends Error {
  readonly code = 'LAG_PROBE_JOIN_TIMEOUT';
  readonly retriable = true;
  constructor(timeoutMs: number) {
    super(`lag prober did not join its group within ${timeoutMs} ms`);
    this.name = 'ProbeJoinError';
  }
}
