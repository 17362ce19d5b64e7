/**
 * What every pipeline service gets: the bus, Redis, BullMQ connection, fault knobs, models, clock and logger; and
 * the order book, a small Redis record per order that intake writes and later stages read (the reference
 * pipeline's stand-in for an order database).
 */
import type { ConnectionOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Bus, MessageContext } from '@switchyard/bus/types';
import type { AnyEvent, EventData, EventType, Envelope } from '@switchyard/contracts';
import { makeEvent } from '@switchyard/contracts';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import type { EtaModel, FraudModel } from '@switchyard/ml';
import type { FaultKnobs } from './faults';

/** Dependencies shared by every service of one process. */
export interface PipelineContext {
  bus: Bus;
  redis: Redis;
  /** A connection reserved for SUBSCRIBE (control channel). */
  subscriber: Redis;
  /** BullMQ connection options (BullMQ opens its own connections). */
  connection: ConnectionOptions;
  faults: FaultKnobs;
  models: { eta: EtaModel; fraud: FraudModel };
  /** Prefix of Redis keys (and of topics, through {@link PipelineContext.topic}). */
  prefix: string;
  /** Applies the topic prefix. */
  topic(name: string): string;
  /** A queue by name, created once per process. */
  queue(name: string): Queue;
  clock: Clock;
  logger: Logger;
  /** Randomness for simulations (seedable in tests). Default Math.random. */
  random(): number;
}

/** What intake records of an order for later stages. */
export interface OrderRecord {
  orderId: string;
  customerId: string | null;
  total: number;
  currency: string;
  items: number;
  addressMismatch: boolean;
  /** Simulated destination and distance from the kitchen. */
  dest: { lat: number; lon: number };
  distanceKm: number;
  createdAt: number;
  /** Simulated ground truth: minutes the delivery really takes, decided by the simulation at ETA time. */
  actualMinutes?: number;
}

const ORDER_TTL_S = 86_400;

/** Stores an order record. */
export async function saveOrder(ctx: PipelineContext, order: OrderRecord): Promise<void> {
  await ctx.redis.set(`${ctx.prefix}order:${order.orderId}`, JSON.stringify(order), 'EX', ORDER_TTL_S);
}

/** Reads an order record; a missing one is an error worth retrying (intake may be slower than the reader). */
export async function loadOrder(ctx: PipelineContext, orderId: string): Promise<OrderRecord> {
  const raw = await ctx.redis.get(`${ctx.prefix}order:${orderId}`);
  if (!raw) throw new OrderNotFoundError(orderId);
  return JSON.parse(raw) as OrderRecord;
}

/** Updates fields of an order record. */
export async function patchOrder(ctx: PipelineContext, orderId: string, patch: Partial<OrderRecord>): Promise<OrderRecord> {
  const next = { ...(await loadOrder(ctx, orderId)), ...patch };
  await saveOrder(ctx, next);
  return next;
}

/** The order record is missing (expired, or intake has not written it yet). */
export class OrderNotFoundError extends Error {
  readonly code = 'ORDER_NOT_FOUND';
  readonly retriable = true;
  constructor(orderId: string) {
    super(`order ${orderId} is not in the order book`);
    this.name = 'OrderNotFoundError';
  }
}

/**
 * Emits an event caused by the one being handled, through the message context (Kafka hop) or, for BullMQ workers,
 * straight through the bus with the cause set by hand. Publishes it twice at the duplicate-delivery fault rate.
 */
export async function emit<T extends EventType>(
  ctx: PipelineContext,
  from: { message?: MessageContext; cause: Pick<Envelope, 'id' | 'correlationId' | 'orderId'>; source: string },
  type: T,
  data: EventData<T>,
  topicName: string,
): Promise<Envelope> {
  const topic = ctx.topic(topicName);
  let event: Envelope;
  if (from.message) {
    event = await from.message.emit(topic, type, data);
  } else {
    event = makeEvent(type, data, { orderId: from.cause.orderId, source: from.source, cause: from.cause, now: ctx.clock.now() });
    await ctx.bus.publish(topic, event);
  }
  if (ctx.random() < ctx.faults.get().duplicateRate) await ctx.bus.publish(topic, event);
  return event;
}

/** Narrows an event to one type. */
export function isType<T extends EventType>(event: AnyEvent | Envelope, type: T): event is Extract<AnyEvent, { type: T }> {
  return event.type === type;
}
