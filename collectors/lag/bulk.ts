/**
 * Bulk offset reads for thousands of topics. kafkajs's public admin API reads one topic at a time, and each new
 * topic refreshes cluster metadata under a lock (admin.fetchOffsets with 2500 topics fails with
 * KafkaJSLockTimeout; per-topic fetchTopicOffsets makes 5000 round trips). kafkajs's own cluster object can do
 * better: register every topic with one metadata refresh, one OffsetFetch per group, one ListOffsets per broker.
 *
 * That object is private: this file reaches it through the `private:Kafka:createCluster` symbol of kafkajs 2.2.4
 * (pinned in collectors/package.json) and nothing else does. When the symbol is missing (another kafkajs),
 * `createBulkOffsets` returns undefined and the collector uses the public API (correct, slower past ~500 topics).
 */
import type { Kafka } from 'kafkajs';
import type { Committed, Watermarks } from './offsets';

interface PartitionMeta {
  partitionId: number;
}
interface InternalBroker {
  offsetFetch(req: { groupId: string; topics: { topic: string; partitions: { partition: number }[] }[] }): Promise<{
    responses: { topic: string; partitions: { partition: number; offset: string; errorCode?: number }[] }[];
  }>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMeta[];
  findGroupCoordinator(q: { groupId: string }): Promise<InternalBroker>;
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

const CHUNK = 250;

/** Offsets for many topics in few requests. */
export interface BulkOffsets {
  /** Committed offsets of a group on `topics`, only topics where it has a commit >= 0 (-1 marks none). */
  committed(group: string, topics: readonly string[]): Promise<Committed[]>;
  /** High and low watermarks of `topics`. */
  watermarks(topics: readonly string[]): Promise<Map<string, Watermarks[]>>;
  close(): Promise<void>;
}

/** A bulk reader over kafkajs's private cluster, or undefined when this kafkajs does not have it. */
export async function createBulkOffsets(kafka: Kafka): Promise<BulkOffsets | undefined> {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = sym ? (kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
  if (typeof create !== 'function') return undefined;
  const cluster = (create as (o: object) => InternalCluster)({ allowAutoTopicCreation: false });
  await cluster.connect();
  const targets = new Set<string>();

  const ensure = async (topics: readonly string[]): Promise<void> => {
    const fresh = topics.filter((t) => !targets.has(t));
    if (fresh.length > 0) {
      await cluster.addMultipleTargetTopics(fresh);
      for (const t of fresh) targets.add(t);
    }
    await cluster.refreshMetadataIfNecessary();
  };
  const partitionsOf = (topic: string): { partition: number }[] => {
    try {
      return cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    } catch {
      return []; // deleted since it was listed
    }
  };

  return {
    async committed(group, topics) {
      await ensure(topics);
      const coordinator = await cluster.findGroupCoordinator({ groupId: group });
      const req = topics.map((topic) => ({ topic, partitions: partitionsOf(topic) })).filter((t) => t.partitions.length > 0);
      const { responses } = await coordinator.offsetFetch({ groupId: group, topics: req });
      const out: Committed[] = [];
      for (const t of responses) {
        if (!t.partitions.some((p) => Number(p.offset) >= 0)) continue;
        for (const p of t.partitions) out.push({ topic: t.topic, partition: p.partition, committed: Number(p.offset) });
      }
      return out;
    },
    async watermarks(topics) {
      const out = new Map<string, Watermarks[]>();
      if (topics.length === 0) return out;
      await ensure(topics);
      // Chunks of CHUNK topics: librdkafka's mock answers one 10k-partition ListOffsets ~8x slower than 40 small ones.
      const chunks: string[][] = [];
      for (let i = 0; i < topics.length; i += CHUNK) chunks.push(topics.slice(i, i + CHUNK));
      const req = (part: string[], fromBeginning: boolean) =>
        part.map((topic) => ({ topic, fromBeginning, partitions: partitionsOf(topic) })).filter((t) => t.partitions.length > 0);
      const [high, low] = await Promise.all(
        [false, true].map(async (fromBeginning) => (await Promise.all(chunks.map((c) => cluster.fetchTopicsOffset(req(c, fromBeginning))))).flat()),
      );
      const lows = new Map(low!.map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]))]));
      for (const t of high!) {
        out.set(t.topic, t.partitions.map((p) => ({ partition: p.partition, high: Number(p.offset), low: lows.get(t.topic)?.get(p.partition) ?? 0 })));
      }
      return out;
    },
    close: () => cluster.disconnect(),
  };
}
