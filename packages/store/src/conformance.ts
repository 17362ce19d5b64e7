/**
 * The Store contract, written once and run against every implementation (store.embedded.test.ts,
 * store.server.test.ts). Each implementation supplies a factory; tests own their database names.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpenedStore } from './index';
import { loadMigrations, runMigrations } from './migrate';
import { StoreError, type Store } from './types';

/** How a conformance run opens stores. */
export interface StoreFactory {
  /** Opens with `openStore` (migrations run) on `database`; the same implementation and folder every time. */
  open(database: string, retentionDays?: number): Promise<OpenedStore>;
  /** Opens without running migrations (for the migration-lock test). */
  raw(database: string): Promise<Store>;
}

const dbName = (): string => `sy_t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/** Registers the Store conformance tests under `describe(name)`. */
export function storeConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    const database = dbName();
    let shared: OpenedStore | undefined;
    const store = async (): Promise<OpenedStore> => (shared ??= await factory.open(database, 7));
    afterAll(async () => {
      if (shared) {
        await shared.command(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
        await shared.close();
      }
    });

    it('answers ping', async () => {
      expect(await (await store()).ping()).toBe(true);
    });

    it('binds parameters of several types', async () => {
      const s = await store();
      const [row] = await s.query(
        `SELECT {u:UInt64} AS u, {i:Int32} AS i, {f:Float64} AS f, {s:String} AS s, {n:Nullable(String)} AS n,
                {a:Array(String)} AS a, {m:Map(String, String)} AS m, {b:Bool} AS b,
                toUnixTimestamp64Milli({t:DateTime64(3, 'UTC')}) AS t, {d:DateTime('UTC')} AS d`,
        { u: 18446744073709551615n, i: -7, f: 1.25, s: "it's a\ttab\nand 'quotes' \\", n: null, a: ['x', "y'z"], m: { k: 'v' }, b: true, t: new Date(1700000000123), d: new Date(1700000000999) },
      );
      expect(row).toEqual({ u: '18446744073709551615', i: -7, f: 1.25, s: "it's a\ttab\nand 'quotes' \\", n: null, a: ['x', "y'z"], m: { k: 'v' }, b: true, t: '1700000000123', d: '2023-11-14 22:13:20' });
    });

    it('inserts many rows and reads them back', async () => {
      const s = await store();
      await s.command('CREATE TABLE IF NOT EXISTS conf_many (id UInt64, name String, tags Array(String), attrs Map(String, String)) ENGINE = MergeTree ORDER BY id');
      const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `n-${i}`, tags: [`t${i % 3}`], attrs: { i: String(i) } }));
      const res = await s.insert('conf_many', rows);
      expect(res).toEqual({ ok: true, rows: 20_000 });
      const [agg] = await s.query<{ c: string; sum: string; t2: string }>("SELECT count() AS c, sum(id) AS sum, countIf(has(tags, 't2')) AS t2 FROM conf_many");
      expect(agg).toEqual({ c: '20000', sum: String((19_999 * 20_000) / 2), t2: '6666' });
      const back = await s.query('SELECT id, name, tags, attrs FROM conf_many WHERE id = {id:UInt64}', { id: 12345 });
      expect(back).toEqual([{ id: '12345', name: 'n-12345', tags: ['t0'], attrs: { i: '12345' } }]);
    });

    it('round-trips DateTime64 in UTC to the millisecond', async () => {
      const s = await store();
      await s.command("CREATE TABLE IF NOT EXISTS conf_time (id UInt32, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id");
      const at = new Date('2024-02-29T23:59:58.987Z');
      expect((await s.insert('conf_time', [{ id: 1, at }, { id: 2, at: new Date(at.getTime() + 1) }])).ok).toBe(true);
      const rows = await s.query<{ id: number; at: string; ms: string }>(
        'SELECT id, at, toUnixTimestamp64Milli(at) AS ms FROM conf_time WHERE at = {at:DateTime64(3)}',
        { at },
      );
      expect(rows).toEqual([{ id: 1, at: '2024-02-29 23:59:58.987', ms: String(at.getTime()) }]);
    });

    it('reports a failed insert as a result, never a throw', async () => {
      const s = await store();
      const missing = await s.insert('conf_no_such_table', [{ a: 1 }]);
      expect(missing.ok).toBe(false);
      if (!missing.ok) {
        expect(missing.error).toBeInstanceOf(StoreError);
        expect(missing.error.retriable).toBe(false);
      }
      await s.command('CREATE TABLE IF NOT EXISTS conf_typed (n UInt32) ENGINE = MergeTree ORDER BY n');
      const bad = await s.insert('conf_typed', [{ n: 'not a number' }]);
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.code).toBe('CANNOT_PARSE');
    });

    it('throws a non-retriable StoreError on a syntax error', async () => {
      const err = await (await store()).query('SELEC 1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'SYNTAX_ERROR', retriable: false });
    });

    it('applies every migration once, with the configured retention', async () => {
      const s = await store();
      const files = loadMigrations();
      expect(s.migrations.applied).toHaveLength(files.length);
      const recorded = await s.query<{ c: string }>('SELECT count() AS c FROM schema_migrations');
      expect(recorded[0]?.c).toBe(String(files.length));
      const [ddl] = await s.query<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'");
      expect(ddl?.q).toContain('toIntervalDay(7)');
    });

    it('a second openStore on the same place applies nothing', async () => {
      const db = dbName();
      const first = await factory.open(db);
      expect(first.migrations.applied.length).toBeGreaterThan(0);
      const before = await first.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
      await first.close();
      const second = await factory.open(db);
      try {
        expect(second.migrations).toEqual({ applied: [], alreadyApplied: before.length });
        expect(await second.query('SELECT version, applied_at FROM schema_migrations ORDER BY version')).toEqual(before);
      } finally {
        await second.command(`DROP DATABASE IF EXISTS ${db}`);
        await second.close();
      }
    });

    it('two migrators racing on one database apply each migration once', async () => {
      const db = dbName();
      const raw = await factory.raw(db);
      try {
        const [a, b] = await Promise.all([runMigrations(raw, { owner: 'a' }), runMigrations(raw, { owner: 'b' })]);
        const n = loadMigrations().length;
        expect(a.applied.length + b.applied.length).toBe(n);
        const rows = await raw.query<{ version: number; c: string }>('SELECT version, count() AS c FROM schema_migrations GROUP BY version');
        expect(rows).toHaveLength(n);
        expect(rows.every((r) => r.c === '1')).toBe(true);
      } finally {
        await raw.command(`DROP DATABASE IF EXISTS ${db}`);
        await raw.close();
      }
    });

    it('refuses a schema newer than it knows, saying what to do', async () => {
      const db = dbName();
      const s = await factory.open(db);
      await s.command("INSERT INTO schema_migrations VALUES (9999, 'from_the_future', 'x', now64(3))");
      await s.close();
      const err = await factory.open(db).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'SCHEMA_TOO_NEW', retriable: false });
      expect((err as Error).message).toMatch(/9999.*Upgrade Switchyard/s);
      const cleanup = await factory.raw(db);
      await cleanup.command(`DROP DATABASE IF EXISTS ${db}`);
      await cleanup.close();
    });
  });
}
