/**
 * `npm start`: the whole system in one process on the embedded default (see README.md). Reads the configuration
 * once, starts the launcher, prints what it started and where, and shuts down in order on SIGTERM, SIGINT or an
 * uncaught exception, within SHUTDOWN_BOUND_MS (then it exits 1; the guards still take kcat and redis-server down).
 */
import { ConfigError, loadConfig, type Config } from '@switchyard/config';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger, setLogLevel } from '@switchyard/telemetry/log';
import { startLauncher, type Launcher } from './launcher';
import { partsFor } from './parts-registry';

const SHUTDOWN_BOUND_MS = 15_000;
const print = (line: string): void => void process.stdout.write(`switchyard: ${line}\n`);

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`switchyard: ${err.message}\n`);
  process.exit(2);
}
setLogLevel(config.logLevel);
const logger = createLogger('launcher');

// An internal seam for tests: the Redis probed when REDIS_URL is unset (default 127.0.0.1:6379).
const defaultRedis = process.env.SWITCHYARD_DEFAULT_REDIS || undefined;
const launcher: Promise<Launcher> = startLauncher(config, { logger, clock: systemClock, parts: partsFor(config, print), print, defaultRedis });
let shuttingDown = false;
let shutdownAt = 0;

function shutdown(reason: string, code: number): void {
  if (shuttingDown) {
    // A second Ctrl-C stops waiting. One within a second is the same Ctrl-C relayed by tsx's parent process.
    if (reason === 'SIGINT' && systemClock.now() - shutdownAt > 1000) process.exit(130);
    return;
  }
  shuttingDown = true;
  shutdownAt = systemClock.now();
  print(`stopping (${reason}) ...`);
  setTimeout(() => {
    print(`shutdown took longer than ${SHUTDOWN_BOUND_MS / 1000} s; exiting`);
    process.exit(1);
  }, SHUTDOWN_BOUND_MS);
  void (async () => {
    const running = await launcher.catch(() => undefined);
    await running?.stop();
    print('stopped');
    process.exit(code);
  })();
}

process.on('SIGTERM', () => shutdown('SIGTERM', 0));
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('uncaughtException', (err) => {
  logger.error('uncaught exception', { err });
  shutdown('uncaught exception', 1);
});
process.on('unhandledRejection', (err) => {
  logger.error('unhandled rejection', { err });
  shutdown('unhandled rejection', 1);
});

launcher.then(
  () => print('ready (Ctrl-C stops everything)'),
  (err: unknown) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`switchyard: could not start: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    if (!(e.code && /UNAVAILABLE|CONFIG|SCHEMA|MIGRATION/.test(e.code))) logger.error('start failed', { err });
    if (!shuttingDown) process.exit(1);
  },
);
