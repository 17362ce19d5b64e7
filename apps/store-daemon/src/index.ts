/**
 * @switchyard/store-daemon: a minimal ClickHouse HTTP interface over one chDB folder, so that several Switchyard
 * processes can share one store on a machine without a ClickHouse server. For tests; not for production.
 */
export { startStoreDaemon, type StoreDaemon, type StoreDaemonOptions } from './daemon';
export { DaemonError } from './errors';
export { decodeHttpParam } from './params';
