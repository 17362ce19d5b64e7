/**
 * Building blocks shared by the payload schemas: bounded strings, identifiers, money and coordinates.
 * Every string is bounded so that a poison message cannot carry megabytes in one field.
 */
import { z } from 'zod';

/** A non-empty string of at most `max` characters. */
export function text(max: number): z.ZodString {
  return z.string().min(1).max(max);
}

/** An identifier: letters, digits and `_-:.`, 1-64 characters (order, cart, item, driver, customer ids). */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_\-:.]*$/, 'expected an id of letters, digits and _-:.');

/** A model or template name: lower-case slug, 1-64 characters. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.-]*$/, 'expected a lower-case slug (a-z, 0-9, _ . -)');

/** A model version such as `3`, `1.4.0` or `2024-06-01`. */
export const ModelVersion = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, 'expected a version such as 1.4.0');

/** An ISO-4217 alphabetic currency code, e.g. `USD`, `EUR`. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO-4217 code of three capital letters, e.g. USD');

/** A money amount in major units (dollars, euros) with at most two decimals; 0 to 10 million. */
export const Money = z.number().nonnegative().max(10_000_000).multipleOf(0.01);

/** An instant as an ISO-8601 string with a UTC offset, e.g. `2025-01-31T18:04:05.123Z`. */
export const Instant = z.iso.datetime({ offset: true });

/** Latitude in degrees. */
export const Lat = z.number().min(-90).max(90);
/** Longitude in degrees. */
export const Lon = z.number().min(-180).max(180);

/** A duration in milliseconds, up to an hour (model latencies and the like). */
export const LatencyMs = z.number().nonnegative().max(3_600_000);

/** Digits after the decimal point of a currency's minor unit (ISO-4217); 2 unless listed. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Digits of the minor unit of `currency` (ISO-4217): 0 for JPY, 3 for KWD, 2 for most (default 2). */
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

/** Rounds an amount to cents, avoiding binary drift (`1.005` → `1.01`). */
export function roundCents(amount: number): number {
  return Math.round((amount + Number.EPSILON) * 100) / 100;
}

/** An amount in whole cents, for exact sums. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}
