/**
 * Lost-data detection: messages that retention removed before a consumer group read them. For each partition,
 * when the broker's low watermark (the oldest offset it still has) is above the group's committed offset, the
 * offsets [committed, low) are gone for that group: it will jump ahead to `low` without ever seeing them.
 * Works for any group (the lag collector reuses it); a partition the group never committed is not judged.
 */
import type { Admin } from 'kafkajs';
import type { Store, WriteResult } from '@switchyard/store';

/** A gap a group can no longer read. Offsets are decimal strings (64-bit). */
export interface Loss {
  group: string;
  topic: string;
  partition: number;
  /** The group's committed offset (first offset it had not read). */
  fromOffset: string;
  /** The low watermark (first offset still on the broker): the gap is [fromOffset, toOffset). */
  toOffset: string;
  /** toOffset - fromOffset. */
  lost: string;
}

/** Compares a group's committed offsets with the low watermarks of `topics`. One ListOffsets call per topic. */
export async function detectLosses(admin: Admin, group: string, topics: readonly string[]): Promise<Loss[]> {
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId: group, topics: [...topics] });
  const losses: Loss[] = [];
  for (const t of committed) {
    const marks = new Map((await admin.fetchTopicOffsets(t.topic)).map((p) => [p.partition, BigInt(p.low)]));
    for (const p of t.partitions) {
      const c = BigInt(p.offset);
      const low = marks.get(p.partition);
      if (c < 0n || low === undefined || low <= c) continue;
      losses.push({ group, topic: t.topic, partition: p.partition, fromOffset: c.toString(), toOffset: low.toString(), lost: (low - c).toString() });
    }
  }
  return losses;
}

/** Writes losses to `tap_losses` (deduplicated there by group, topic, partition, from_offset). */
export function recordLosses(store: Pick<Store, 'insert'>, losses: readonly Loss[], detectedAt: number): Promise<WriteResult> {
  const at = new Date(detectedAt);
  return store.insert(
    'tap_losses',
    losses.map((l) => ({ group: l.group, topic: l.topic, partition: l.partition, from_offset: l.fromOffset, to_offset: l.toOffset, lost: l.lost, detected_at: at })),
  );
}
