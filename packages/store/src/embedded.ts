/**
 * Embedded Store: chDB (ClickHouse in this process) on a data folder.
 *
 * chDB specifics handled here:
 * - one engine per process and one process per folder (chDB locks the folder): a second process is refused;
 * - 64-bit integers are quoted in JSON output (`output_format_json_quote_64bit_integers=1` at connect), as the
 *   server implementation does, so callers see strings on both;
 * - every operation on the session goes through one promise chain. chDB already serialises parameterised
 *   queries process-wide (its bound-parameter state is not per connection) and, measured here, runs concurrent
 *   plain queries on one session one at a time anyway; the chain makes that order explicit and keeps `close()`
 *   from tearing the session down under a running query.
 */
import { Session } from 'chdb';
import type { Logger } from '@switchyard/telemetry/log';
import { toStoreError } from './errors';
import { normalizeParams, toJsonEachRow } from './params';
import { StoreError, type Params, type Store, type WriteResult } from './types';

/** Options of the embedded store. */
export interface EmbeddedStoreOptions {
  /** Data folder (created if missing). One process per folder. */
  dataDir: string;
  /** Database to create and use. */
  database: string;
  /** Per-statement timeout in ms (default 60000). chDB cannot interrupt a statement: the call rejects early. */
  timeoutMs?: number;
  logger?: Logger;
}

function parseRows<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as T);
  return rows;
}

const IDENT = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/;

/** Opens a chDB session on `dataDir`, creates `database` and makes it the session's default. */
export async function createEmbeddedStore(opts: EmbeddedStoreOptions): Promise<Store> {
  if (!IDENT.test(opts.database)) throw new StoreError(`invalid database name ${JSON.stringify(opts.database)}`, 'BAD_NAME', false);
  const timeout = opts.timeoutMs ?? 60_000;
  let session: Session;
  try {
    session = new Session(opts.dataDir, { connectionArgs: ['--output_format_json_quote_64bit_integers=1'] });
  } catch (err) {
    throw toStoreError(err, `cannot open chDB folder ${opts.dataDir} (is another process using it?)`);
  }
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(() => {
      if (closed) throw new StoreError('store is closed', 'CLOSED', false);
      return fn();
    });
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const exec = (sql: string, params?: Params): Promise<string> =>
    serial(async () => {
      try {
        const p = normalizeParams(sql, params);
        const r = Object.keys(p).length
          ? await session.queryBindAsync(sql, p, { format: 'JSONEachRow', timeout })
          : await session.queryAsync(sql, { format: 'JSONEachRow', timeout });
        return r.text();
      } catch (err) {
        throw toStoreError(err, 'chDB query failed');
      }
    });

  const store: Store = {
    kind: 'embedded',
    database: opts.database,
    async query<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
      return parseRows<T>(await exec(sql, params));
    },
    async command(sql: string, params?: Params): Promise<void> {
      await exec(sql, params);
    },
    async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<WriteResult> {
      if (rows.length === 0) return { ok: true, rows: 0 };
      if (!IDENT.test(table)) return { ok: false, error: new StoreError(`invalid table name ${JSON.stringify(table)}`, 'BAD_NAME', false) };
      try {
        const values = Buffer.from(toJsonEachRow(rows), 'utf8');
        await serial(() => session.insert({ table, values, format: 'JSONEachRow', timeout }));
        return { ok: true, rows: rows.length };
      } catch (err) {
        return { ok: false, error: toStoreError(err, `insert into ${table} failed`) };
      }
    },
    async ping(): Promise<boolean> {
      try {
        return (await exec('SELECT 1 AS ok')).includes('1');
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      await serial(async () => undefined).catch(() => undefined);
      closed = true;
      session.close();
    },
  };
  try {
    await store.command(`CREATE DATABASE IF NOT EXISTS ${opts.database}`);
    await store.command(`USE ${opts.database}`);
  } catch (err) {
    session.close();
    throw err;
  }
  opts.logger?.debug('embedded store open', { dataDir: opts.dataDir, database: opts.database });
  return store;
}
