/**
 * Starts librdkafka's mock cluster through `kcat` and supervises it.
 *
 * kcat runs as a consumer of a private topic with `test.mock.num.brokers` set, which makes librdkafka start an
 * in-memory cluster that speaks the real Kafka protocol and print its bootstrap address. kcat runs under the bash
 * guard of ./guard.ts, which holds a pipe from this process: when this process dies in any way (SIGKILL included),
 * the pipe closes and the guard kills kcat, so no mock cluster outlives its owner.
 */
import { spawnGuarded, type Guarded } from './guard';

/** A running mock cluster. */
export interface MockCluster {
  /** Bootstrap brokers, `127.0.0.1:port`. */
  readonly brokers: string[];
  /** PID of the guard process (kcat is its child). */
  readonly pid: number;
  /** Null while running; the reason once the cluster has exited. */
  exited(): string | null;
  /** Stops the cluster and waits until the processes are gone. */
  stop(): Promise<void>;
}

/** Thrown when kcat is missing or the mock cluster cannot start. */
export class MockClusterError extends Error {
  readonly code = 'KAFKA_MOCK_UNAVAILABLE';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'MockClusterError';
  }
}

/** The command that installs kcat on Debian and Ubuntu. */
export const KCAT_INSTALL = 'apt-get update && apt-get install -y kcat';

/**
 * Starts a mock cluster of `brokers` brokers (default 1) and resolves once its bootstrap address is known.
 * @param opts.timeoutMs how long to wait for kcat to report the address (default 10000)
 * @param opts.kcat the kcat binary (default `kcat` on PATH)
 * @param opts.onExit called once with the reason if the cluster exits after it started, unless `stop()` ended it
 */
export function startMockCluster(
  opts: { brokers?: number; timeoutMs?: number; kcat?: string; onExit?: (reason: string) => void } = {},
): Promise<MockCluster> {
  const brokers = opts.brokers ?? 1;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const args = ['-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${brokers}`, '-C', '-t', '__switchyard_mock_keepalive', '-o', 'end', '-u'];
  return new Promise((resolve, reject) => {
    let guard: Guarded;
    try {
      guard = spawnGuarded(opts.kcat ?? 'kcat', args, 'kcat-guard');
    } catch (err) {
      reject(new MockClusterError(`cannot start kcat: ${(err as Error).message}`));
      return;
    }
    const child = guard.child;
    let exitReason: string | null = null;
    let stopping = false;
    let stderrTail = '';
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void guard.stop();
      reject(new MockClusterError(`kcat did not report a mock cluster address within ${timeoutMs} ms: ${stderrTail.trim()}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      exitReason = `mock cluster exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})${stderrTail ? `: ${stderrTail.trim().slice(-300)}` : ''}`;
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        const missing = /command not found|No such file or directory/.test(stderrTail);
        reject(new MockClusterError(missing ? `kcat is not installed: run \`${KCAT_INSTALL}\`` : exitReason));
      } else if (!stopping) {
        opts.onExit?.(exitReason);
      }
    });
    // Keep stderr flowing after start so kcat never blocks on a full pipe; keep the tail for exit reasons.
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
      const m = /replaced with (\S+)/.exec(stderrTail);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({
          brokers: m[1]!.split(','),
          pid: child.pid ?? -1,
          exited: () => exitReason,
          stop: async () => {
            stopping = true;
            await guard.stop();
          },
        });
      }
    });
  });
}
