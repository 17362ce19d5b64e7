/**
 * `tsx apps/store-daemon/src/main.ts --data-dir <folder> [--host 127.0.0.1] [--port 8123]`: runs the store
 * daemon until SIGTERM or SIGINT. Prints `listening on http://host:port` once it serves (use that as
 * CLICKHOUSE_URL). Exit codes: 0 stopped, 1 could not start (folder locked, port taken), 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@switchyard/telemetry/log';
import { startStoreDaemon } from './daemon';

const print = (line: string): void => void process.stdout.write(`store-daemon: ${line}\n`);
let args;
try {
  args = parseArgs({ options: { 'data-dir': { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8123' } } }).values;
} catch (err) {
  process.stderr.write(`store-daemon: ${(err as Error).message}\n`);
  process.exit(2);
}
const port = Number(args.port);
if (!args['data-dir'] || !Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('store-daemon: usage: main.ts --data-dir <folder> [--host 127.0.0.1] [--port 8123 (0: any free port)]\n');
  process.exit(2);
}
const logger = createLogger('store-daemon');

try {
  const daemon = await startStoreDaemon({ dataDir: args['data-dir'], host: args.host, port, logger });
  print(`chDB folder ${args['data-dir']}`);
  print(`listening on ${daemon.url}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    print(`stopping (${signal})`);
    void daemon.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  process.stderr.write(`store-daemon: could not start: ${(err as Error).message}\n`);
  process.exit(1);
}
