/**
 * The Store: Switchyard's one door to ClickHouse. Two implementations share this contract and one conformance
 * suite: embedded (chDB, a folder on disk, one process per folder) and server (@clickhouse/client over HTTP).
 * SQL is the same for both. Parameters use ClickHouse's `{name:Type}` placeholders.
 */

/** Query parameters, bound server-side to `{name:Type}` placeholders. */
export type Params = Record<string, unknown>;

/** Result of a write: the loop that called it decides to retry, buffer or drop. */
export type WriteResult = { ok: true; rows: number } | { ok: false; error: StoreError };

/** A ClickHouse failure with a stable code and whether trying again may help. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface Store {
  /** `embedded` (chDB) or `server` (ClickHouse over HTTP). */
  readonly kind: 'embedded' | 'server';
  /** The database holding Switchyard's tables. */
  readonly database: string;
  /** Runs a SELECT and returns its rows as objects (JSONEachRow; 64-bit integers come back as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]>;
  /** Runs a statement that returns no rows (DDL, ALTER, INSERT ... SELECT). */
  command(sql: string, params?: Params): Promise<void>;
  /** Inserts rows (objects keyed by column) into a table. Never throws: failures come back as a result. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<WriteResult>;
  /** True when a trivial query answers. */
  ping(): Promise<boolean>;
  /** Releases the connection or the embedded session. */
  close(): Promise<void>;
}
