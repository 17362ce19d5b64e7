/**
 * Synthetic but plausible order history for training the ETA and fraud models, and for tests that need data
 * from the same world (or a shifted one, to show drift). Everything is drawn from a seeded generator: the same
 * `(n, seed, shift)` always gives the same rows.
 *
 * The ETA world: a kitchen prepares the order while a driver is found; the driver arrives at the kitchen some
 * minutes after being found, and orders wait when there are fewer free drivers than open orders. Delivery time is
 * the later of food-ready and driver-at-kitchen, plus the ride (slower in rush hours and bad weather), plus the
 * handoff, plus noise.
 *
 * The fraud world: about 2% of orders are fraudulent. Fraudsters buy more items, dearer ones, more often ship to
 * an address other than the billing one, and more often order at night.
 */
import { Rng } from '@switchyard/ml';
import type { EtaFeatures, FraudFeatures, Weather } from '@switchyard/ml';

/** Relative order volume per hour of day: lunch and dinner peaks. */
export const HOUR_WEIGHTS: readonly number[] = [0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 0.8, 0.9, 1.2, 2.2, 3.0, 2.4, 1.4, 1.0, 1.2, 2.0, 3.2, 3.5, 2.8, 1.8, 1.0, 0.6];
const HOURS = HOUR_WEIGHTS.map((_, h) => h);
const WEATHERS: readonly Weather[] = ['clear', 'rain', 'snow', 'storm'];
const WEATHER_WEIGHTS = { clear: 0.65, rain: 0.22, snow: 0.08, storm: 0.05 } as const;
/** Ride speed as a share of clear-weather speed. */
const WEATHER_SPEED = { clear: 1, rain: 0.85, snow: 0.65, storm: 0.55 } as const;
/** Drivers on shift as a share of a clear day. */
const WEATHER_DRIVERS = { clear: 1, rain: 0.9, snow: 0.75, storm: 0.6 } as const;
/** Average ride speed the naive baseline assumes, km/h. */
export const NAIVE_SPEED_KMH = 22;

/** How busy an hour is, 0 (quiet) to 1 (peak lunch or dinner). */
export function rushLevel(hour: number): number {
  if (hour >= 12 && hour <= 13) return 1;
  if (hour >= 18 && hour <= 20) return 1;
  if (hour === 11 || hour === 14 || hour === 17 || hour === 21) return 0.5;
  return 0;
}

/** One delivered order: the model's inputs and the minutes it actually took. */
export interface EtaRow extends EtaFeatures {
  deliveryMinutes: number;
}

/** Changes to the ETA world, to make drifted data. Every field defaults to no change. */
export interface EtaShift {
  /** Multiplies every distance (a new, wider delivery zone). */
  distanceScale?: number;
  /** Multiplies every preparation estimate. */
  prepScale?: number;
  /** Multiplies driver supply (a driver shortage below 1). */
  supplyScale?: number;
  /** Replaces the weather mix (relative weights). */
  weather?: Partial<Record<Weather, number>>;
}

/** Draws `n` delivered orders. */
export function generateEtaHistory(n: number, seed: number, shift: EtaShift = {}): EtaRow[] {
  const rng = new Rng(seed);
  const weatherWeights = WEATHERS.map((w) => shift.weather?.[w] ?? (shift.weather ? 0 : WEATHER_WEIGHTS[w]));
  const rows: EtaRow[] = [];
  for (let i = 0; i < n; i++) {
    const hour = rng.categorical(HOURS, HOUR_WEIGHTS);
    const rush = rushLevel(hour);
    const weather = rng.categorical(WEATHERS, weatherWeights);
    const distanceKm = round(clamp(rng.lognormal(Math.log(3), 0.55) * (shift.distanceScale ?? 1), 0.2, 30), 2);
    const prepMinutes = Math.round(clamp(rng.lognormal(Math.log(12), 0.35) * (shift.prepScale ?? 1), 3, 90));
    const driverSupply = round(clamp(rng.lognormal(Math.log(1.4), 0.45) * (1 - 0.45 * rush) * WEATHER_DRIVERS[weather] * (shift.supplyScale ?? 1), 0.05, 6), 2);

    // Kitchens run late at peaks; estimates are right on average otherwise.
    const foodReady = prepMinutes * rng.lognormal(0, 0.15) + 2.5 * rush;
    // With fewer free drivers than orders, an order queues for one; the driver then rides to the kitchen.
    const waitForDriver = driverSupply >= 1 ? rng.uniform(0, 2) : Math.min(40, 7 * (1 / driverSupply - 1)) * rng.lognormal(0, 0.2);
    const driverAtKitchen = waitForDriver + rng.uniform(3, 7);
    const speedKmh = 24 * WEATHER_SPEED[weather] * (1 - 0.25 * rush) * rng.lognormal(0, 0.1);
    const ride = (distanceKm / speedKmh) * 60;
    const minutes = Math.max(foodReady, driverAtKitchen) + ride + 2 + rng.normal(0, 1);
    rows.push({ distanceKm, prepMinutes, hour, weather, driverSupply, deliveryMinutes: round(Math.max(5, minutes), 1) });
  }
  return rows;
}

/** The naive ETA a team without a model would quote: preparation plus distance at an average speed. */
export function naiveEta(row: Pick<EtaFeatures, 'prepMinutes' | 'distanceKm'>): number {
  return row.prepMinutes + (row.distanceKm / NAIVE_SPEED_KMH) * 60;
}

/** One order with its outcome: fraudulent or not. `hour` is always present in history. */
export interface FraudRow extends FraudFeatures {
  hour: number;
  isFraud: boolean;
}

/** Changes to the fraud world, to make drifted data. Every field defaults to no change. */
export interface FraudShift {
  /** Multiplies every order amount (a price rise, a new premium menu). */
  amountScale?: number;
  /** Share of honest orders with a mismatched address (default 0.05). */
  mismatchRate?: number;
  /** Share of fraudulent orders (default 0.02). */
  fraudRate?: number;
}

const NIGHT_BOOST = [3, 3, 3, 3, 3, 2, 1].concat(new Array<number>(17).fill(0));
const FRAUD_HOUR_WEIGHTS = HOUR_WEIGHTS.map((w, h) => w + (NIGHT_BOOST[h] ?? 0));

/** The fraud world's parameters, fraudulent vs honest orders (shared by the generator and the posterior). */
const FRAUD_WORLD = {
  fraudRate: 0.02,
  /** Items beyond the first: Poisson with this mean. */
  extraItems: { fraud: 3.2, honest: 1.6 },
  /** Price of one item: log-normal with this median and log-sd. */
  itemMedian: { fraud: 17, honest: 11 },
  itemLogSd: 0.5,
  deliveryFee: 3.5,
  mismatch: { fraud: 0.4, honest: 0.05 },
  maxItems: 30,
} as const;

/** Draws `n` orders with their fraud outcome. */
export function generateFraudHistory(n: number, seed: number, shift: FraudShift = {}): FraudRow[] {
  const rng = new Rng(seed);
  const w = FRAUD_WORLD;
  const fraudRate = shift.fraudRate ?? w.fraudRate;
  const mismatchRate = shift.mismatchRate ?? w.mismatch.honest;
  const rows: FraudRow[] = [];
  for (let i = 0; i < n; i++) {
    const isFraud = rng.bernoulli(fraudRate);
    const items = Math.min(w.maxItems, 1 + rng.poisson(isFraud ? w.extraItems.fraud : w.extraItems.honest));
    const hour = rng.categorical(HOURS, isFraud ? FRAUD_HOUR_WEIGHTS : HOUR_WEIGHTS);
    let amount: number = w.deliveryFee;
    for (let k = 0; k < items; k++) amount += rng.lognormal(Math.log(isFraud ? w.itemMedian.fraud : w.itemMedian.honest), w.itemLogSd);
    amount = round(amount * (shift.amountScale ?? 1), 2);
    const addressMismatch = rng.bernoulli(isFraud ? w.mismatch.fraud : mismatchRate);
    rows.push({ amount, items, addressMismatch, hour, isFraud });
  }
  return rows;
}

/**
 * The probability that an order of the (unshifted) fraud world is fraudulent, given what the payment step sees:
 * Bayes over the generator's own distributions, so it is the truth the simulation draws labels from, not a model.
 * Items and hour are exact; the amount (delivery fee plus a sum of log-normal item prices) uses the
 * Fenton-Wilkinson log-normal for the sum. `hour` defaults to noon; amounts at or below the fee carry no evidence.
 */
export function fraudPosterior(order: Pick<FraudFeatures, 'amount' | 'items' | 'addressMismatch'> & { hour?: number }): number {
  const w = FRAUD_WORLD;
  const items = Math.max(1, Math.min(w.maxItems, Math.round(order.items)));
  const hour = Math.max(0, Math.min(23, Math.floor(order.hour ?? 12)));
  let logOdds = Math.log(w.fraudRate / (1 - w.fraudRate));
  // Poisson(k - 1; a) / Poisson(k - 1; b) = e^(b - a) (a / b)^(k - 1)
  logOdds += w.extraItems.honest - w.extraItems.fraud + (items - 1) * Math.log(w.extraItems.fraud / w.extraItems.honest);
  const share = (weights: readonly number[]): number => (weights[hour] ?? 0) / weights.reduce((a, b) => a + b, 0);
  logOdds += Math.log(share(FRAUD_HOUR_WEIGHTS) / share(HOUR_WEIGHTS));
  logOdds += order.addressMismatch ? Math.log(w.mismatch.fraud / w.mismatch.honest) : Math.log((1 - w.mismatch.fraud) / (1 - w.mismatch.honest));
  const spent = order.amount - w.deliveryFee;
  if (spent > 0) {
    // Sum of `items` log-normals (same log-sd) ~ log-normal with log-sd s and log-mean ln(items) + mu + sd²/2 - s²/2.
    const s2 = Math.log(1 + Math.expm1(w.itemLogSd ** 2) / items);
    const mu = (median: number): number => Math.log(items) + Math.log(median) + w.itemLogSd ** 2 / 2 - s2 / 2;
    const x = Math.log(spent);
    logOdds += ((x - mu(w.itemMedian.honest)) ** 2 - (x - mu(w.itemMedian.fraud)) ** 2) / (2 * s2);
  }
  return 1 / (1 + Math.exp(-logOdds));
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
