/**
 * @switchyard/store: ClickHouse behind one interface. `openStore` picks the implementation (a server when
 * `clickhouseUrl` is set, else embedded chDB in `dataDir`), creates the database and runs the migrations.
 */
import type { Logger } from '@switchyard/telemetry/log';
import { createEmbeddedStore } from './embedded';
import { runMigrations, type MigrationReport } from './migrate';
import { createServerStore } from './server';
import type { Store } from './types';

export { StoreError } from './types';
export type { Params, Store, WriteResult } from './types';
export { createEmbeddedStore, type EmbeddedStoreOptions } from './embedded';
export { createServerStore, type ServerStoreOptions } from './server';
export { clusterStatements, clusterBootstrap } from './cluster';
export { loadMigrations, runMigrations, MIGRATIONS_DIR, type Migration, type MigrationReport, type MigrateOptions } from './migrate';
export { toStoreError } from './errors';
export { formatDateTime64 } from './params';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** ClickHouse server URL; when set the server store is used, else the embedded one (default unset). */
  clickhouseUrl?: string;
  /** chDB data folder for the embedded store (ignored with a server). */
  dataDir: string;
  /** Database holding Switchyard's tables. */
  database: string;
  /** Days every table keeps its rows (TTL), substituted into the migrations (default 30). */
  retentionDays?: number;
  /** ClickHouse cluster to create the tables on (server only; see cluster.ts). Default none. */
  cluster?: string;
  /** Migration folder (default the package's own `migrations/`). */
  migrationsDir?: string;
  logger?: Logger;
}

/** A Store opened by {@link openStore}, with what its migration run did. */
export type OpenedStore = Store & { readonly migrations: MigrationReport };

/**
 * Opens the store and brings its schema up to date. Throws StoreError: `SCHEMA_TOO_NEW` when the database was
 * migrated by a newer Switchyard, `MIGRATION_FAILED`, or a connection error.
 */
export async function openStore(opts: OpenStoreOptions): Promise<OpenedStore> {
  const logger = opts.logger?.child('store');
  const store = opts.clickhouseUrl
    ? await createServerStore({ url: opts.clickhouseUrl, database: opts.database, logger })
    : await createEmbeddedStore({ dataDir: opts.dataDir, database: opts.database, logger });
  try {
    const migrations = await runMigrations(store, { retentionDays: opts.retentionDays, dir: opts.migrationsDir, cluster: opts.cluster, logger });
    return Object.assign(store, { migrations });
  } catch (err) {
    await store.close();
    throw err;
  }
}
