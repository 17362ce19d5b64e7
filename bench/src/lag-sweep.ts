/**
 * Lag sweep benchmark: how long one lag-collector sweep takes over `topics` x `partitionsPerTopic` partitions and
 * `groups` consumer groups, on librdkafka's mock cluster (started here unless `brokers` is given), with the rows
 * written to an embedded store in a temp folder.
 *
 * Offsets only: lag in seconds needs one fetched message per lagging partition, which the collector caps per sweep
 * (`maxProbesPerSweep`, default 64), so its cost does not grow with the partition count; this bench sets the cap to 0.
 * Setup (not timed): one message per partition, then each group commits offset 0 everywhere (see commitEverywhere).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startLagCollector } from '../../collectors/lag/collector';
import { startMockCluster } from '../../apps/launcher/src/kafka-mock';
import { openStore } from '@switchyard/store';
import { createLogger } from '@switchyard/telemetry/log';

/** Options of {@link runLagSweepBench}. */
export interface LagSweepBenchOptions {
  /** Topics to create (default 2500). */
  topics?: number;
  /** Partitions per topic: the mock cluster auto-creates 4, so only 4 is honoured there (default 4). */
  partitionsPerTopic?: number;
  /** Consumer groups with commits on every partition (default 10). */
  groups?: number;
  /** Existing brokers; default: start a mock cluster for the run. */
  brokers?: string[];
}

/** What one bench run measured. */
export interface LagSweepBenchResult {
  partitions: number;
  groups: number;
  /** Rows the sweep wrote to consumer_lag. */
  rows: number;
  /** One sweep, cold (first sweep: metadata for every topic) and warm (second sweep), in ms. */
  coldMs: number;
  warmMs: number;
  /** Warm sweep split: reading offsets / writing rows (ms). */
  warmOffsetsMs: number;
  warmWriteMs: number;
  setupMs: number;
}

/** Runs the benchmark once. */
export async function runLagSweepBench(opts: LagSweepBenchOptions = {}): Promise<LagSweepBenchResult> {
  const nTopics = opts.topics ?? 2500;
  const nParts = opts.partitionsPerTopic ?? 4;
  const nGroups = opts.groups ?? 10;
  const setupStart = performance.now();
  const cluster = opts.brokers ? undefined : await startMockCluster({ brokers: 1 });
  const kafka = new Kafka({ clientId: 'bench-lag', brokers: opts.brokers ?? cluster!.brokers, logLevel: logLevel.NOTHING });
  const dir = await mkdtemp(join(tmpdir(), 'sy-bench-lag-'));
  const store = await openStore({ dataDir: dir, database: 'bench', retentionDays: 1 });
  const run = `b${Date.now().toString(36)}`;
  const topics = Array.from({ length: nTopics }, (_, i) => `${run}-t${i}`);
  try {
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    for (let i = 0; i < topics.length; i += 250) {
      await producer.sendBatch({
        topicMessages: topics.slice(i, i + 250).map((topic) => ({
          topic,
          messages: Array.from({ length: nParts }, (_, p) => ({ partition: p, value: 'x' })),
        })),
      });
    }
    await producer.disconnect();
    await Promise.all(Array.from({ length: nGroups }, (_, g) => commitEverywhere(kafka, `${run}-g${g}`, topics, nParts)));
    const setupMs = performance.now() - setupStart;

    const lag = await startLagCollector({
      kafka, store, groups: Array.from({ length: nGroups }, (_, g) => `${run}-g${g}`), autoStart: false,
      includeReferenceGroups: false, maxProbesPerSweep: 0, logger: createLogger('bench.lag', () => {}),
    });
    try {
      const cold = await lag.sweep();
      const warm = await lag.sweep();
      if (!warm.write.ok) throw warm.write.error;
      return {
        partitions: nTopics * nParts, groups: warm.groups.length, rows: warm.groups.reduce((s, g) => s + g.partitions.length, 0),
        coldMs: Math.round(cold.timings.totalMs), warmMs: Math.round(warm.timings.totalMs),
        warmOffsetsMs: Math.round(warm.timings.offsetsMs), warmWriteMs: Math.round(warm.timings.writeMs), setupMs: Math.round(setupMs),
      };
    } finally {
      await lag.stop();
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    await cluster?.stop();
  }
}

interface InternalBroker {
  offsetCommit(req: { groupId: string; groupGenerationId: number; memberId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): Promise<unknown>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(q: { groupId: string }): Promise<InternalBroker>;
}

/**
 * Commits offset 0 on every partition for a group without joining it (a "simple" commit: generation -1, no member),
 * as admin.setOffsets would after its DescribeGroups check, which the mock cluster lacks. Joining 10 groups to 2500
 * topics instead takes about 12 s per group and crashes the mock when done concurrently. Bench setup only: this
 * reaches into kafkajs 2.2.4's private cluster factory.
 */
async function commitEverywhere(kafka: Kafka, group: string, topics: string[], nParts: number): Promise<void> {
  const sym = Object.getOwnPropertySymbols(kafka).find((x) => x.description === 'private:Kafka:createCluster');
  if (!sym) throw new Error('kafkajs internals changed: cannot commit offsets for the bench without joining');
  const create = (kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[sym]!;
  const cluster = create({});
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId: group });
    for (let i = 0; i < topics.length; i += 500) {
      await coordinator.offsetCommit({
        groupId: group, groupGenerationId: -1, memberId: '',
        topics: topics.slice(i, i + 500).map((topic) => ({ topic, partitions: Array.from({ length: nParts }, (_, partition) => ({ partition, offset: '0' })) })),
      });
    }
  } finally {
    await cluster.disconnect();
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const r = await runLagSweepBench();
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
