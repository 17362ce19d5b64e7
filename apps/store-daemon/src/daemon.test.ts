import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, ClickHouseError, ClickHouseLogLevel } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@switchyard/store';
import { storeConformance } from '@switchyard/store/conformance';
import { createServerStore } from '@switchyard/store/server';
import { startStoreDaemon, type StoreDaemon } from './daemon';
import { decodeHttpParam } from './params';
import { rawInsertOf } from './request';

let daemon: StoreDaemon;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sy-store-daemon-'));
  daemon = await startStoreDaemon({ dataDir: dir, port: 0 });
});
afterAll(async () => {
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

// The same contract the embedded store and a real ClickHouse server pass, through @clickhouse/client.
storeConformance('server via the store daemon', {
  open: (database, retentionDays) => openStore({ clickhouseUrl: daemon.url, dataDir: '', database, retentionDays }),
  raw: (database) => createServerStore({ url: daemon.url, database }),
});

describe('store daemon over HTTP', () => {
  const get = (qs: string, init?: RequestInit): Promise<Response> => fetch(`${daemon.url}/${qs}`, init);

  it('answers /ping and a statement-less / with Ok.', async () => {
    expect(await (await get('ping')).text()).toBe('Ok.\n');
    expect(await (await get('')).text()).toBe('Ok.\n');
    expect((await get('nothing-here')).status).toBe(404);
  });

  it('uses default_format, and a FORMAT clause over it', async () => {
    const tsv = await get(`?query=${encodeURIComponent("SELECT 1 AS a, 'x' AS b")}`);
    expect(await tsv.text()).toBe('1\tx\n');
    const json = await get(`?default_format=JSONEachRow&query=${encodeURIComponent('SELECT 2 AS a')}`);
    expect(json.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(await json.json()).toEqual({ a: 2 });
    const clause = await get(`?default_format=JSONEachRow&query=${encodeURIComponent('SELECT 3 AS a FORMAT CSV')}`);
    expect(await clause.text()).toBe('3\n');
  });

  it('reports a failure the way a server does, and the client parses it', async () => {
    const res = await get(`?query=${encodeURIComponent('SELEC 1')}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await res.text()).toMatch(/^Code: 62\. DB::Exception: .*\(SYNTAX_ERROR\)/s);
    const client = createClient({ url: daemon.url, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const err = await client.query({ query: 'SELECT * FROM no_such_table_here' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClickHouseError);
      expect(err).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    } finally {
      await client.close();
    }
  });

  it('applies URL settings to that request only', async () => {
    const q = encodeURIComponent('SELECT toUInt64(7) AS n');
    const unquoted = await get(`?default_format=JSONEachRow&output_format_json_quote_64bit_integers=0&query=${q}`);
    expect(await unquoted.json()).toEqual({ n: 7 });
    const next = await get(`?default_format=JSONEachRow&query=${q}`);
    expect(await next.json()).toEqual({ n: '7' });
    const limited = await get(`?max_result_rows=1&result_overflow_mode=throw&query=${encodeURIComponent('SELECT number FROM numbers(5)')}`);
    expect(limited.status).toBe(500);
    expect((await get(`?query=${encodeURIComponent('SELECT count() FROM numbers(5)')}`)).status).toBe(200);
  });

  it('inserts a body in JSONEachRow, reports the summary, and gzips on request', async () => {
    const client = createClient({ url: daemon.url, compression: { request: true, response: true } });
    try {
      await client.command({ query: 'CREATE TABLE IF NOT EXISTS default.http_ins (id UInt32, s String) ENGINE = MergeTree ORDER BY id' });
      const r = await client.insert({ table: 'default.http_ins', values: [{ id: 1, s: 'a\tb' }, { id: 2, s: "c'd\\" }], format: 'JSONEachRow' });
      expect(r.summary?.written_rows).toBe('2');
      const rows = await (await client.query({ query: 'SELECT id, s FROM default.http_ins ORDER BY id', format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ id: 1, s: 'a\tb' }, { id: 2, s: "c'd\\" }]);
    } finally {
      await client.close();
    }
    const gz = await fetch(`${daemon.url}/?enable_http_compression=1&query=${encodeURIComponent('SELECT 42')}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself; the body is the plain result.
    expect(await gz.text()).toBe('42\n');
  });

  it('binds parameters sent in a multipart body', async () => {
    const client = createClient({ url: daemon.url, use_multipart_params: true });
    try {
      const rs = await client.query({ query: 'SELECT {s:String} AS s, {a:Array(String)} AS a', query_params: { s: "x'y\\z\n", a: ["it's", 'b\\c'] }, format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ s: "x'y\\z\n", a: ["it's", 'b\\c'] }]);
    } finally {
      await client.close();
    }
  });
});

describe('decodeHttpParam', () => {
  it('undoes the escapes chDB re-applies, and rewrites quotes inside composites SQL-style', () => {
    expect(decodeHttpParam('\\N', 'Nullable(String)')).toBeNull();
    expect(decodeHttpParam("it\\'s\\ta\\\\b\\n", 'String')).toBe("it's\ta\\b\n");
    expect(decodeHttpParam("['it\\'s','a\\\\b']", 'Array(String)')).toBe("['it''s','a\\b']");
    expect(decodeHttpParam('plain', undefined)).toBe('plain');
  });

  it('takes the raw insert path only for a plain INSERT ... FORMAT it supports', () => {
    expect(rawInsertOf('INSERT INTO db.t (a, `b`) FORMAT JSONEachRow')).toEqual({ table: 'db.t', columns: ['a', 'b'], format: 'JSONEachRow' });
    expect(rawInsertOf('INSERT INTO t FORMAT Parquet')).toBeUndefined();
    expect(rawInsertOf('INSERT INTO t SELECT 1')).toBeUndefined();
  });
});
