/**
 * The API's SQL, one file per read in this folder (each with a header naming its parameters), loaded once.
 */
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/** The text of `queries/<name>.sql`. */
export function sql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** ClickHouse DateTime64 text ('YYYY-MM-DD HH:MM:SS.mmm', UTC) to an ISO 8601 string. */
export function chTimeToIso(value: string): string {
  return value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
}

/** ClickHouse DateTime64 text (UTC) to epoch ms. */
export function chTimeToMs(value: string): number {
  return Date.parse(chTimeToIso(value));
}
