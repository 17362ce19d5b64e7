/**
 * The cluster rewrite of the migrations. No cluster runs here (it needs several servers and Keeper), so every
 * rewritten statement of every shipped migration is checked by ClickHouse's own parser (chDB, `EXPLAIN AST`), and
 * its shape against what docs/operations.md promises.
 */
import { query } from 'chdb';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { clusterBootstrap, clusterStatements } from './cluster';
import { loadMigrations, splitStatements, substitute } from './migrate';

const parse = (sql: string): string => query(`EXPLAIN AST ${sql}`, 'TSV');

describe('cluster rewrite', () => {
  const statements = loadMigrations().flatMap((m) => splitStatements(substitute(m.sql, 14)).map((s) => ({ file: `${m.version}_${m.name}`, s })));

  it('turns every shipped CREATE TABLE into a replicated local table and a Distributed table, every ALTER into one on the local tables, all parsed by ClickHouse', () => {
    expect(statements.length).toBeGreaterThan(10);
    for (const { file, s } of statements) {
      const altered = /^ALTER TABLE (\w+)/m.exec(s)?.[1];
      if (altered) {
        const [onCluster, more] = clusterStatements(s, 'prod');
        expect(more).toBeUndefined();
        expect(onCluster).toMatch(new RegExp(`^ALTER TABLE ${altered}_local ON CLUSTER \`prod\` `));
        expect(parse(onCluster!), `${file} alter`).toContain('AlterQuery');
        continue;
      }
      const table = /CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1];
      expect(table, `${file}: CREATE TABLE and ALTER TABLE are the statements that ship`).toBeTruthy();
      const [local, dist] = clusterStatements(s, 'prod');
      expect(local).toContain(`CREATE TABLE IF NOT EXISTS ${table}_local ON CLUSTER \`prod\``);
      expect(local).toMatch(new RegExp(`ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/\\{database\\}/${table}_local', '\\{replica\\}'`));
      expect(dist).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER \`prod\` AS ${table}_local ENGINE = Distributed\\(\`prod\`, currentDatabase\\(\\), '${table}_local', cityHash64\\(`));
      // ClickHouse's parser accepts both (a syntax error throws here).
      expect(parse(local!), `${file} local`).toContain(`CreateQuery ${table}_local`);
      expect(parse(dist!), `${file} distributed`).toContain('Function Distributed');
    }
  });

  it('keeps the engine arguments, TTL, settings and indexes of the single-server table', () => {
    const events = statements.find((x) => /TABLE IF NOT EXISTS events\b/.test(x.s))!.s;
    const [local, dist] = clusterStatements(events, 'prod');
    expect(local).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events_local', '{replica}', tapped_at)");
    expect(local).toContain('TTL toDateTime(tapped_at) + INTERVAL 14 DAY');
    expect(local).toContain('ttl_only_drop_parts = 1');
    expect(local).toContain('INDEX idx_order_id order_id TYPE bloom_filter');
    // Twins of a re-read share (topic, partition, offset): they meet on one shard.
    expect(dist).toContain("'events_local', cityHash64(topic, partition))");
    const plain = 'CREATE TABLE IF NOT EXISTS t (a UInt8, b String) ENGINE = MergeTree ORDER BY a';
    expect(clusterStatements(plain, 'c')[0]).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/t_local', '{replica}') ORDER BY a");
    expect(clusterStatements(plain, 'c')[1]).toContain('cityHash64(a)');
  });

  it('sends ALTERs to the local tables on the cluster, and refuses what it does not understand', () => {
    expect(clusterStatements('ALTER TABLE events ADD COLUMN IF NOT EXISTS x String', 'prod')).toEqual(['ALTER TABLE events_local ON CLUSTER `prod` ADD COLUMN IF NOT EXISTS x String']);
    expect(() => clusterStatements('CREATE MATERIALIZED VIEW mv TO t AS SELECT 1', 'prod')).toThrow(/does not know how to run "CREATE MATERIALIZED VIEW/);
    expect(() => clusterStatements('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = Log', 'prod')).toThrow(/MergeTree engine/);
    expect(() => clusterStatements('ALTER TABLE t DELETE WHERE 1', 'prod; DROP')).toThrow(/plain identifier/);
  });

  it('replicates the bookkeeping tables to every node under one shard path', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String) ENGINE = MergeTree ORDER BY version';
    const out = clusterBootstrap(sql, 'prod');
    expect(out).toBe("CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER `prod` (version UInt32, name String) ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/schema_migrations', '{replica}') ORDER BY version");
    expect(parse(out)).toContain('CreateQuery schema_migrations');
  });

  it('is switched on by CLICKHOUSE_CLUSTER, which needs a server', () => {
    expect(loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'prod' }).clickhouseCluster).toBe('prod');
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'prod' })).toThrow(/CLICKHOUSE_CLUSTER=prod: needs CLICKHOUSE_URL/);
    expect(() => loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'a-b' })).toThrow(/CLICKHOUSE_CLUSTER/);
  });
});
