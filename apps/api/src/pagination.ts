/**
 * Cursor pagination: `?limit=&cursor=`; the cursor is opaque to clients (base64url of a small JSON object that
 * names where the next page starts) and lists answer with `nextCursor` (null on the last page).
 */
import { ValidationError } from './errors';

/** Encodes a position as an opaque cursor. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor} and checks it names the `keys` expected. Throws a
 * ValidationError (code `INVALID_CURSOR`) for anything else, so a tampered cursor is a 400, never a 500.
 */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  const bad = (): ValidationError =>
    new ValidationError('The cursor is not one this API issued: pass back nextCursor unchanged.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'INVALID_CURSOR');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof value !== 'object' || value === null) throw bad();
  const out = {} as Record<K, string>;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v !== 'string' && typeof v !== 'number') throw bad();
    out[k] = String(v);
  }
  return out;
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one. */
export function page<T>(rows: T[], limit: number, positionOf: (last: T) => Record<string, string | number>): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : encodeCursor(positionOf(last)) };
}
