/**
 * The bus contract: what pipeline services (and any other producer or consumer) see of Kafka.
 * The implementation lives beside this file; services depend on these types only.
 */
import type { Envelope } from '@switchyard/contracts';

/** Headers Switchyard puts on every message it produces. */
export const HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  eventId: 'sy-event-id',
  eventType: 'sy-event-type',
  eventVersion: 'sy-event-version',
  orderId: 'sy-order-id',
  causationId: 'sy-causation-id',
  correlationId: 'sy-correlation-id',
  source: 'sy-source',
  producedAt: 'sy-produced-at',
  /** Set on a message that an operator replayed: the replay id. */
  replay: 'sy-replay-id',
  /** Set on a message that an operator redrove from a dead-letter topic: the redrive id. */
  redrive: 'sy-redrive-id',
  /** Retry and dead-letter bookkeeping. */
  attempt: 'sy-attempt',
  originalTopic: 'sy-original-topic',
  originalPartition: 'sy-original-partition',
  originalOffset: 'sy-original-offset',
  group: 'sy-group',
  errorClass: 'sy-error-class',
  errorMessage: 'sy-error-message',
  errorCode: 'sy-error-code',
  firstFailureAt: 'sy-first-failure-at',
  lastFailureAt: 'sy-last-failure-at',
  notBefore: 'sy-not-before',
} as const;

/** Names of the retry and dead-letter topics of a consumer group. */
export function retryTopic(group: string): string {
  return `${group}.retry`;
}
export function deadLetterTopic(group: string): string {
  return `${group}.dlq`;
}

/** Context a handler gets with each event. */
export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  /** 1 on the first delivery, 2 on the first retry, and so on. */
  attempt: number;
  headers: Record<string, string>;
  /** Produce an event caused by the one being handled (causation, correlation and trace context follow). */
  emit<T extends string>(topic: string, type: T, data: unknown): Promise<Envelope>;
}

/** An error that must not be retried (a bug in the data, not in the moment): it goes straight to the DLQ. */
export class PermanentError extends Error {
  readonly retriable = false;
  constructor(message: string, readonly code = 'PERMANENT', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Options of one consumer. */
export interface ConsumeOptions {
  /** Consumer group id; also names the retry and dead-letter topics. */
  group: string;
  /** Topics to consume. The group's retry topic is added by the bus. */
  topics: string[];
  /** Handles one event; a throw means retry (or DLQ once attempts run out, or at once for PermanentError). */
  handle(event: Envelope, ctx: MessageContext): Promise<void>;
  /**
   * Event types this group handles (default: all). Others are acknowledged at once, without the idempotency
   * round trips to Redis, which matters on topics that carry several types.
   */
  accepts?: (type: string) => boolean;
  /** Attempts before the DLQ (default from config, 4). */
  maxAttempts?: number;
  /** Base retry backoff in ms (default from config, 200); attempt n waits base * 2^(n-1). */
  backoffMs?: number;
  /** Read from the beginning when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /**
   * Partitions processed concurrently (default 1). Order within a partition is always kept; more than 1 lets a
   * slow partition not hold the others.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Messages of different keys handled at once within one partition (default 1: strict partition order). Above 1,
   * order is kept per key only (per order, in the pipeline), and a backlog of many orders on one partition is
   * worked off in parallel instead of one Redis and Kafka round trip after another. The retry topic is always
   * handled in order.
   */
  keyConcurrency?: number;
  /** Service name for this consumer's spans and the `source` of events it emits (default: the bus's service). */
  service?: string;
  /**
   * Session timeout in ms (default 30000). A handler must finish well within it. On librdkafka's mock cluster a
   * member that left still holds the next rebalance until its session times out, so tests use a short one.
   */
  sessionTimeoutMs?: number;
}

/** A running consumer. */
export interface Consumer {
  readonly group: string;
  /** Stops fetching, finishes in-flight messages, commits exactly what was processed, disconnects. */
  stop(): Promise<void>;
  /** Current control state (from the control channel). */
  control(): ControlState;
}

/** Throttle or pause for a consumer group or queue, as written by the API to the control channel. */
export interface ControlState {
  paused: boolean;
  /** Messages per second; null for no limit. */
  maxRate: number | null;
  /** Epoch ms after which the setting lapses; null for none. */
  expiresAt: number | null;
}

/** The bus: one Kafka client per process. */
export interface Bus {
  /** Produces an event to a topic, keyed by its order id, with trace context and envelope metadata in headers. */
  publish(topic: string, event: Envelope, extraHeaders?: Record<string, string>): Promise<void>;
  /** Starts a consumer group. */
  consume(options: ConsumeOptions): Promise<Consumer>;
  /** Stops every consumer and the producer. */
  close(): Promise<void>;
}
