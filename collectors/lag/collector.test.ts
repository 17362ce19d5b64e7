import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { startLagCollector, type LagCollectorOptions } from './collector';
import { openTestStore, type TestStore } from './test-store';

const kafka = new Kafka({ clientId: 'lag-test', brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING });
const quiet = createLogger('lag.test', () => {});
let ts: TestStore;
let producer: Producer;

beforeAll(async () => {
  ts = await openTestStore();
  producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await ts.close();
});

/** Produces `n` messages and returns how many went to each partition. */
async function produce(topic: string, n: number, partition?: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const [meta] = await producer.send({ topic, messages: [{ key: `order-${randomUUID()}`, value: `m${i}`, partition }] });
    counts.set(meta!.partition, (counts.get(meta!.partition) ?? 0) + 1);
  }
  return counts;
}

/** A plain kafkajs consumer group (not Switchyard's bus) that reads `expect` messages, commits, and leaves. */
async function consumeAndStop(group: string, topic: string, count: number): Promise<void> {
  const c = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void c.run({ eachMessage: async () => void (++seen >= count && resolve()) });
  });
  await c.stop(); // commits what was processed
  await c.disconnect();
}

/**
 * Commits offsets for a group as a member of it (the mock cluster has no DescribeGroups, which admin.setOffsets
 * needs). The member pauses everything, so it never consumes; it stays in the group until closed.
 */
async function committer(group: string, topics: string[]): Promise<{ commit(topic: string, partition: number, offset: number): Promise<void>; close(): Promise<void> }> {
  const c = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topics });
  const joined = new Promise<void>((resolve) => c.on(c.events.GROUP_JOIN, () => resolve()));
  const running = c.run({ autoCommit: false, eachMessage: async () => {} });
  c.pause(topics.map((topic) => ({ topic })));
  await Promise.all([running, joined]);
  return {
    commit: (topic, partition, offset) => c.commitOffsets([{ topic, partition, offset: String(offset) }]),
    close: () => c.disconnect(),
  };
}

const collector = (o: Partial<LagCollectorOptions>) =>
  startLagCollector({ kafka, store: ts.store, autoStart: false, includeReferenceGroups: false, logger: quiet, probeWaitMs: 5000, ...o });

describe('lag collector', () => {
  it('counts lag of a plain kafkajs group exactly, per partition, and stores it', async () => {
    const topic = `lag-${randomUUID()}`;
    const group = `plain-${randomUUID()}`;
    // Three messages on each of the four partitions, so the group commits on every one of them.
    for (let p = 0; p < 4; p++) await produce(topic, 3, p);
    await consumeAndStop(group, topic, 12);
    const after = await produce(topic, 9);

    const lag = await collector({ groups: [group] });
    try {
      const r = await lag.sweep();
      expect(r.write.ok).toBe(true);
      const g = r.groups.find((x) => x.group === group)!;
      expect(g.lagMessages).toBe(9);
      for (const p of g.partitions) expect(p.lagMessages).toBe(after.get(p.partition) ?? 0);
      expect(g.partitions.every((p) => p.committed >= 0 && !p.noCommit)).toBe(true);
      // Every lagging partition was probed: its age is known and positive.
      for (const p of g.partitions.filter((x) => x.lagMessages > 0)) expect(p.lagSeconds).not.toBeNull();

      const rows = await ts.store.query<{ partition: number; lag_messages: string; log_end: string; committed: string }>(
        'SELECT partition, lag_messages, log_end, committed FROM consumer_lag WHERE group = {g:String} ORDER BY partition',
        { g: group },
      );
      expect(rows.reduce((s, x) => s + Number(x.lag_messages), 0)).toBe(9);
      for (const row of rows) expect(Number(row.log_end) - Number(row.committed)).toBe(Number(row.lag_messages));
      const status = await ts.store.query<{ status: string; lag_messages: string; topics: string[] }>(
        'SELECT status, lag_messages, topics FROM consumer_group_status WHERE group = {g:String}',
        { g: group },
      );
      expect(status).toEqual([{ status: 'OK', lag_messages: '9', topics: [topic] }]);
    } finally {
      await lag.stop();
    }
  });

  it('measures lag in seconds as the age of the oldest unconsumed message', async () => {
    const topic = `lagsec-${randomUUID()}`;
    const group = `sec-${randomUUID()}`;
    const t0 = Date.now();
    await produce(topic, 1, 0);
    const member = await committer(group, [topic]);
    await sleep(Math.max(0, 2000 - (Date.now() - t0)));
    const t1 = Date.now();
    await produce(topic, 1, 0);
    await member.commit(topic, 0, 0);
    const lag = await collector({ groups: [group] });
    try {
      const r = await lag.sweep();
      const p = r.groups.find((x) => x.group === group)!.partitions.find((x) => x.partition === 0)!;
      expect(p.lagMessages).toBe(2);
      // The oldest unconsumed message is the first one, produced about t0 (its producer-side timestamp).
      expect(Math.abs(p.lagSeconds! - (r.ts - t0) / 1000)).toBeLessThan(1);
      expect(p.lagSeconds!).toBeGreaterThan(1.5);

      await member.commit(topic, 0, 1);
      const r2 = await lag.sweep();
      const p2 = r2.groups.find((x) => x.group === group)!.partitions.find((x) => x.partition === 0)!;
      expect(p2.lagMessages).toBe(1);
      expect(Math.abs(p2.lagSeconds! - (r2.ts - t1) / 1000)).toBeLessThan(1);

      await member.commit(topic, 0, 2);
      const r3 = await lag.sweep();
      expect(r3.groups.find((x) => x.group === group)!.partitions.find((x) => x.partition === 0)!.lagSeconds).toBe(0);
    } finally {
      await lag.stop();
      await member.close();
    }
  });

  it('degrades without ListGroups: logs one line, covers configured and topic-named groups', async () => {
    const lines: string[] = [];
    const logger = createLogger('lag.test', (l) => lines.push(l));
    const topic = `lagdisc-${randomUUID()}`;
    const configured = `conf-${randomUUID()}`;
    const named = `named-${randomUUID()}`;
    await produce(topic, 4);
    await produce(`${named}.retry`, 1); // the bus's naming reveals the group `named`
    const members = await Promise.all([committer(configured, [topic]), committer(named, [topic])]);
    await members[0].commit(topic, 0, 0);
    await members[1].commit(topic, 1, 0);
    await Promise.all(members.map((m) => m.close()));
    const lag = await collector({ groups: [configured], logger, maxProbesPerSweep: 0 });
    try {
      const r1 = await lag.sweep();
      const r2 = await lag.sweep();
      expect(r1.brokerListsGroups).toBe(false);
      expect(r2.groups.map((g) => g.group)).toEqual(expect.arrayContaining([configured, named]));
      const warned = lines.filter((l) => l.includes('does not support ListGroups'));
      expect(warned).toHaveLength(1);
      expect(JSON.parse(warned[0]!)).toMatchObject({ level: 'warn' });
      // Probing capped at zero: lagging partitions are reported with unknown age, and counted.
      expect(r2.unprobed).toBeGreaterThan(0);
    } finally {
      await lag.stop();
    }
  });

  it('looks for the reference groups under the topic prefix, not another deployment\'s', async () => {
    const prefix = `lagpfx-${randomUUID().slice(0, 8)}`;
    const topic = `${prefix}.inventory`;
    const group = `${prefix}.payment-svc`;
    await produce(topic, 3, 0);
    const member = await committer(group, [topic]);
    await member.commit(topic, 0, 1);
    await member.close();
    // Neither configured nor listed (the mock has no ListGroups): found only as a reference group of the prefix.
    const mine = await collector({ includeReferenceGroups: true, topicPrefix: prefix, maxProbesPerSweep: 0 });
    const other = await collector({ includeReferenceGroups: true, topicPrefix: `${prefix}-other`, maxProbesPerSweep: 0 });
    try {
      const found = (await mine.sweep()).groups.find((g) => g.group === group);
      expect(found).toMatchObject({ lagMessages: 2 });
      expect((await other.sweep()).groups.map((g) => g.group)).not.toContain(group);
    } finally {
      await Promise.all([mine.stop(), other.stop()]);
    }
  });

  it('turns a stopped group STALLED, then STOPPED, then OK once it catches up', async () => {
    const topic = `lagstall-${randomUUID()}`;
    const group = `stall-${randomUUID()}`;
    await produce(topic, 3, 0);
    const member = await committer(group, [topic]);
    await member.commit(topic, 0, 1);
    const clock = manualClock(Date.now());
    const lag = await collector({ groups: [group], clock, status: { windowSize: 4, minSamples: 3 } });
    try {
      const statuses: string[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await lag.sweep();
        statuses.push(r.groups.find((g) => g.group === group)!.status);
        clock.advance(5000);
      }
      // 2 warming-up sweeps, STALLED while the commit is at most twice the window span (2 x 15 s) old, then STOPPED.
      expect(statuses).toEqual(['OK', 'OK', 'STALLED', 'STALLED', 'STALLED', 'STALLED', 'STALLED', 'STOPPED']);
      await member.commit(topic, 0, 3);
      const r = await lag.sweep();
      expect(r.groups.find((g) => g.group === group)).toMatchObject({ status: 'OK', lagMessages: 0 });
      const stored = await ts.store.query<{ status: string }>(
        'SELECT status FROM consumer_group_status WHERE group = {g:String} ORDER BY ts',
        { g: group },
      );
      expect(stored.map((s) => s.status)).toEqual([...statuses, 'OK']);
    } finally {
      await lag.stop();
      await member.close();
    }
  });
});
