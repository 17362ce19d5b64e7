/**
 * Rewind of a consumer group to a time: each partition's committed offset moves to the first offset at or after
 * that time (ListOffsets by timestamp), through admin.setOffsets, which brokers allow only for a group with no
 * active member. Where the broker cannot resolve a time (librdkafka's mock cluster answers the end offset) the
 * rewind is refused with 501 `BROKER_UNSUPPORTED` rather than silently moving the group to the end.
 */
import { tryDescribeGroups } from '@switchyard/bus/admin';
import { audit } from '../audit';
import type { ActionContext } from '../handlers/throttles';
import { sql } from '../queries/index';
import type { Ctx } from '../types';
import { auditAfter, auditBase, auditOrFail } from './common';
import { BrokerUnsupportedError, UnprocessableError } from './errors';
import { offsetsAt, openAdmin, watermarks, withTimeout } from './kafka';
import { timestampLookupBroken } from './plan';

/** A rewind request. */
export interface RewindInput {
  group: string;
  /** ISO time to rewind to. */
  to: string;
  reason: string;
  dryRun: boolean;
}

/** What a rewind moves (or, in a dry run, would move). */
export interface RewindResult {
  dryRun: boolean;
  group: string;
  to: string;
  topics: { topic: string; partitions: { partition: number; current: string; target: string }[] }[];
  auditId: string | null;
  note: string | null;
}

/** Rewinds (or previews rewinding) `group` to `to`. */
export async function rewindGroup(ctx: Ctx, act: ActionContext, input: RewindInput): Promise<RewindResult> {
  const t = ctx.options.kafkaTimeoutMs;
  const base = auditBase(ctx, act, `group:${input.group}`, input.reason);
  const selection = { group: input.group, to: input.to };
  const ts = Date.parse(input.to);
  const admin = await openAdmin(ctx.kafka, t);
  try {
    const committed = await withTimeout(admin.fetchOffsets({ groupId: input.group }), t, 'OffsetFetch').catch(() => []);
    let topics = committed.filter((c) => c.partitions.some((p) => Number(p.offset) >= 0)).map((c) => c.topic);
    if (topics.length === 0) {
      const [row] = await ctx.store.query<{ topics: string[] }>(sql('group-latest'), { group: input.group });
      topics = row?.topics ?? [];
    }
    if (topics.length === 0) throw new UnprocessableError(`Consumer group "${input.group}" has no committed offsets and the lag collector has not seen it: nothing to rewind.`, 'GROUP_UNKNOWN');
    const notes: string[] = [];
    const plan: RewindResult['topics'] = [];
    for (const topic of topics) {
      const marks = await watermarks(admin, topic, t);
      if (marks.length === 0) continue;
      if (timestampLookupBroken(marks, await offsetsAt(admin, topic, 0, t))) {
        const detail = `The broker answers ListOffsets by timestamp with the end offset (librdkafka's mock cluster does), so a time cannot be turned into offsets and rewinding would move ${input.group} to the end instead. Replay the time range instead (POST /api/v1/replays with selection.from/to), which reads it from the archive.`;
        const res = await audit(ctx.store, { ...base, action: 'consumer-group.rewind', selection, dryRun: input.dryRun, outcome: 'rejected', detail: `BROKER_UNSUPPORTED: ${detail}` });
        if (!res.ok) ctx.logger.warn('audit of a refused rewind failed', { err: res.error });
        throw new BrokerUnsupportedError(detail);
      }
      const at = await offsetsAt(admin, topic, ts, t);
      const current = committed.find((c) => c.topic === topic)?.partitions ?? [];
      plan.push({
        topic,
        partitions: marks.map((m) => {
          const o = at.get(m.partition);
          return { partition: m.partition, current: current.find((p) => p.partition === m.partition)?.offset ?? '-1', target: (o === undefined || o < 0n ? m.high : o).toString() };
        }),
      });
    }
    const described = await tryDescribeGroups(admin, [input.group], ctx.logger);
    const g = described?.[0];
    if (g && g.members.length > 0) throw new BrokerUnsupportedError(`Consumer group "${input.group}" has ${g.members.length} active member(s) (state ${g.state}); the broker only lets offsets of a group without members be set. Stop its consumers (or pause them with a throttle and let them leave) and try again.`, 409, 'GROUP_ACTIVE');
    if (!described) notes.push('the broker cannot describe groups: whether the group has active members is unknown; the broker refuses the change if it has');
    const note = notes.length ? notes.join('; ') : null;
    if (input.dryRun) {
      await auditOrFail(ctx, { ...base, action: 'consumer-group.rewind', dryRun: true, selection, preview: plan, outcome: 'done' });
      return { dryRun: true, group: input.group, to: input.to, topics: plan, auditId: null, note };
    }
    const auditId = await auditOrFail(ctx, { ...base, action: 'consumer-group.rewind', selection, preview: plan, outcome: 'accepted' });
    try {
      for (const p of plan) await withTimeout(admin.setOffsets({ groupId: input.group, topic: p.topic, partitions: p.partitions.map((x) => ({ partition: x.partition, offset: x.target })) }), t, 'OffsetCommit');
    } catch (err) {
      await auditAfter(ctx, base.at, { ...base, action: 'consumer-group.rewind', selection, outcome: 'failed', detail: (err as Error).message });
      throw new BrokerUnsupportedError(`The broker refused the new offsets: ${(err as Error).message}`, 409, 'REWIND_REFUSED');
    }
    await auditAfter(ctx, base.at, { ...base, action: 'consumer-group.rewind', selection, outcome: 'done', detail: plan.map((p) => `${p.topic}: ${p.partitions.length} partitions`).join('; ') });
    return { dryRun: false, group: input.group, to: input.to, topics: plan, auditId, note };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
