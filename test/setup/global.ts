/**
 * Vitest global setup: one mock Kafka cluster for the whole run (unless KAFKA_BROKERS points at a real one).
 * Tests read the brokers with `inject('kafkaBrokers')` or from process.env.KAFKA_BROKERS, and own their topic names.
 */
import type { TestProject } from 'vitest/node';
import { startMockCluster, type MockCluster } from '../../apps/launcher/src/kafka-mock';

let cluster: MockCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  let brokers = process.env.KAFKA_BROKERS ?? '';
  if (!brokers) {
    cluster = await startMockCluster({ brokers: 1 });
    brokers = cluster.brokers.join(',');
  }
  process.env.KAFKA_BROKERS = brokers;
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  project.provide('kafkaBrokers', brokers);
  project.provide('redisUrl', process.env.REDIS_URL);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    redisUrl: string;
  }
}
