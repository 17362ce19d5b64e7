/**
 * The Kafka bus (kafkajs): produce keyed by order id with trace context and envelope metadata in headers;
 * consume with retry topics, dead letters, idempotency and the control channel (consumer.ts).
 *
 * Names: topic and group names given to the bus are logical (`orders`, `payment-svc`); with a `topicPrefix` the
 * bus uses `<prefix>.<name>` on the broker. A name that already carries the prefix is used as is, so physical names
 * read back from headers (redrive, replay) can be passed straight in. Redis keys live under {@link keyPrefix}.
 */
import { Kafka, Partitioners } from 'kafkajs';
import type { Admin, Message, Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { INVALID_TRACEID, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { Config } from '@switchyard/config';
import { makeEvent } from '@switchyard/contracts';
import type { Envelope, EventData, EventType } from '@switchyard/contracts';
import { systemClock } from '@switchyard/telemetry/clock';
import type { Clock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import type { Logger } from '@switchyard/telemetry/log';
import { injectContext, MSG, spanName, tracerFor } from '@switchyard/telemetry/tracing';
import { ensureTopics, kafkaLogCreator } from './admin';
import { subscriberFor } from './control';
import { ProduceBatcher } from './batcher';
import { emptyStats, startConsumer } from './consumer';
import type { GroupStats, RawMessage } from './consumer';
import { envelopeHeaders } from './headers';
import { HEADERS } from './types';
import type { Bus, ConsumeOptions, Consumer } from './types';

/** Options of {@link createBus}. */
export interface BusOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Kafka client id. */
  clientId: string;
  /** An ioredis connection (not closed by the bus) or a Redis URL (the bus opens and closes its own). */
  redis: Redis | string;
  /** maxAttempts (default 4), retryBackoffMs (200), idempotencyTtlSeconds (86400), topicPrefix (''). */
  config: Pick<Config, 'maxAttempts' | 'retryBackoffMs' | 'idempotencyTtlSeconds' | 'topicPrefix'>;
  /** Default the system clock. */
  clock?: Clock;
  /** Default `createLogger('bus')`. */
  logger?: Logger;
  /** Service name of this bus's spans (`service.name` of their resource) and the `source` of emitted events. */
  tracerService: string;
}

/** The bus as created here: the {@link Bus} contract plus batch produce, counters and names. */
export interface KafkaBus extends Bus {
  /** Produces many events to one topic in few requests (load generator); one `send` span per event. */
  publishMany(topic: string, events: Envelope[], extraHeaders?: Record<string, string>): Promise<void>;
  /** Counters per consumer group (physical name) in this process. */
  stats(): Record<string, GroupStats>;
  /** The broker name of a logical topic or group. */
  name(logical: string): string;
  /** Redis key prefix of idempotency and control keys. */
  readonly keyPrefix: string;
  /** A connected admin client (shared; closed with the bus). */
  admin(): Promise<Admin>;
}

/** Redis key prefix for a configuration: `sy:` or `sy:<topicPrefix>:`. */
export function keyPrefix(config: Pick<Config, 'topicPrefix'>): string {
  return config.topicPrefix ? `sy:${config.topicPrefix}:` : 'sy:';
}

/** Largest number of messages per produce request in publishMany. */
const CHUNK = 500;

/**
 * Creates the bus. Nothing connects until first use. The producer is not idempotent (librdkafka's mock cluster
 * lacks InitProducerId) and waits for all in-sync replicas (acks -1); duplicates a producer retry may cause are
 * absorbed by the consumers' idempotency. Partitioning is murmur2 on the key (Java-compatible DefaultPartitioner).
 * Sends made in the same turn of the event loop share one produce request (batcher.ts); each still resolves only
 * once its own messages are acknowledged.
 */
export function createBus(opts: BusOptions): KafkaBus {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger('bus');
  const prefix = opts.config.topicPrefix;
  const kp = keyPrefix(opts.config);
  const ownsRedis = typeof opts.redis === 'string';
  const redis = typeof opts.redis === 'string' ? new Redis(opts.redis, { maxRetriesPerRequest: 3 }) : opts.redis;
  const kafka = new Kafka({ clientId: opts.clientId, brokers: opts.brokers, logCreator: kafkaLogCreator(logger.child('kafkajs')) });
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: false, allowAutoTopicCreation: true });
  const consumers = new Set<Consumer>();
  const stats = new Map<string, GroupStats>();
  let producerReady: Promise<void> | null = null;
  let adminReady: Promise<Admin> | null = null;
  let subscriber: Redis | null = null;
  let closed = false;

  const name = (logical: string): string => (!prefix || logical.startsWith(`${prefix}.`) ? logical : `${prefix}.${logical}`);
  const connected = async (): Promise<Producer> => {
    producerReady ??= producer.connect().catch((err: unknown) => {
      producerReady = null;
      throw err;
    });
    await producerReady;
    return producer;
  };
  const admin = async (): Promise<Admin> => {
    adminReady ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((err: unknown) => {
      adminReady = null;
      throw err;
    });
    return adminReady;
  };

  /** Starts a PRODUCER span per message under the active context and injects its context into the headers. */
  const sendSpan = (service: string, topic: string, key: string | null, headers: Record<string, string>, eventId?: string): Span => {
    const span = tracerFor(service).startSpan(spanName('send', topic), {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MSG.system]: 'kafka',
        [MSG.destination]: topic,
        [MSG.operationType]: 'send',
        [MSG.operationName]: 'send',
        ...(key !== null ? { [MSG.kafkaKey]: key } : {}),
        ...(eventId ? { [MSG.messageId]: eventId } : {}),
      },
    });
    if (span.spanContext().traceId !== INVALID_TRACEID) {
      // A fresh context replaces whatever the message carried (a retry or dead letter copies the original's).
      delete headers[HEADERS.traceparent];
      delete headers[HEADERS.tracestate];
      injectContext(headers, trace.setSpan(context.active(), span));
    }
    return span;
  };
  const batcher = new ProduceBatcher(async (topicMessages) => {
    const p = await connected();
    await p.sendBatch({ acks: -1, topicMessages });
  });
  const send = async (topic: string, messages: Message[], spans: Span[]): Promise<void> => {
    try {
      await batcher.send(topic, messages);
    } catch (err) {
      for (const s of spans) {
        s.recordException(err instanceof Error ? err : new Error(String(err)));
        s.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      }
      throw err;
    } finally {
      for (const s of spans) s.end();
    }
  };
  const toMessage = (service: string, topic: string, event: Envelope, extra: Record<string, string> | undefined): { message: Message; span: Span } => {
    const now = clock.now();
    const headers = { ...envelopeHeaders(event, now), ...extra };
    const span = sendSpan(service, topic, event.orderId, headers, event.id);
    const value = JSON.stringify(event);
    span.setAttribute(MSG.bodySize, Buffer.byteLength(value));
    return { message: { key: event.orderId, value, headers, timestamp: String(now) }, span };
  };

  const publishAs = async (service: string, topic: string, event: Envelope, extra?: Record<string, string>): Promise<void> => {
    const t = name(topic);
    const { message, span } = toMessage(service, t, event, extra);
    await send(t, [message], [span]);
  };

  const sendRaw = async (topic: string, m: RawMessage, service: string): Promise<void> => {
    const headers = { ...m.headers };
    const span = sendSpan(service, topic, m.key === null ? null : m.key.toString(), headers);
    await send(topic, [{ key: m.key, value: m.value, headers, timestamp: String(clock.now()) }], [span]);
  };

  const bus: KafkaBus = {
    keyPrefix: kp,
    name,
    admin,
    publish: (topic, event, extra) => publishAs(opts.tracerService, topic, event, extra),
    publishMany: async (topic, events, extra) => {
      const t = name(topic);
      for (let i = 0; i < events.length; i += CHUNK) {
        const built = events.slice(i, i + CHUNK).map((e) => toMessage(opts.tracerService, t, e, extra));
        await send(t, built.map((b) => b.message), built.map((b) => b.span));
      }
    },
    consume: async (o: ConsumeOptions) => {
      if (closed) throw new Error('bus is closed');
      const group = name(o.group);
      let s = stats.get(group);
      if (!s) stats.set(group, (s = emptyStats()));
      if (!subscriber) {
        subscriber = subscriberFor(redis);
        subscriber.on('error', (err) => logger.debug('control subscriber error', { err }));
      }
      const c = await startConsumer(
        {
          kafka,
          ensure: async (topics) => ensureTopics(await admin(), topics, logger),
          redis,
          subscriber,
          keyPrefix: kp,
          clock,
          logger,
          service: opts.tracerService,
          maxAttempts: opts.config.maxAttempts,
          backoffMs: opts.config.retryBackoffMs,
          ttlSeconds: opts.config.idempotencyTtlSeconds,
          stats: s,
          sendRaw,
          emit: async (topic, type, data, cause, service) => {
            const event = makeEvent(type as EventType, data as EventData<EventType>, { orderId: cause.orderId, source: service, cause, now: clock.now() });
            await publishAs(service, topic, event);
            return event;
          },
        },
        { ...o, group, topics: o.topics.map(name) },
      );
      const handle: Consumer = {
        group: c.group,
        control: () => c.control(),
        stop: async () => {
          consumers.delete(handle);
          await c.stop();
        },
      };
      consumers.add(handle);
      return handle;
    },
    stats: () => Object.fromEntries([...stats].map(([g, s]) => [g, { ...s }])),
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      await batcher.idle();
      if (producerReady) await producer.disconnect();
      if (adminReady) await (await adminReady.catch(() => null))?.disconnect();
      if (subscriber) subscriber.disconnect();
      if (ownsRedis) await redis.quit();
    },
  };
  return bus;
}
