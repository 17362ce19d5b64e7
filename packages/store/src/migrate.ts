/**
 * SQL migrations: `migrations/NNNN_name.sql`, applied once each, in order, recorded in `schema_migrations`.
 *
 * Tokens substituted before a file runs (DDL cannot take bound parameters):
 * - `${RETENTION_DAYS}`: the configured retention in days (a validated positive integer), for every TTL.
 *
 * Several processes starting together (server mode): before applying a version each process inserts a claim
 * row and re-reads the claims; the earliest fresh claim (server clock `now64(6)`, then owner id) applies it and
 * the others wait until `schema_migrations` has the version. A claim older than `staleClaimMs` is ignored, so a
 * process that died mid-migration does not block the rest. Every statement is also written to be re-runnable
 * (`IF NOT EXISTS`), the second line of defence should two processes ever both win. Embedded mode has one process
 * per folder (chDB locks it), so the claim is always won at once.
 *
 * A database holding a version this build does not know was migrated by a newer Switchyard: we refuse to start
 * rather than write into a schema we do not understand.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@switchyard/telemetry/log';
import { clusterBootstrap, clusterStatements } from './cluster';
import { StoreError, type Store } from './types';

/** The folder of Switchyard's own migrations. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  /** sha256 of the file as written (before substitution). */
  checksum: string;
  sql: string;
}

/** What a migration run did. */
export interface MigrationReport {
  /** `NNNN_name` of each migration this call applied. */
  applied: string[];
  /** Migrations that were already recorded. */
  alreadyApplied: number;
}

/** Options of {@link runMigrations}. */
export interface MigrateOptions {
  /** Days of data every table keeps (default 30). */
  retentionDays?: number;
  /** Folder of `NNNN_name.sql` files (default {@link MIGRATIONS_DIR}). */
  dir?: string;
  /** A ClickHouse cluster name: every statement is rewritten for it ({@link clusterStatements}). Default none. */
  cluster?: string;
  /** Identifies this process in claim rows (default a random UUID). */
  owner?: string;
  /** How long to wait for another process's migration (default 120000 ms). */
  waitTimeoutMs?: number;
  /** A claim older than this is ignored (default 300000 ms). */
  staleClaimMs?: number;
  logger?: Logger;
}

/** Reads and orders the migration files of a folder. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    out.push({ version: Number(m[1]), name: m[2] ?? '', checksum: createHash('sha256').update(sql).digest('hex'), sql });
  }
  for (let i = 1; i < out.length; i++) {
    if (out[i]?.version === out[i - 1]?.version) throw new StoreError(`two migrations share version ${out[i]?.version} in ${dir}`, 'MIGRATION_INVALID', false);
  }
  return out;
}

/** Splits a file into statements (a `;` at the end of a line ends one) and drops comment-only pieces. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('--')));
}

/** Replaces the documented tokens. */
export function substitute(sql: string, retentionDays: number): string {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new StoreError(`retentionDays must be a positive integer, got ${retentionDays}`, 'BAD_CONFIG', false);
  return sql.replaceAll('${RETENTION_DAYS}', String(retentionDays));
}

const BOOTSTRAP = [
  `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
   ENGINE = MergeTree ORDER BY version`,
  `CREATE TABLE IF NOT EXISTS schema_migration_claims (version UInt32, owner String, claimed_at DateTime64(6, 'UTC'))
   ENGINE = MergeTree ORDER BY (version, claimed_at) TTL toDateTime(claimed_at) + INTERVAL 7 DAY`,
];

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

// Not unref'd: a process waiting for another's migration has nothing else keeping it alive.
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Applies every pending migration once, in order. Throws StoreError (`SCHEMA_TOO_NEW`, `MIGRATION_FAILED`, ...). */
export async function runMigrations(store: Store, opts: MigrateOptions = {}): Promise<MigrationReport> {
  const retentionDays = opts.retentionDays ?? 30;
  const owner = opts.owner ?? randomUUID();
  const log = opts.logger;
  const migrations = loadMigrations(opts.dir);
  const cluster = opts.cluster || undefined;
  for (const sql of BOOTSTRAP) await store.command(cluster ? clusterBootstrap(sql, cluster) : sql);

  const readApplied = async (): Promise<Map<number, AppliedRow>> => {
    const rows = await store.query<AppliedRow>('SELECT version, any(name) AS name, any(checksum) AS checksum FROM schema_migrations GROUP BY version');
    return new Map(rows.map((r) => [Number(r.version), r]));
  };
  const applied = await readApplied();
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied.values()].filter((r) => !known.has(Number(r.version)));
  if (unknown.length) {
    const newest = unknown.sort((a, b) => Number(b.version) - Number(a.version))[0];
    throw new StoreError(
      `database ${store.database} has schema version ${newest?.version} (${newest?.name}), newer than this Switchyard knows ` +
        `(latest ${Math.max(0, ...known)}). Upgrade Switchyard to the version that wrote it, or point this one at another database.`,
      'SCHEMA_TOO_NEW',
      false,
    );
  }
  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  for (const m of migrations) {
    const label = `${String(m.version).padStart(4, '0')}_${m.name}`;
    const done = applied.get(m.version);
    if (done) {
      report.alreadyApplied++;
      if (done.checksum !== m.checksum) log?.warn('applied migration differs from its file; it is not re-run', { migration: label });
      continue;
    }
    if (await claim(store, m.version, owner, opts.staleClaimMs ?? 300_000)) {
      // Re-check: another process may have finished between our first read and our claim.
      if ((await readApplied()).has(m.version)) {
        report.alreadyApplied++;
        continue;
      }
      const statements = splitStatements(substitute(m.sql, retentionDays));
      // Rewrite the whole file before running any of it: a statement the rewrite refuses stops the file untouched.
      let planned: string[];
      try {
        planned = cluster ? statements.flatMap((s) => clusterStatements(s, cluster)) : statements;
      } catch (err) {
        throw new StoreError(`migration ${label}: ${(err as Error).message}`, 'MIGRATION_INVALID', false, { cause: err });
      }
      for (const stmt of planned) {
        try {
          await store.command(stmt);
        } catch (err) {
          const e = err as StoreError;
          throw new StoreError(`migration ${label} failed: ${e.message}`, 'MIGRATION_FAILED', e.retriable ?? false, { cause: err });
        }
      }
      await store.command('INSERT INTO schema_migrations SELECT {v:UInt32}, {n:String}, {c:String}, now64(3)', { v: m.version, n: m.name, c: m.checksum });
      report.applied.push(label);
      log?.info('migration applied', { migration: label });
    } else {
      await waitApplied(readApplied, m.version, label, opts.waitTimeoutMs ?? 120_000);
      report.alreadyApplied++;
    }
  }
  return report;
}

async function claim(store: Store, version: number, owner: string, staleMs: number): Promise<boolean> {
  await store.command('INSERT INTO schema_migration_claims SELECT {v:UInt32}, {o:String}, now64(6)', { v: version, o: owner });
  const rows = await store.query<{ owner: string }>(
    `SELECT owner FROM schema_migration_claims
     WHERE version = {v:UInt32} AND claimed_at > now64(6) - toIntervalMillisecond({stale:UInt32})
     ORDER BY claimed_at, owner LIMIT 1`,
    { v: version, stale: staleMs },
  );
  return rows[0]?.owner === owner;
}

async function waitApplied(read: () => Promise<Map<number, AppliedRow>>, version: number, label: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await read()).has(version)) return;
    await sleep(200);
  }
  throw new StoreError(`timed out waiting for another process to apply migration ${label}`, 'MIGRATION_LOCK_TIMEOUT', true);
}
