/**
 * The store daemon: one process that owns a chDB folder and answers a minimal ClickHouse HTTP interface on
 * loopback, enough for @clickhouse/client (packages/store's server implementation) to query, insert and migrate.
 * It lets several Switchyard processes share one store on a machine without a ClickHouse server. It is a stand-in
 * for tests, not for production: no users, no TLS, one statement at a time.
 *
 * Served: `GET|HEAD /ping` and a statement-less `/` → `Ok.`; `GET|POST /?query=...` (see request.ts) with the
 * result in the requested format, `X-ClickHouse-Query-Id`, `X-ClickHouse-Format` and `X-ClickHouse-Summary`; a
 * failure as `Code: N. DB::Exception: ...` with `X-ClickHouse-Exception-Code` (see errors.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Logger } from '@switchyard/telemetry/log';
import { openEngine, type Engine, type EngineResult } from './engine';
import { DaemonError, toException } from './errors';
import { contentTypeOf, parseRequest } from './request';

/** Options of {@link startStoreDaemon}. */
export interface StoreDaemonOptions {
  /** chDB data folder (created if missing). One process per folder. */
  dataDir: string;
  /** Address to bind (default `127.0.0.1`; the daemon has no authentication, keep it on loopback). */
  host?: string;
  /** Port (default 8123, ClickHouse's HTTP port; 0 picks a free one). */
  port?: number;
  /** Largest request body in bytes (default 256 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
}

/** A running daemon. */
export interface StoreDaemon {
  /** `http://host:port`, with the port actually bound: use it as CLICKHOUSE_URL. */
  url: string;
  port: number;
  /** Stops accepting requests, waits for the running statement and closes chDB. Never throws. */
  close(): Promise<void>;
}

const SERVER_HEADERS = { 'X-ClickHouse-Server-Display-Name': 'switchyard-store-daemon', 'X-ClickHouse-Timezone': 'UTC' };

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new DaemonError(`request body larger than ${limit} bytes`, 36, 'BAD_ARGUMENTS'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function summary(r: EngineResult): string {
  const s = (n: number): string => String(Math.max(0, Math.round(n)));
  return JSON.stringify({
    read_rows: s(r.readRows), read_bytes: s(r.readBytes), written_rows: s(r.writtenRows), written_bytes: s(r.writtenBytes),
    total_rows_to_read: s(r.readRows), result_rows: s(r.writtenRows ? 0 : r.readRows), result_bytes: s(r.body.length), elapsed_ns: s(r.elapsedNs),
  });
}

async function handle(engine: Engine, req: IncomingMessage, res: ServerResponse, maxBody: number, logger?: Logger): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://store-daemon');
  if (url.pathname === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', ...SERVER_HEADERS }).end('Ok.\n');
    return;
  }
  if (url.pathname !== '/') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8', ...SERVER_HEADERS }).end(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`);
    return;
  }
  let queryId = url.searchParams.get('query_id') ?? '';
  try {
    const parsed = await parseRequest(url, req.headers, await readBody(req, maxBody));
    if (!parsed) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', ...SERVER_HEADERS }).end('Ok.\n');
      return;
    }
    queryId = parsed.queryId;
    const result = await engine.run(parsed.engine);
    const headers: Record<string, string> = {
      ...SERVER_HEADERS,
      'Content-Type': contentTypeOf(parsed.format),
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Format': parsed.format,
      'X-ClickHouse-Summary': summary(result),
    };
    let body = result.body;
    if (parsed.gzip && body.length > 0) {
      body = zlib.gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(200, headers).end(body);
  } catch (err) {
    const ex = toException(err);
    logger?.debug('statement failed', { queryId, chCode: ex.chCode });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(ex.status, { ...SERVER_HEADERS, 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(ex.chCode), ...(queryId ? { 'X-ClickHouse-Query-Id': queryId } : {}) }).end(ex.body);
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Opens chDB on `dataDir` and serves it over HTTP. Rejects when the folder is locked or the port is taken. */
export async function startStoreDaemon(opts: StoreDaemonOptions): Promise<StoreDaemon> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? 256 * 1024 * 1024;
  const engine = openEngine(opts.dataDir, opts.logger);
  // Long parameter lists ride in the URL: allow URLs up to 1 MiB, as ClickHouse's http_max_uri_size does.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    handle(engine, req, res, maxBody, opts.logger).catch((err: unknown) => {
      opts.logger?.error('request handler failed', { err });
      res.destroy();
    });
  });
  let port: number;
  try {
    port = await listen(server, host, opts.port ?? 8123);
  } catch (err) {
    await engine.close();
    throw err;
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await engine.close();
      })()),
  };
}
