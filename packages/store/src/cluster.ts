/**
 * Migrations on a ClickHouse cluster (`CLICKHOUSE_CLUSTER`): the single-server DDL of `migrations/` rewritten so
 * that one file serves both. Each `CREATE TABLE t` becomes
 *
 * - `t_local ON CLUSTER c` with the Replicated variant of its engine (replica path keyed by shard and table), which
 *   holds the rows of one shard, replicated by ClickHouse Keeper; and
 * - `t ON CLUSTER c AS t_local ENGINE = Distributed(c, db, t_local, key)`, the table every query names, so no
 *   query changes.
 *
 * The sharding key hashes the first two columns of the sort key: rows that ReplacingMergeTree must collapse (a
 * re-read of the same offsets, a retried span batch) share their whole sort key, so they land on one shard where
 * `FINAL` and `GROUP BY` on the key still deduplicate. `ALTER TABLE t` runs against `t_local ON CLUSTER c`.
 * Any other statement is refused by name: a migration that the rewrite does not understand must not half-apply
 * across a cluster.
 *
 * The bookkeeping tables (`schema_migrations`, the claims that serialise migrators) are replicated to every node
 * under one shard path, so that each node sees every claim and every applied version.
 */
import { StoreError } from './types';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks a cluster name before it goes into DDL (it cannot be a bound parameter). */
export function checkClusterName(cluster: string): string {
  if (!IDENT.test(cluster)) throw new StoreError(`CLICKHOUSE_CLUSTER must be a plain identifier (letters, digits, _), got ${JSON.stringify(cluster)}`, 'BAD_CONFIG', false);
  return cluster;
}

/** Finds the `(...)` group that opens at `open` and returns the index of its closing parenthesis. */
function closingParen(sql: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '`' || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits a comma list at depth 0 (`a, f(b, c)` → [`a`, `f(b, c)`]). */
function topLevelList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out.filter(Boolean);
}

/** The sort key's columns: `ORDER BY (a, b, c)` or `ORDER BY a`. */
function sortKey(sql: string, table: string): string[] {
  const m = /\bORDER\s+BY\s+/i.exec(sql);
  if (!m) throw new StoreError(`cluster rewrite: table ${table} has no ORDER BY`, 'MIGRATION_INVALID', false);
  const at = m.index + m[0].length;
  if (sql[at] === '(') {
    const end = closingParen(sql, at);
    return topLevelList(sql.slice(at + 1, end));
  }
  return [/^[^\s]+/.exec(sql.slice(at))![0]];
}

/** Rewrites one single-server statement for a cluster; returns the statements to run instead, in order. */
export function clusterStatements(statement: string, cluster: string): string[] {
  checkClusterName(cluster);
  // Leading comment lines (each migration explains itself) are dropped; the statement itself is kept as written.
  const stmt = statement.replace(/^(\s*--[^\n]*(\n|$))+/, '').trim();
  const create = /^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?=\()/i.exec(stmt);
  if (create) {
    const table = create[2]!;
    const local = `${table}_local`;
    const engine = /\bENGINE\s*=\s*([A-Za-z]*MergeTree)\b(\s*\()?/.exec(stmt);
    if (!engine) throw new StoreError(`cluster rewrite: table ${table} must use a *MergeTree engine`, 'MIGRATION_INVALID', false);
    let args = '';
    let engineEnd = engine.index + engine[0].length;
    if (engine[2]) {
      const open = engine.index + engine[0].length - 1;
      const close = closingParen(stmt, open);
      args = stmt.slice(open + 1, close).trim();
      engineEnd = close + 1;
    }
    const replicated = `ENGINE = Replicated${engine[1]}('/clickhouse/tables/{shard}/{database}/${local}', '{replica}'${args ? `, ${args}` : ''})`;
    const head = `CREATE TABLE ${create[1] ?? ''}${local} ON CLUSTER \`${cluster}\` `;
    const localSql = head + stmt.slice(create[0].length, engine.index) + replicated + stmt.slice(engineEnd);
    const key = sortKey(stmt.slice(engineEnd), table).slice(0, 2);
    const distributed = `CREATE TABLE ${create[1] ?? ''}${table} ON CLUSTER \`${cluster}\` AS ${local} ENGINE = Distributed(\`${cluster}\`, currentDatabase(), '${local}', cityHash64(${key.join(', ')}))`;
    return [localSql, distributed];
  }
  const alter = /^ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+/i.exec(stmt);
  if (alter) return [`ALTER TABLE ${alter[1]}_local ON CLUSTER \`${cluster}\` ${stmt.slice(alter[0].length)}`];
  const kind = stmt.replace(/--[^\n]*\n/g, '').trim().split(/\s+/).slice(0, 3).join(' ');
  throw new StoreError(`cluster rewrite does not know how to run "${kind} ..." on a cluster; extend packages/store/src/cluster.ts`, 'MIGRATION_INVALID', false);
}

/** The bookkeeping table DDL for a cluster: replicated to every node under one shard path. */
export function clusterBootstrap(stmt: string, cluster: string): string {
  checkClusterName(cluster);
  const m = /^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)\s*/i.exec(stmt);
  if (!m) throw new StoreError('cluster rewrite: bootstrap statement is not a CREATE TABLE IF NOT EXISTS', 'MIGRATION_INVALID', false);
  const table = m[1]!;
  return `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER \`${cluster}\` ${stmt.slice(m[0].length)}`.replace(
    /ENGINE\s*=\s*MergeTree\b/,
    `ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/${table}', '{replica}')`,
  );
}
