/**
 * @switchyard/launcher: the one-process launcher and the pieces other processes and the test harness reuse.
 */
export { startLauncher, type Launcher, type LauncherOptions } from './launcher';
export { resolveInfrastructure, InfraError, type Infrastructure, type InfraOptions, type KafkaInfra, type RedisInfra, type ClickHouseInfra } from './infra';
export { startMockCluster, MockClusterError, type MockCluster } from './kafka-mock';
export { startRedisServer, RedisServerError, type RedisServer } from './redis-server';
export { startParts, stopParts, PartError, type Part, type PartContext, type PartFactory, type PartHealth } from './parts';
export { checkHealth, type HealthCheck, type HealthReport } from './health';
export { redisPing, tcpProbe, freePort } from './net';
