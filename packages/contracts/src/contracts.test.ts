import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ContractError,
  EVENTS,
  EVENT_TYPES,
  TOPICS,
  decodeEvent,
  makeEvent,
  sampleOrder,
  seededRng,
  topicOf,
} from './index';
import type { AnyEvent, ContractErrorCode, Envelope, EventData, EventType } from './index';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
interface Fixture { version: number; type: EventType; file: string; envelope: Envelope }
const fixtures: Fixture[] = readdirSync(FIXTURES).flatMap((dir) =>
  readdirSync(join(FIXTURES, dir)).map((name) => {
    const file = join(FIXTURES, dir, name);
    return { version: Number(dir.slice(1)), type: name.replace(/\.json$/, '') as EventType, file, envelope: JSON.parse(readFileSync(file, 'utf8')) as Envelope };
  }),
);
const fixture = (type: EventType, version: number): Envelope => {
  const f = fixtures.find((x) => x.type === type && x.version === version);
  if (!f) throw new Error(`no fixture ${type} v${version}`);
  return structuredClone(f.envelope);
};

function decoded(raw: unknown): { event: AnyEvent; upgradedFrom?: number } {
  const r = decodeEvent(raw);
  if (!r.ok) throw r.error;
  return r;
}
function rejected(raw: unknown, code: ContractErrorCode): ContractError {
  const r = decodeEvent(raw);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('decoded');
  expect(r.error).toBeInstanceOf(ContractError);
  expect(r.error.code).toBe(code);
  expect(r.error.retriable).toBe(false);
  return r.error;
}

describe('fixtures: every version ever written stays readable', () => {
  it('has a fixture for every version 1..current of every event type', () => {
    const missing = EVENT_TYPES.flatMap((t) =>
      Array.from({ length: EVENTS[t].current }, (_, i) => i + 1)
        .filter((v) => !fixtures.some((f) => f.type === t && f.version === v))
        .map((v) => `${t} v${v}`),
    );
    expect(missing).toEqual([]);
    expect(fixtures.every((f) => f.envelope.type === f.type && f.envelope.version === f.version)).toBe(true);
  });

  it.each(fixtures.map((f) => [`${f.type} v${f.version}`, f] as const))('%s decodes to the current version', (_, f) => {
    const r = decoded(readFileSync(f.file));
    const current = EVENTS[f.type].current;
    expect(r.event.type).toBe(f.type);
    expect(r.event.version).toBe(current);
    expect(r.upgradedFrom).toBe(f.version < current ? f.version : undefined);
    expect(r.event.id).toBe(f.envelope.id);
    expect(EVENTS[f.type].schema.safeParse(r.event.data).success).toBe(true);
  });

  it('upgrades old payloads to what they meant', () => {
    const data = <T extends EventType>(type: T): EventData<T> => decoded(fixture(type, 1)).event.data as EventData<T>;
    const order = data('OrderCreated');
    expect(order.orderTotal).toBe(61.41);
    expect(order.shipTo.map((s) => s.shipmentCarrier)).toEqual(['fleet']);
    expect(order).not.toHaveProperty('total');
    expect(data('PaymentAuthorized')).toEqual({ authorizationId: 'auth-3xk9q2m7', amount: 61.41, currency: 'USD', provider: 'stripe' });
    expect(data('FraudScored').score).toBe(0.12);
    const eta = data('EtaPredicted');
    expect([eta.etaMinutes, eta.model, eta.modelVersion]).toEqual([28.5, 'eta-gbm', '3']);
    expect(data('DriverLocationUpdated')).toEqual({ driverId: 'drv-0042', lat: 37.8044, lon: -122.2712, speedKmh: 18 });
    expect(data('CustomerNotified').providerMessageId).toBe('SM8f2c1e9a7b6d4c3e2f1a0b9c8d7e6f5a');
  });

  it('converts minor units by the currency: JPY has none', () => {
    const e = fixture('PaymentAuthorized', 1);
    e.data = { ...(e.data as object), amountCents: 4200, currency: 'JPY' };
    expect(decoded(e).event.data).toMatchObject({ amount: 4200, currency: 'JPY' });
  });
});

describe('makeEvent → JSON → decodeEvent', () => {
  const current = fixtures.filter((f) => f.version === EVENTS[f.type].current);

  it.each(current.map((f) => [f.type, f] as const))('%s round-trips', (type, f) => {
    const cause = { id: f.envelope.id, correlationId: f.envelope.correlationId };
    const made = makeEvent(type, f.envelope.data as EventData<typeof type>, { orderId: f.envelope.orderId, source: 'test', cause, now: 1_750_000_000_000 });
    expect(made).toMatchObject({ type, version: EVENTS[type].current, causationId: cause.id, correlationId: cause.correlationId });
    expect(made.occurredAt).toBe(new Date(1_750_000_000_000).toISOString());
    const r = decoded(Buffer.from(JSON.stringify(made)));
    expect(r.upgradedFrom).toBeUndefined();
    expect(r.event).toEqual(made);
  });

  it('starts a new correlation chain without a cause', () => {
    const o = sampleOrder({ rng: seededRng(3) });
    const e = makeEvent('OrderCreated', o, { orderId: o.orderId, source: 'order-intake' });
    expect([e.causationId, e.correlationId]).toEqual([null, e.id]);
  });

  it('maps every type to a topic of the pipeline', () => {
    for (const t of EVENT_TYPES) expect(Object.values(TOPICS)).toContain(topicOf(t));
    expect(topicOf('OrderCreated')).toBe('orders');
    expect(EVENT_TYPES).toHaveLength(16);
  });
});

describe('invalid payloads say what to fix', () => {
  it('names the path, the expected type and the value found', () => {
    const e = fixture('OrderCreated', 2);
    (e.data as { shipTo: { address: Record<string, unknown> }[] }).shipTo[0]!.address.zipCode = 12345;
    const err = rejected(JSON.stringify(e), 'CONTRACT_INVALID_PAYLOAD');
    expect(err.message).toBe('OrderCreated v2: data.shipTo[0].address.zipCode: expected string, got number (12345)');
    expect(err.issues).toEqual([
      { path: 'data.shipTo[0].address.zipCode', expected: 'string', got: 'number (12345)', message: expect.any(String) },
    ]);
  });

  it('reports missing fields, bad enums, long strings, unknown keys and bad formats together', () => {
    const e = fixture('OrderCreated', 2);
    const d = e.data as Record<string, unknown> & { shipTo: { address: Record<string, unknown>; shipmentCarrier: string }[] };
    delete d.cartId;
    d.shipTo[0]!.shipmentCarrier = 'pigeon';
    d.shipTo[0]!.address.city = 'x'.repeat(65);
    d.shipTo[0]!.address.email = 'not-an-email';
    d.coupon = 'FREE';
    const byPath = Object.fromEntries(rejected(e, 'CONTRACT_INVALID_PAYLOAD').issues.map((i) => [i.path, i]));
    expect(byPath['data.cartId']).toMatchObject({ expected: 'string', got: 'nothing (field missing)' });
    expect(byPath['data.shipTo[0].shipmentCarrier']).toMatchObject({ expected: expect.stringContaining('"fleet"'), got: 'string ("pigeon")' });
    expect(byPath['data.shipTo[0].address.city']).toMatchObject({ expected: 'string of at most 64 characters', got: expect.stringMatching(/^string of 65 characters/) });
    expect(byPath['data.shipTo[0].address.email']).toMatchObject({ expected: 'an email address', got: 'string ("not-an-email")' });
    expect(byPath['data']).toMatchObject({ expected: 'no other keys', got: 'unknown key "coupon"' });
  });

  it('checks that totals add up', () => {
    const e = fixture('OrderCreated', 2);
    const d = e.data as { orderTotal: number; items: { total: number }[] };
    d.orderTotal = 61.4;
    expect(rejected(e, 'CONTRACT_INVALID_PAYLOAD').issues).toEqual([
      expect.objectContaining({ path: 'data.orderTotal', expected: '61.41 (sum of items[].total)', got: 'number (61.4)' }),
    ]);
    d.orderTotal = 61.41;
    d.items[1]!.total = 11.95;
    expect(rejected(e, 'CONTRACT_INVALID_PAYLOAD').issues[0]).toMatchObject({ path: 'data.items[1].total', expected: '11.90 (price * quantity)' });
  });

  it('validates an old payload against its own version', () => {
    const e = fixture('OrderCreated', 1);
    (e.data as Record<string, unknown>).total = 61.41;
    const err = rejected(e, 'CONTRACT_INVALID_PAYLOAD');
    expect(err.message).toMatch(/^OrderCreated v1: data\.total: expected string, got number \(61\.41\)/);
  });

  it('rejects a payload whose orderId is not the envelope orderId', () => {
    const e = fixture('OrderCreated', 2);
    e.orderId = 'ord-other';
    expect(rejected(e, 'CONTRACT_INVALID_PAYLOAD').issues[0]).toMatchObject({ path: 'data.orderId', got: 'string ("ord-7k2m9x4q1w8e5r3t")' });
  });

  it('makeEvent throws a ContractError instead of producing a bad event', () => {
    const bad = { driverId: 'drv-1', vehicle: 'hoverboard', distanceKm: -1 } as unknown as EventData<'DriverAssigned'>;
    expect(() => makeEvent('DriverAssigned', bad, { orderId: 'o-1', source: 'dispatch-svc' })).toThrow(ContractError);
    try {
      makeEvent('DriverAssigned', bad, { orderId: 'o-1', source: 'dispatch-svc' });
    } catch (e) {
      const err = e as ContractError;
      expect(err.code).toBe('CONTRACT_INVALID_PAYLOAD');
      expect(err.issues.map((i) => [i.path, i.expected, i.got])).toEqual([
        ['data.vehicle', 'one of "bike", "scooter", "car", "van"', 'string ("hoverboard")'],
        ['data.distanceKm', 'number >= 0', 'number (-1)'],
      ]);
    }
  });
});

describe('what is not an event is rejected with a code, never thrown', () => {
  it('rejects an unknown version, naming the versions it knows', () => {
    const e = fixture('OrderCreated', 2);
    e.version = 3;
    const err = rejected(e, 'CONTRACT_UNKNOWN_VERSION');
    expect(err.issues[0]).toMatchObject({ path: 'version', expected: 'one of 1, 2', got: 'number (3)' });
    expect(err.message).toContain('newer than this code knows');
  });

  it('rejects an unknown type', () => {
    for (const type of ['OrderCancelled', 'toString', '__proto__']) {
      const e = { ...fixture('DriverArrived', 1), type };
      expect(rejected(JSON.stringify(e), 'CONTRACT_UNKNOWN_TYPE').issues[0]).toMatchObject({ path: 'type', got: `string (${JSON.stringify(type)})` });
    }
  });

  it('rejects bad JSON, bad bytes and bad envelopes', () => {
    expect(rejected('{"id": ', 'CONTRACT_INVALID_JSON').message).toMatch(/not JSON/);
    rejected(Buffer.from([0xff, 0xfe, 0x00, 0x7b]), 'CONTRACT_INVALID_JSON');
    const { id: _id, ...noId } = fixture('DriverArrived', 1);
    expect(rejected(noId, 'CONTRACT_INVALID_ENVELOPE').issues[0]).toMatchObject({ path: 'id', got: 'nothing (field missing)' });
    expect(rejected({ ...fixture('DriverArrived', 1), occurredAt: 'yesterday' }, 'CONTRACT_INVALID_ENVELOPE').issues[0]?.path).toBe('occurredAt');
    for (const junk of [null, undefined, 42, [], 'null', '"text"', {}]) rejected(junk, 'CONTRACT_INVALID_ENVELOPE');
  });
});

describe('sampleOrder', () => {
  it('makes valid orders whose totals add up to the cent', () => {
    const rng = seededRng(42);
    const countries = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const o = sampleOrder({ rng });
      expect(EVENTS.OrderCreated.schema.safeParse(o).success).toBe(true);
      expect(o.items.length).toBeGreaterThanOrEqual(1);
      expect(o.items.length).toBeLessThanOrEqual(5);
      for (const it of o.items) expect(Math.round(it.total * 100)).toBe(Math.round(it.price * it.quantity * 100));
      expect(Math.round(o.orderTotal * 100)).toBe(o.items.reduce((s, it) => s + Math.round(it.total * 100), 0));
      expect(new Set(o.items.map((it) => it.itemId)).size).toBe(o.items.length);
      countries.add(o.shipTo[0]!.address.country);
    }
    expect(countries).toContain('US');
    expect(countries).toContain('DE');
  });

  it('is deterministic with a seeded rng and honours its options', () => {
    expect(sampleOrder({ rng: seededRng(7) })).toEqual(sampleOrder({ rng: seededRng(7) }));
    expect(sampleOrder({ rng: seededRng(7) })).not.toEqual(sampleOrder({ rng: seededRng(8) }));
    const big = sampleOrder({ orderId: 'ord-fixed', items: 30 });
    expect(big.orderId).toBe('ord-fixed');
    expect(big.items).toHaveLength(30);
    expect(decodeEvent(JSON.stringify(makeEvent('OrderCreated', big, { orderId: 'ord-fixed', source: 'load' }))).ok).toBe(true);
  });
});
