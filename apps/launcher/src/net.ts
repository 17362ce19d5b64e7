/**
 * Small network probes for the launcher: a free loopback port, a TCP connect check, and a Redis PING spoken
 * directly in RESP, so that health checks need no client library and never hang past their timeout.
 */
import { connect, createServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** The result of a probe: up, or down with the reason. */
export interface ProbeResult {
  ok: boolean;
  detail?: string;
}

/** Asks the kernel for a free TCP port on `host` (default 127.0.0.1). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Splits `host:port` (IPv6 in brackets allowed); the port defaults to `defaultPort`. */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new Error(`not a host:port: ${s}`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

/** Resolves ok when a TCP connection to host:port opens within `timeoutMs`. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `no answer from ${host}:${port} within ${timeoutMs} ms` }), timeoutMs);
    sock.once('connect', () => done({ ok: true }));
    sock.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: `${host}:${port}: ${err.code ?? err.message}` }));
  });
}

const resp = (...words: string[]): string => `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;

/**
 * Sends PING (after AUTH when the URL carries a password) to the Redis at `url` (`redis://` or `rediss://`) and
 * resolves ok on +PONG within `timeoutMs`. Never rejects.
 */
export function redisPing(url: string, timeoutMs: number): Promise<ProbeResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, detail: `not a URL: ${redactUrl(url)}` });
  }
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  const tls = u.protocol === 'rediss:';
  return new Promise((resolve) => {
    const sock: Socket = tls ? tlsConnect({ host, port, servername: host }) : connect({ host, port });
    let buf = '';
    const expected = u.password ? 2 : 1;
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `no PONG from ${host}:${port} within ${timeoutMs} ms` }), timeoutMs);
    sock.once(tls ? 'secureConnect' : 'connect', () => {
      const auth = u.password ? resp('AUTH', ...(u.username ? [decodeURIComponent(u.username)] : []), decodeURIComponent(u.password)) : '';
      sock.write(auth + resp('PING'));
    });
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      const lines = buf.split('\r\n').filter((l) => l.length > 0);
      const err = lines.find((l) => l.startsWith('-'));
      if (err) done({ ok: false, detail: `${host}:${port} answered ${err.slice(1)}` });
      else if (lines.length >= expected) done(lines.at(-1) === '+PONG' ? { ok: true } : { ok: false, detail: `${host}:${port} answered ${lines.at(-1)}` });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: `${host}:${port}: ${err.code ?? err.message}` }));
  });
}

/** The URL with its password replaced by `***`, for logs and /healthz. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
