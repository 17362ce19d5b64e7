/**
 * Reads a ClickHouse HTTP request the way a server does: the statement from the `query` URL parameter, the body,
 * or both (then the body follows the statement: for `INSERT ... FORMAT f` it is the data); `param_<name>` values;
 * `database`, `default_format`, `query_id`; every other URL parameter is a setting for this request.
 * A `multipart/form-data` body may carry the statement and the parameters instead (clickhouse-js does so when
 * they would not fit in a URL).
 */
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import type { EngineRequest, RawFormat } from './engine';
import { RAW_FORMATS } from './engine';
import { DaemonError } from './errors';
import { decodeHttpParams } from './params';

/** A request read from HTTP. */
export interface ParsedRequest {
  engine: EngineRequest;
  queryId: string;
  /** The format the response is in (the statement's FORMAT clause, else `default_format`, else TabSeparated). */
  format: string;
  /** The client asked for a gzip response (`enable_http_compression=1` and `Accept-Encoding: gzip`). */
  gzip: boolean;
}

// URL parameters that are not settings, or are HTTP-level settings that mean nothing to chDB.
const NOT_SETTINGS = new Set([
  'query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check', 'role', 'user',
  'password', 'quota_key', 'compress', 'decompress', 'buffer_size', 'wait_end_of_query', 'stacktrace', 'readonly',
  'enable_http_compression', 'http_zlib_compression_level', 'send_progress_in_http_headers',
  'http_headers_progress_interval_ms', 'http_native_compression_disable_checksumming_on_decompress', 'add_http_cors_header',
]);

const INSERT_RE = /^\s*INSERT\s+INTO\s+(?:TABLE\s+)?([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)\s*(?:\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/i;
const FORMAT_RE = /\bFORMAT\s+(\w+)\s*;?\s*$/i;
const COLUMN = /^[A-Za-z0-9_]+$/;

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  if (!encoding || encoding === 'identity' || body.length === 0) return body;
  try {
    if (encoding === 'gzip') return zlib.gunzipSync(body);
    if (encoding === 'deflate') return zlib.inflateSync(body);
    if (encoding === 'br') return zlib.brotliDecompressSync(body);
  } catch (err) {
    throw new DaemonError(`cannot decompress the ${encoding} request body: ${(err as Error).message}`, 354, 'CANNOT_DECOMPRESS');
  }
  throw new DaemonError(`unsupported Content-Encoding ${encoding} (gzip, deflate and br are)`, 36, 'BAD_ARGUMENTS');
}

/** Splits `INSERT INTO t (a, b) FORMAT f` for chDB's raw insert, when the format is one it takes. */
export function rawInsertOf(sql: string): { table: string; columns?: string[]; format: RawFormat } | undefined {
  const m = INSERT_RE.exec(sql);
  if (!m?.[1] || !m[3]) return undefined;
  const format = RAW_FORMATS.find((f) => f.toLowerCase() === m[3]?.toLowerCase());
  if (!format) return undefined;
  const columns = m[2]?.split(',').map((c) => c.trim().replace(/^`(.*)`$/, '$1'));
  if (columns && !columns.every((c) => COLUMN.test(c))) return undefined;
  return { table: m[1], format, ...(columns ? { columns } : {}) };
}

/** Reads a request to `/`. Returns undefined when it carries no statement (a server answers `Ok.` then). */
export async function parseRequest(url: URL, headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<ParsedRequest | undefined> {
  const header = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  let body = decompress(rawBody, header('content-encoding')?.toLowerCase());
  let statement = url.searchParams.get('query') ?? '';
  const rawParams = new Map<string, string>();
  const settings = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    if (k.startsWith('param_')) rawParams.set(k.slice(6), v);
    else if (!NOT_SETTINGS.has(k)) settings.set(k, v);
  }
  const contentType = header('content-type') ?? '';
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form) {
      const text = typeof v === 'string' ? v : await v.text();
      if (k === 'query') statement = text;
      else if (k.startsWith('param_')) rawParams.set(k.slice(6), text);
    }
    body = Buffer.alloc(0);
  }

  let engineSql = statement;
  let insert: EngineRequest['insert'];
  if (statement && body.length > 0) {
    const raw = rawInsertOf(statement);
    if (raw) insert = { ...raw, data: body };
    else engineSql = `${statement}\n${body.toString('utf8')}`;
  } else if (!statement) {
    engineSql = body.toString('utf8');
  }
  if (!engineSql.trim()) return undefined;

  const format = FORMAT_RE.exec(insert ? '' : engineSql)?.[1] ?? url.searchParams.get('default_format') ?? 'TabSeparated';
  const acceptsGzip = /\bgzip\b/.test(header('accept-encoding') ?? '');
  return {
    engine: {
      sql: engineSql,
      database: url.searchParams.get('database') ?? undefined,
      params: decodeHttpParams(engineSql, rawParams),
      settings,
      format,
      ...(insert ? { insert } : {}),
    },
    queryId: url.searchParams.get('query_id') || randomUUID(),
    format,
    gzip: url.searchParams.get('enable_http_compression') === '1' && acceptsGzip,
  };
}

/** The Content-Type a ClickHouse server sends with a format. */
export function contentTypeOf(format: string): string {
  const f = format.toLowerCase();
  if (f === 'json' || f === 'jsoncompact' || f === 'jsonstrings') return 'application/json; charset=UTF-8';
  if (f.startsWith('json')) return 'application/x-ndjson; charset=UTF-8';
  if (f.startsWith('csv')) return 'text/csv; charset=UTF-8; header=absent';
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  return 'text/plain; charset=UTF-8';
}
