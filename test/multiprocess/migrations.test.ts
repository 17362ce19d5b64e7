/**
 * Upgrades in server mode: several Switchyard processes starting at once against one ClickHouse (the store daemon
 * here) apply each migration exactly once, and a process refuses a schema newer than it knows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServerStore, loadMigrations } from '@switchyard/store';
import { spawnTs, startDaemonProcess, type DaemonProc, type Proc } from './harness';

let daemon: DaemonProc;
beforeAll(async () => {
  daemon = await startDaemonProcess();
});
afterAll(async () => {
  await daemon?.stop();
});

/** A launcher process running no part: it resolves the infrastructure (migrating the store) and serves /healthz. */
function launcher(name: string, database: string): Proc {
  return spawnTs(name, 'apps/launcher/src/main.ts', [], {
    PORT: '0',
    CLICKHOUSE_URL: daemon.url,
    CLICKHOUSE_DATABASE: database,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    REDIS_URL: inject('redisUrl'),
    SWITCHYARD_PIPELINE: 'false',
    SWITCHYARD_COLLECTORS: 'none',
    SWITCHYARD_API: 'false',
    SWITCHYARD_ADMIN_TOKEN: `sy_test_${randomUUID()}`,
    LOG_LEVEL: 'info',
  });
}

describe('migrations across processes (store daemon)', () => {
  it('three processes starting together apply each migration exactly once', async () => {
    const database = `sy_mp_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const procs = ['a', 'b', 'c'].map((n) => launcher(`launcher-${n}`, database));
    try {
      await Promise.all(procs.map((p) => p.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, 120_000)));
      const files = loadMigrations();
      // Each process logs the migrations it applied; together they applied every file once.
      const appliedBy = procs.map((p) => [...p.output().matchAll(/"msg":"migration applied","migration":"(\d{4}_\w+)"/g)].map((m) => m[1]));
      const all = appliedBy.flat().sort();
      expect(all).toEqual(files.map((f) => `${String(f.version).padStart(4, '0')}_${f.name}`).sort());
      const store = await createServerStore({ url: daemon.url, database });
      try {
        const rows = await store.query<{ version: number; c: string }>('SELECT version, count() AS c FROM schema_migrations GROUP BY version ORDER BY version');
        expect(rows.map((r) => Number(r.version))).toEqual(files.map((f) => f.version));
        expect(rows.every((r) => r.c === '1')).toBe(true);
        await store.command(`DROP DATABASE IF EXISTS ${database}`);
      } finally {
        await store.close();
      }
    } finally {
      await Promise.all(procs.map((p) => p.stop('SIGTERM')));
    }
  });

  it('a process refuses a database migrated by a newer Switchyard, and says what to do', async () => {
    const database = `sy_mp_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const first = launcher('launcher-first', database);
    await first.waitFor(/listening on /, 120_000);
    await first.stop('SIGTERM');
    const store = await createServerStore({ url: daemon.url, database });
    try {
      await store.command("INSERT INTO schema_migrations VALUES (9999, 'from_the_future', 'x', now64(3))");
      const next = launcher('launcher-next', database);
      const { code } = await next.exited;
      expect(code).toBe(1);
      expect(next.output()).toMatch(/could not start: .*schema version 9999 \(from_the_future\), newer than this Switchyard knows.*Upgrade Switchyard.*\[SCHEMA_TOO_NEW\]/);
      expect(next.output()).not.toMatch(/listening on/);
    } finally {
      await store.command(`DROP DATABASE IF EXISTS ${database}`);
      await store.close();
    }
  });
});
