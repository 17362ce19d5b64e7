/**
 * Value normalisation shared by both implementations, so the same call gives the same result on chDB and on a
 * server. Both drivers format a JS Date to whole seconds (chDB as 'YYYY-MM-DD HH:MM:SS', clickhouse-js as a unix
 * timestamp), which silently drops milliseconds from DateTime64 values; we format Dates ourselves, in UTC.
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: parsed exactly by DateTime64(3) columns and parameters. */
export function formatDateTime64(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** Placeholder types by name, read from `{name:Type}` in the SQL text. */
function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of sql.matchAll(/\{(\w+):([^{}]+)\}/g)) {
    if (m[1] && m[2]) types.set(m[1], m[2].trim());
  }
  return types;
}

/**
 * Formats Date parameters for the type their placeholder declares: DateTime64 keeps milliseconds, DateTime gets
 * whole seconds, Date gets the day. Every other value passes through (both drivers bind them identically).
 */
export function normalizeParams(sql: string, params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!params) return {};
  let types: Map<string, string> | undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof Date) {
      types ??= placeholderTypes(sql);
      const t = (types.get(k) ?? 'DateTime64').replace(/^Nullable\(/, '');
      const full = formatDateTime64(v);
      out[k] = t.startsWith('DateTime64') ? full : t.startsWith('DateTime') ? full.slice(0, 19) : t.startsWith('Date') ? full.slice(0, 10) : full;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** The general encoder: any nesting of Dates, bigints and Maps. */
export function slowRowToJson(row: Record<string, unknown>): string {
  return JSON.stringify(row, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return formatDateTime64(raw);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Map) return Object.fromEntries(value);
    return value;
  });
}

// The collectors write many rows with the same Date object (one sweep time): format it once.
let lastDate: Date | undefined;
let lastDateTime = NaN;
let lastDateText = '';
function dateText(d: Date): string {
  if (d !== lastDate || d.getTime() !== lastDateTime) {
    lastDate = d;
    lastDateTime = d.getTime();
    lastDateText = formatDateTime64(d);
  }
  return lastDateText;
}

/**
 * JSON for one JSONEachRow line: Dates as UTC DateTime64 text, bigints as exact digits, Maps as objects. Rows of
 * flat values (what every collector writes) take a fast path without a JSON.stringify replacer, which is called
 * for every key and made a 100k-row lag sweep spend most of its write in encoding; rows with nested objects take
 * the general one.
 */
export function rowToJson(row: Record<string, unknown>): string {
  let copy: Record<string, unknown> | undefined;
  for (const key in row) {
    const v = row[key];
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'bigint') (copy ??= { ...row })[key] = v.toString();
      continue;
    }
    if (v instanceof Date) (copy ??= { ...row })[key] = dateText(v);
    else if (v instanceof Map) {
      // One pass over the map (every tapped event has one, its headers): copy it, or give up on a nested value.
      const obj: Record<string, unknown> = {};
      for (const [k, x] of v as Map<string, unknown>) {
        if (x !== null && (typeof x === 'object' || typeof x === 'bigint')) return slowRowToJson(row);
        obj[k] = x;
      }
      (copy ??= { ...row })[key] = obj;
    } else if (Array.isArray(v)) {
      if (v.some((x) => x !== null && (typeof x === 'object' || typeof x === 'bigint'))) return slowRowToJson(row);
    } else return slowRowToJson(row);
  }
  return JSON.stringify(copy ?? row);
}

/** Encodes rows as a JSONEachRow payload. */
export function toJsonEachRow(rows: readonly Record<string, unknown>[]): string {
  let s = '';
  for (const r of rows) s += rowToJson(r) + '\n';
  return s;
}
