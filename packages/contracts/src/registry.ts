/**
 * The event registry: every event type with its versions, upgrades and topic, and the two doors through which
 * events pass: `makeEvent` (produce, current version) and `decodeEvent` (consume, any known version).
 */
import type { z } from 'zod';
import { EnvelopeSchema, newEnvelope } from './envelope';
import type { Envelope } from './envelope';
import { ContractError, describeValue, toIssues } from './errors';
import type { ContractIssue } from './errors';
import type { TopicName } from './topics';
import { CustomerNotified, LoyaltyPointsUpdated } from './events/customer';
import { DeliveryEtaUpdated, DriverArrived, DriverAssigned, DriverLocationUpdated, OrderDelivered } from './events/delivery';
import type { EventDefinition } from './events/define';
import { EtaPredicted } from './events/eta';
import { InventoryReserved, InventoryShortage, OrderReady } from './events/fulfilment';
import { OrderCreated } from './events/order';
import { FraudLabelled, FraudScored, PaymentAuthorized, PaymentDeclined } from './events/payment';

/** Every event type of the reference pipeline, in stage order. */
export const EVENTS = {
  OrderCreated,
  InventoryReserved,
  InventoryShortage,
  FraudScored,
  PaymentAuthorized,
  PaymentDeclined,
  EtaPredicted,
  OrderReady,
  DriverAssigned,
  DriverLocationUpdated,
  DeliveryEtaUpdated,
  DriverArrived,
  OrderDelivered,
  CustomerNotified,
  LoyaltyPointsUpdated,
  FraudLabelled,
} as const satisfies Record<string, EventDefinition>;

/** The name of an event type, e.g. `'OrderCreated'`. */
export type EventType = keyof typeof EVENTS;

/** The payload of event type `T` at its current version. */
export type EventData<T extends EventType> = z.output<(typeof EVENTS)[T]['schema']>;

/** Any event at its current version, discriminated by `type`. */
export type AnyEvent = { [T in EventType]: Envelope<EventData<T>> & { type: T } }[EventType];

/** Every event type name, in stage order. */
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

/** Whether `type` names a known event type. */
export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(EVENTS, type);
}

/** The topic that carries events of `type`. */
export function topicOf(type: EventType): TopicName {
  return EVENTS[type].topic;
}

/** Options of makeEvent. */
export interface MakeEventOptions {
  /** The order this event belongs to; also the Kafka key. */
  orderId: string;
  /** The producing service, e.g. `payment-svc`. */
  source: string;
  /** The event that caused this one: sets causationId and carries correlationId (default: none, a new chain). */
  cause?: Pick<Envelope, 'id' | 'correlationId'>;
  /** Epoch ms of occurredAt and of the UUIDv7 id (default: Date.now()). */
  now?: number;
}

function definition(type: unknown): EventDefinition {
  if (!isEventType(type)) {
    throw new ContractError('CONTRACT_UNKNOWN_TYPE', `unknown event type ${JSON.stringify(type)}`, [
      { path: 'type', expected: `one of ${EVENT_TYPES.join(', ')}`, got: describeValue(type), message: 'unknown event type' },
    ]);
  }
  return EVENTS[type];
}

function parsePayload(context: string, schema: z.ZodType, data: unknown): unknown {
  const r = schema.safeParse(data);
  if (!r.success) throw new ContractError('CONTRACT_INVALID_PAYLOAD', context, toIssues(r.error.issues, data, 'data'));
  return r.data;
}

/** A payload that names an order must name the envelope's order. */
function checkOrderId(context: string, orderId: string, data: unknown): void {
  const inner = (data as { orderId?: unknown }).orderId;
  if (inner === undefined || inner === orderId) return;
  const issue: ContractIssue = {
    path: 'data.orderId',
    expected: `${JSON.stringify(orderId)} (the envelope's orderId)`,
    got: describeValue(inner),
    message: "payload orderId differs from the envelope's orderId",
  };
  throw new ContractError('CONTRACT_INVALID_PAYLOAD', context, [issue]);
}

/**
 * Validates `data` against the current version of `type` and wraps it in a new envelope.
 * @throws ContractError (CONTRACT_INVALID_PAYLOAD) naming every invalid field
 */
export function makeEvent<T extends EventType>(type: T, data: EventData<T>, opts: MakeEventOptions): Envelope<EventData<T>> {
  const def = definition(type);
  const context = `${type} v${def.current}`;
  const parsed = parsePayload(context, def.schema, data) as EventData<T>;
  checkOrderId(context, opts.orderId, parsed);
  return newEnvelope({
    type,
    version: def.current,
    orderId: opts.orderId,
    source: opts.source,
    data: parsed,
    cause: opts.cause,
    now: opts.now,
  });
}

/** What decodeEvent returns: the event at its current version, or why it is not one. */
export type DecodeResult =
  | { ok: true; event: AnyEvent; upgradedFrom?: number }
  | { ok: false; error: ContractError };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(raw: unknown): unknown {
  if (!(raw instanceof Uint8Array) && typeof raw !== 'string') return raw;
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch (e) {
    throw new ContractError('CONTRACT_INVALID_JSON', 'message is not UTF-8 text', [
      { path: '', expected: 'UTF-8 JSON', got: `${raw.length} bytes of binary`, message: String(e) },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const start = text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text);
    throw new ContractError('CONTRACT_INVALID_JSON', 'message is not JSON', [
      { path: '', expected: 'a JSON event envelope', got: `text ${start}`, message: e instanceof Error ? e.message : String(e) },
    ]);
  }
}

function decode(raw: unknown): DecodeResult {
  const input = parseJson(raw);
  const env = EnvelopeSchema.safeParse(input);
  if (!env.success) {
    throw new ContractError('CONTRACT_INVALID_ENVELOPE', 'not an event envelope', toIssues(env.error.issues, input, ''));
  }
  const { type, version } = env.data;
  const def = definition(type);
  let schema = def.versions[version];
  if (!schema) {
    const known = Object.keys(def.versions).join(', ');
    const why = version > def.current ? 'newer than this code knows: deploy a consumer that knows it' : 'no longer readable';
    throw new ContractError('CONTRACT_UNKNOWN_VERSION', `${type} v${version} is ${why}`, [
      { path: 'version', expected: `one of ${known}`, got: describeValue(version), message: `${type} v${version} is ${why}` },
    ]);
  }
  let data = parsePayload(`${type} v${version}`, schema, env.data.data);
  for (let v = version; v < def.current; v++) {
    const step = def.upgrade[v];
    schema = def.versions[v + 1];
    if (!step || !schema) throw new Error(`${type}: no upgrade from v${v}`);
    data = parsePayload(`${type} v${v} upgraded to v${v + 1}`, schema, step(data));
  }
  checkOrderId(`${type} v${version}`, env.data.orderId, data);
  const event = { ...env.data, version: def.current, data } as AnyEvent;
  return version === def.current ? { ok: true, event } : { ok: true, event, upgradedFrom: version };
}

/**
 * Reads one event from the wire (bytes, a JSON string, or an already-parsed object): validates the envelope,
 * the type, the version and the payload against that version's schema, then upgrades it step by step to the
 * current version. Never throws: every failure is `{ ok: false, error }` with a ContractError.
 */
export function decodeEvent(raw: Buffer | string | unknown): DecodeResult {
  try {
    return decode(raw);
  } catch (e) {
    if (e instanceof ContractError) return { ok: false, error: e };
    const message = e instanceof Error ? e.message : String(e);
    const error = new ContractError('CONTRACT_INVALID_PAYLOAD', `could not decode: ${message}`, [], { cause: e });
    return { ok: false, error };
  }
}
