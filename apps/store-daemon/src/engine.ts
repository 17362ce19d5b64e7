/**
 * The one chDB session the daemon owns, and the order its statements run in.
 *
 * Every request runs alone, start to finish, on one promise chain: a request may first switch the session's
 * database (`USE`) and apply its settings (`SET`), and those must not leak into a request that runs beside it.
 * Settings are put back after the request: to the session's baseline when the daemon set one at connect, else
 * to the engine default.
 */
import { Session } from 'chdb';
import type { Logger } from '@switchyard/telemetry/log';
import { DaemonError } from './errors';

/** One unit of work for chDB. */
export interface EngineRequest {
  /** The statement; for an insert, the `INSERT ... FORMAT f` text. */
  sql: string;
  /** Database to run in (default `default`, as a server does for a user without one). */
  database?: string;
  /** Decoded parameters for `{name:Type}` placeholders (see params.ts). */
  params: Record<string, string | null>;
  /** Settings for this request only, as sent (`name` → text value). */
  settings: ReadonlyMap<string, string>;
  /** Output format when the statement names none. */
  format: string;
  /** For `INSERT INTO t [(cols)] FORMAT f` with the data in the body: handed to chDB's raw insert. */
  insert?: { table: string; columns?: string[]; format: RawFormat; data: Buffer };
}

/** What chDB reports for a request, in the units of `X-ClickHouse-Summary`. */
export interface EngineResult {
  body: Buffer;
  readRows: number;
  readBytes: number;
  writtenRows: number;
  writtenBytes: number;
  elapsedNs: number;
}

/** Formats chDB's raw insert accepts. */
export const RAW_FORMATS = ['JSONEachRow', 'JSONCompactEachRow', 'CSV', 'CSVWithNames', 'TSV', 'TabSeparated', 'TSVWithNames', 'TabSeparatedWithNames'] as const;
export type RawFormat = (typeof RAW_FORMATS)[number];

/**
 * Settings set at connect, where chDB's default differs from a ClickHouse server's: what a request's `SET` is
 * undone to, and a request asking for the same value skips its `SET`.
 */
const BASELINE: Record<string, string> = { output_format_json_quote_64bit_integers: '1' };

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DB_NAME = /^[A-Za-z0-9_]+$/;

function literal(value: string): string {
  return /^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The daemon's chDB session. */
export interface Engine {
  run(req: EngineRequest): Promise<EngineResult>;
  /** Waits for the running request, then closes the session. */
  close(): Promise<void>;
}

/** Opens chDB on `dataDir` (one process per folder: a second daemon on the same folder is refused). */
export function openEngine(dataDir: string, logger?: Logger): Engine {
  const session = new Session(dataDir, { connectionArgs: Object.entries(BASELINE).map(([k, v]) => `--${k}=${v}`) });
  let tail: Promise<unknown> = Promise.resolve();
  let currentDb = 'default';
  let closed = false;

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(() => {
      if (closed) throw new DaemonError('the store daemon is shutting down', 210, 'NETWORK_ERROR', 'STORE_DAEMON_CLOSED', true);
      return fn();
    });
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const exec = async (sql: string): Promise<void> => {
    await session.queryAsync(sql, { format: 'TabSeparated' });
  };

  const runOne = async (req: EngineRequest): Promise<EngineResult> => {
    const db = req.database || 'default';
    if (!DB_NAME.test(db)) throw new DaemonError(`invalid database name ${JSON.stringify(db)}`, 36, 'BAD_ARGUMENTS');
    if (db !== currentDb) {
      await exec(`USE ${db}`);
      currentDb = db;
    }
    const applied: string[] = [];
    try {
      for (const [name, value] of req.settings) {
        if (BASELINE[name] === value) continue;
        if (!SETTING_NAME.test(name)) throw new DaemonError(`invalid setting name ${JSON.stringify(name)}`, 115, 'UNKNOWN_SETTING');
        await exec(`SET ${name} = ${literal(value)}`);
        applied.push(name);
      }
      if (req.insert) {
        const { table, columns, format, data } = req.insert;
        const r = await session.insert({ table, values: data, format, ...(columns ? { columns } : {}) });
        return { body: Buffer.alloc(0), readRows: r.rowsWritten, readBytes: data.length, writtenRows: r.rowsWritten, writtenBytes: r.bytesWritten, elapsedNs: Math.round(r.elapsed * 1e9) };
      }
      const r = Object.keys(req.params).length
        ? await session.queryBindAsync(req.sql, req.params, { format: req.format })
        : await session.queryAsync(req.sql, { format: req.format });
      const write = /^\s*(INSERT|CREATE|ALTER|DROP|TRUNCATE|OPTIMIZE|RENAME|SYSTEM|DELETE|UPDATE)\b/i.test(req.sql);
      return { body: Buffer.from(r.bytes()), readRows: r.rowsRead, readBytes: r.bytesRead, writtenRows: write ? r.rowsRead : 0, writtenBytes: write ? r.bytesRead : 0, elapsedNs: Math.round(r.elapsed * 1e9) };
    } finally {
      for (const name of applied) {
        const back = BASELINE[name];
        await exec(`SET ${name} = ${back === undefined ? 'DEFAULT' : literal(back)}`).catch((err: unknown) => logger?.warn('could not reset a setting', { setting: name, err }));
      }
      // A statement may have switched the database itself (USE x): trust nothing and re-issue USE next time.
      if (/^\s*USE\b/i.test(req.sql)) currentDb = '';
    }
  };

  return {
    run: (req) => serial(() => runOne(req)),
    async close() {
      await serial(async () => undefined).catch(() => undefined);
      closed = true;
      session.close();
    },
  };
}
