/**
 * Starts a private `redis-server` on a free loopback port, keeping nothing on disk, for the embedded default when
 * no Redis is configured or answering. It runs under the guard of ./guard.ts, so it never outlives this process.
 */
import { spawnGuarded } from './guard';
import { freePort, redisPing } from './net';

/** A redis-server started by this process. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** PID of the guard process (redis-server is its child). */
  readonly pid: number;
  /** Null while running; the reason once it has exited. */
  exited(): string | null;
  /** Stops the server and waits until the processes are gone. */
  stop(): Promise<void>;
}

/** Thrown when redis-server is missing or does not come up. */
export class RedisServerError extends Error {
  readonly code = 'REDIS_SERVER_UNAVAILABLE';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'RedisServerError';
  }
}

/** The command that installs redis-server on Debian and Ubuntu. */
export const REDIS_INSTALL = 'apt-get update && apt-get install -y redis-server';

/**
 * Starts redis-server on 127.0.0.1 and resolves once it answers PING.
 * @param opts.bin the redis-server binary (default `redis-server` on PATH)
 * @param opts.port the port (default a free one)
 * @param opts.timeoutMs how long to wait for PONG (default 10000)
 * @param opts.onExit called once with the reason if the server exits after it started, unless `stop()` ended it
 */
export async function startRedisServer(
  opts: { bin?: string; port?: number; timeoutMs?: number; onExit?: (reason: string) => void } = {},
): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'];
  const guard = spawnGuarded(opts.bin ?? 'redis-server', args, 'redis-guard');
  let exitReason: string | null = null;
  let started = false;
  let stopping = false;
  let stderrTail = '';
  guard.child.stderr?.setEncoding('utf8');
  guard.child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-1000);
  });
  guard.child.once('close', (code, signal) => {
    exitReason = `redis-server exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})${stderrTail ? `: ${stderrTail.trim().slice(-300)}` : ''}`;
    if (started && !stopping) opts.onExit?.(exitReason);
  });
  let timedOut = false;
  const timer = setTimeout(() => (timedOut = true), timeoutMs);
  for (;;) {
    if (exitReason !== null) {
      clearTimeout(timer);
      const missing = /command not found|No such file or directory/.test(stderrTail);
      throw new RedisServerError(missing ? `redis-server is not installed: run \`${REDIS_INSTALL}\`` : exitReason);
    }
    if ((await redisPing(url, 500)).ok) break;
    if (timedOut) {
      await guard.stop();
      throw new RedisServerError(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms${stderrTail ? `: ${stderrTail.trim()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  clearTimeout(timer);
  started = true;
  return {
    url,
    port,
    pid: guard.child.pid ?? -1,
    exited: () => exitReason,
    stop: async () => {
      stopping = true;
      await guard.stop();
    },
  };
}
