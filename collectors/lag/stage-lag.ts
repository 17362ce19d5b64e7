/**
 * Lag per stage of the reference pipeline: the consumer groups of GROUPS, in stage order, each with its total lag
 * in messages and its worst lag in seconds. A pure function over consumer_lag rows (for instance the latest sweep,
 * collectors/lag/latest-lag.sql), so the overview and its tests need no Kafka.
 *
 * Group names follow SWITCHYARD_TOPIC_PREFIX as the bus applies it (`<prefix>.payment-svc`), so two pipelines
 * sharing a broker under different prefixes are told apart.
 */
import { prefixed } from '@switchyard/config';
import { GROUPS } from '@switchyard/contracts/topics';

/** A consumer_lag row as the store returns it (64-bit integers may arrive as strings). */
export interface LagRow {
  group: string;
  topic: string;
  partition: number | string;
  lag_messages: number | string;
  lag_seconds: number | string | null;
}

/** Lag of one stage. */
export interface StageLag {
  /** Stage key in GROUPS (`inventory`, `payment`, ...). */
  stage: keyof typeof GROUPS;
  /** The stage's consumer group on the broker (prefixed). */
  group: string;
  /** Sum over the group's partitions. */
  lagMessages: number;
  /** Oldest unconsumed message over the group's partitions; null when no partition was probed. */
  lagSeconds: number | null;
  /** Partitions reported for the group; 0 when the group has no rows (not running, or not yet swept). */
  partitions: number;
}

/** The reference pipeline's consumer groups under a topic prefix (default ''), in stage order. */
export function referenceGroups(topicPrefix = ''): string[] {
  return Object.values(GROUPS).map((g) => prefixed({ topicPrefix }, g));
}

/**
 * Aggregates rows into one entry per reference-pipeline stage, in stage order; other groups (another prefix's
 * included) are ignored. `topicPrefix` (default '') is the pipeline's SWITCHYARD_TOPIC_PREFIX.
 */
export function stageLag(rows: readonly LagRow[], topicPrefix = ''): StageLag[] {
  const byGroup = new Map<string, { msgs: number; secs: number | null; parts: number }>();
  for (const r of rows) {
    let g = byGroup.get(r.group);
    if (!g) byGroup.set(r.group, (g = { msgs: 0, secs: null, parts: 0 }));
    g.msgs += Number(r.lag_messages);
    g.parts++;
    if (r.lag_seconds !== null && r.lag_seconds !== undefined) g.secs = Math.max(g.secs ?? 0, Number(r.lag_seconds));
  }
  return (Object.keys(GROUPS) as (keyof typeof GROUPS)[]).map((stage) => {
    const group = prefixed({ topicPrefix }, GROUPS[stage]);
    const g = byGroup.get(group);
    return { stage, group, lagMessages: g?.msgs ?? 0, lagSeconds: g?.secs ?? null, partitions: g?.parts ?? 0 };
  });
}
