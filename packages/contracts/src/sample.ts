/**
 * Realistic random orders for the load generator and tests: names, US and EU addresses, phones, 1-5 lines from a
 * small catalogue, totals that add up to the cent. Deterministic when given a seeded rng.
 */
import type { z } from 'zod';
import { roundCents, toCents } from './events/common';
import type { Address, ShipmentCarrier } from './events/order';
import type { EventData } from './registry';

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Rng = () => number;

/**
 * A small, fast seeded generator (mulberry32): the same seed gives the same sequence.
 * @param seed any 32-bit integer
 */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ava', 'Liam', 'Sofia', 'Noah', 'Mia', 'Lucas', 'Emma', 'Mateo', 'Zoë', 'Elias', 'Chloé', 'Jonas',
  'Amara', 'Luca', 'Priya', 'Kenji', 'Fatima', 'Oliver', 'Ines', 'Diego', 'Hannah', 'Malik', 'Léa', 'Tomás'];
const LAST = ['Smith', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Johnson', 'Nguyen', 'Kowalski', 'de Vries',
  'Fernández', 'Okafor', 'Schmidt', 'Brown', 'Martin', 'Lopez', 'Bianchi', 'Jansen', 'Patel', 'Kim', 'Moreau'];

interface City {
  city: string;
  state: string;
  country: string;
  currency: string;
  zip: (r: Rng) => string;
  phone: (r: Rng) => string;
  streets: string[];
  /** House number before the street name (US) or after it (most of the EU). */
  numberFirst: boolean;
  carriers: z.infer<typeof ShipmentCarrier>[];
}

const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const us = (city: string, state: string, zip: string, area: string, streets: string[]): City => ({
  city, state, country: 'US', currency: 'USD', streets, numberFirst: true, carriers: ['ups', 'fedex', 'usps'],
  zip: (r) => zip + digits(r, 5 - zip.length),
  phone: (r) => `+1${area}${2 + Math.floor(r() * 8)}${digits(r, 6)}`,
});
const eu = (city: string, state: string, country: string, zip: (r: Rng) => string, phone: string, streets: string[]): City => ({
  city, state, country, currency: 'EUR', streets, numberFirst: false, carriers: ['dhl', 'dpd', 'ups'], zip,
  // Subscriber digits after the city code: national numbers are 9 digits in FR, NL, ES; 10 in Berlin and Milan.
  phone: (r) => `${phone}${digits(r, ['+331', '+3120', '+3491'].includes(phone) ? 9 - (phone.length - 3) : 8)}`,
});

const CITIES: City[] = [
  us('Austin', 'TX', '787', '512', ['Congress Ave', 'South Lamar Blvd', 'E 6th St', 'Guadalupe St']),
  us('Brooklyn', 'NY', '112', '718', ['Atlantic Ave', 'Bedford Ave', 'Flatbush Ave', 'Court St']),
  us('Oakland', 'CA', '946', '510', ['Telegraph Ave', 'Broadway', 'College Ave', 'Grand Ave']),
  us('Chicago', 'IL', '606', '312', ['N Clark St', 'W Division St', 'S State St', 'N Milwaukee Ave']),
  eu('Berlin', 'BE', 'DE', (r) => `1${digits(r, 4)}`, '+4930', ['Torstraße', 'Kastanienallee', 'Oranienstraße', 'Sonnenallee']),
  eu('Paris', 'Île-de-France', 'FR', (r) => `750${String(1 + Math.floor(r() * 20)).padStart(2, '0')}`, '+331', ['Rue de Rivoli', 'Rue Oberkampf', 'Boulevard Voltaire']),
  eu('Amsterdam', 'NH', 'NL', (r) => `10${digits(r, 2)} ${'ABCDEGHJKLMNPRSTVWXZ'[Math.floor(r() * 20)]}${'ABCDEGHJKLMNPRSTVWXZ'[Math.floor(r() * 20)]}`, '+3120', ['Prinsengracht', 'Damrak', 'Ferdinand Bolstraat']),
  eu('Madrid', 'MD', 'ES', (r) => `280${digits(r, 2)}`, '+3491', ['Calle de Alcalá', 'Gran Vía', 'Calle de Atocha']),
  eu('Milano', 'MI', 'IT', (r) => `201${digits(r, 2)}`, '+3902', ['Via Torino', 'Corso Buenos Aires', 'Via Tortona']),
];

/** The catalogue: item ids and unit prices (the same figures in USD and EUR). */
const CATALOGUE: ReadonlyArray<readonly [string, number]> = [
  ['sku-burrito-bowl', 12.49], ['sku-margherita-pizza', 14.9], ['sku-pad-thai', 13.75], ['sku-caesar-salad', 9.99],
  ['sku-ramen-tonkotsu', 15.5], ['sku-falafel-wrap', 8.45], ['sku-cheeseburger', 11.25], ['sku-sushi-set-12', 21.0],
  ['sku-poke-bowl', 14.35], ['sku-lemonade', 3.5], ['sku-cold-brew', 4.25], ['sku-sparkling-water', 2.19],
  ['sku-tiramisu', 6.8], ['sku-churros', 5.95], ['sku-fries', 3.99], ['sku-miso-soup', 3.2], ['sku-kimchi', 4.6],
  ['sku-chicken-wings-8', 10.75], ['sku-veggie-curry', 12.1], ['sku-bibimbap', 13.3],
];

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const id = (r: Rng, prefix: string, n = 16): string =>
  prefix + Array.from({ length: n }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 36)]).join('');
const ascii = (s: string): string => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();

function address(r: Rng, city: City): z.input<typeof Address> {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  const street = pick(r, city.streets);
  const no = 1 + Math.floor(r() * (city.numberFirst ? 4000 : 180));
  const street2 = r() < 0.3 ? (city.numberFirst ? `Apt ${1 + Math.floor(r() * 30)}${'ABCD'[Math.floor(r() * 4)]}` : `Floor ${1 + Math.floor(r() * 6)}`) : undefined;
  return {
    name: { first, last },
    phone: { number: city.phone(r), kind: r() < 0.85 ? 'mobile' : pick(r, ['home', 'work'] as const) },
    email: `${ascii(first)}.${ascii(last)}${Math.floor(r() * 100)}@${pick(r, ['example.com', 'example.org', 'example.net'])}`,
    street1: city.numberFirst ? `${no} ${street}` : `${street} ${no}`,
    ...(street2 ? { street2 } : {}),
    city: city.city,
    state: city.state,
    country: city.country,
    zipCode: city.zip(r),
    kind: r() < 0.8 ? 'residential' : 'commercial',
  };
}

/** Options of sampleOrder. */
export interface SampleOrderOptions {
  /** The order id (default: `ord-` and 16 random characters from `rng`). */
  orderId?: string;
  /** Source of randomness (default Math.random); pass `seededRng(seed)` for repeatable orders. */
  rng?: Rng;
  /** Number of order lines, 1-50 (default: 1 to 5 at random). */
  items?: number;
}

/** A random, valid OrderCreated payload (current version) whose totals add up to the cent. */
export function sampleOrder(opts: SampleOrderOptions = {}): EventData<'OrderCreated'> {
  const r = opts.rng ?? Math.random;
  const city = pick(r, CITIES);
  const lines = Math.max(1, Math.min(50, Math.floor(opts.items ?? 1 + Math.floor(r() * 5))));
  const order = CATALOGUE.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const items = Array.from({ length: lines }, (_, k) => {
    const [sku, price] = CATALOGUE[order[k % order.length] as number] as readonly [string, number];
    const quantity = r() < 0.7 ? 1 : 2 + Math.floor(r() * 3);
    const itemId = k < order.length ? sku : `${sku}-${Math.floor(k / order.length)}`;
    return { itemId, price, quantity, total: roundCents(price * quantity) };
  });
  const orderTotal = items.reduce((s, i) => s + toCents(i.total), 0) / 100;
  return {
    cartId: id(r, 'cart-'),
    orderId: opts.orderId ?? id(r, 'ord-'),
    customerId: id(r, 'cus-', 12),
    orderCurrency: city.currency,
    orderTotal,
    shipTo: [{ address: address(r, city), shipmentCarrier: r() < 0.9 ? 'fleet' : pick(r, city.carriers) }],
    items,
  };
}
