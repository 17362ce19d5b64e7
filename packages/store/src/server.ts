/**
 * Server Store: a ClickHouse server over HTTP (@clickhouse/client). Same SQL, same results as the embedded one:
 * 64-bit integers quoted in JSON, Dates formatted by us (see params.ts), failures mapped to StoreError.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '@switchyard/telemetry/log';
import { toStoreError } from './errors';
import { normalizeParams, rowToJson } from './params';
import { StoreError, type Params, type Store, type WriteResult } from './types';

/** Options of the server store. */
export interface ServerStoreOptions {
  /** e.g. `http://default:@127.0.0.1:8123` (user and password may ride in the URL). */
  url: string;
  /** Database to create and use. */
  database: string;
  /** Per-request timeout in ms (default 60000). */
  timeoutMs?: number;
  logger?: Logger;
}

const SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

/** Connects, creates `database` and returns a Store bound to it. */
export async function createServerStore(opts: ServerStoreOptions): Promise<Store> {
  if (!/^[A-Za-z0-9_]+$/.test(opts.database)) throw new StoreError(`invalid database name ${JSON.stringify(opts.database)}`, 'BAD_NAME', false);
  const timeout = opts.timeoutMs ?? 60_000;
  // The database may not exist yet: create it through a client without one, then bind the real client to it.
  const bootstrap = createClient({ url: opts.url, request_timeout: timeout });
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${opts.database}` });
  } catch (err) {
    throw toStoreError(err, `cannot reach ClickHouse at ${new URL(opts.url).host}`);
  } finally {
    await bootstrap.close();
  }
  const client: ClickHouseClient = createClient({ url: opts.url, database: opts.database, request_timeout: timeout, clickhouse_settings: SETTINGS });
  opts.logger?.debug('server store open', { host: new URL(opts.url).host, database: opts.database });
  return {
    kind: 'server',
    database: opts.database,
    async query<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
      try {
        const rs = await client.query({ query: sql, query_params: normalizeParams(sql, params), format: 'JSONEachRow' });
        return await rs.json<T>();
      } catch (err) {
        throw toStoreError(err, 'ClickHouse query failed');
      }
    },
    async command(sql: string, params?: Params): Promise<void> {
      try {
        await client.command({ query: sql, query_params: normalizeParams(sql, params) });
      } catch (err) {
        throw toStoreError(err, 'ClickHouse command failed');
      }
    },
    async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<WriteResult> {
      if (rows.length === 0) return { ok: true, rows: 0 };
      try {
        // Pre-serialised so Dates and bigints are encoded exactly as on the embedded store.
        const values = rows.map((r) => JSON.parse(rowToJson(r)) as Record<string, unknown>);
        await client.insert({ table, values, format: 'JSONEachRow' });
        return { ok: true, rows: rows.length };
      } catch (err) {
        return { ok: false, error: toStoreError(err, `insert into ${table} failed`) };
      }
    },
    async ping(): Promise<boolean> {
      try {
        return (await client.ping()).success;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      await client.close();
    },
  };
}
