/**
 * What the broker says about groups and offsets, through the kafkajs admin client, with the degradations the
 * librdkafka mock cluster needs: no ListGroups (fall back to configured and known groups, logged once), and
 * OffsetFetch without topics answering nothing (ask for every topic instead and keep those with a commit).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '@switchyard/telemetry/log';
import type { BulkOffsets } from './bulk';

/** A committed offset of a group; -1 when the group has none on that partition. */
export interface Committed {
  topic: string;
  partition: number;
  committed: number;
}

/** Watermarks of one partition. */
export interface Watermarks {
  partition: number;
  high: number;
  low: number;
}

/** Reads groups and offsets; keeps the "broker cannot list groups" finding so it is logged once. */
export class OffsetReader {
  /** False once the broker answered ListGroups with "unsupported". */
  brokerListsGroups = true;

  /** `bulk` (see bulk.ts) serves many-topic reads when given; the public admin API otherwise. */
  constructor(private readonly admin: Admin, private readonly log: Logger, private readonly bulk?: BulkOffsets, private readonly concurrency = 32) {}

  /** Consumer groups the broker lists, or null when it cannot (logged once) or the call failed this time. */
  async listGroups(): Promise<string[] | null> {
    if (!this.brokerListsGroups) return null;
    try {
      const { groups } = await this.admin.listGroups();
      return groups.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
    } catch (err) {
      if ((err as Error).name === 'KafkaJSServerDoesNotSupportApiKey') {
        this.brokerListsGroups = false;
        this.log.warn(
          'broker does not support ListGroups: lag covers configured groups and groups known from topic names (<group>.retry, <group>.dlq) and the reference pipeline only',
          { err },
        );
      } else {
        this.log.warn('ListGroups failed; using configured and known groups for this sweep', { err });
      }
      return null;
    }
  }

  /** Every topic except internal ones (`__*`). */
  async listTopics(): Promise<string[]> {
    return (await this.admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  }

  /**
   * Committed offsets of a group, on the topics where it has at least one commit. Asks the broker for all of the
   * group's topics first (real Kafka answers that); an empty answer is retried with the full topic list (the
   * mock cluster answers only when topics are named). A group unknown to the broker comes back empty.
   */
  async committed(group: string, allTopics: readonly string[]): Promise<Committed[]> {
    let res = await this.admin.fetchOffsets({ groupId: group });
    if (res.length === 0 && allTopics.length > 0) {
      if (this.bulk) return this.bulk.committed(group, allTopics);
      res = await this.admin.fetchOffsets({ groupId: group, topics: [...allTopics] });
    }
    const out: Committed[] = [];
    for (const t of res) {
      if (!t.partitions.some((p) => Number(p.offset) >= 0)) continue;
      for (const p of t.partitions) out.push({ topic: t.topic, partition: p.partition, committed: Number(p.offset) });
    }
    return out;
  }

  /** High and low watermarks of each topic, `concurrency` topics at a time. */
  async watermarks(topics: readonly string[]): Promise<Map<string, Watermarks[]>> {
    if (this.bulk) return this.bulk.watermarks(topics);
    const out = new Map<string, Watermarks[]>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < topics.length) {
        const topic = topics[next++]!;
        const offs = await this.admin.fetchTopicOffsets(topic);
        out.set(topic, offs.map((o) => ({ partition: o.partition, high: Number(o.high), low: Number(o.low) })));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, topics.length) }, worker));
    return out;
  }
}

/** Groups implied by the bus's topic naming: a `<group>.retry` or `<group>.dlq` topic means group `<group>`. */
export function groupsFromTopicNames(topics: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of topics) {
    const m = /^(.+)\.(retry|dlq)$/.exec(t);
    if (m?.[1]) out.add(m[1]);
  }
  return [...out];
}
