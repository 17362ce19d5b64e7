/**
 * Who a throttle would touch, for dry-run previews: a consumer group's members (from the broker, where it can
 * describe groups) and its topics (from the lag collector's latest status row); a queue's BullMQ workers (from
 * Redis CLIENT LIST, the way BullMQ's own getWorkers finds them).
 */
import type { Ctx } from '../types';
import type { ControlKind } from '@switchyard/bus/control';
import { sql } from '../queries/index';

/** The consumers a throttle reaches. `note` says what could not be looked up, and why. */
export interface Affected {
  consumers: { id: string; host?: string }[];
  topics: string[];
  partitions: number | null;
  note: string | null;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function groupMembers(ctx: Ctx, group: string): Promise<{ id: string; host: string }[]> {
  const admin = ctx.kafka.admin({ retry: { retries: 0 } });
  try {
    await withTimeout(admin.connect(), ctx.options.kafkaTimeoutMs, 'connecting to Kafka');
    const res = await withTimeout(admin.describeGroups([group]), ctx.options.kafkaTimeoutMs, 'DescribeGroups');
    return (res.groups[0]?.members ?? []).map((m) => ({ id: m.memberId, host: m.clientHost }));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Looks up what a throttle on `kind:name` affects. Never throws: what fails is named in `note`. */
export async function affectedConsumers(ctx: Ctx, kind: ControlKind, name: string): Promise<Affected> {
  const notes: string[] = [];
  if (kind === 'queue') {
    const clientName = `${ctx.options.bullmqPrefix}:${Buffer.from(name).toString('base64')}`;
    try {
      const list = (await ctx.redis.client('LIST')) as string;
      const consumers = list
        .split('\n')
        .map((line) => Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) as Record<string, string>)
        .filter((c) => c.name === clientName || c.name?.startsWith(`${clientName}:w:`))
        .map((c) => ({ id: c.name?.slice(clientName.length + 3) || (c.id ?? ''), host: c.addr ?? '' }));
      return { consumers, topics: [], partitions: null, note: consumers.length ? null : 'no BullMQ worker of this queue is connected to Redis now' };
    } catch (err) {
      return { consumers: [], topics: [], partitions: null, note: `Redis CLIENT LIST failed: ${(err as Error).message}` };
    }
  }
  let topics: string[] = [];
  let partitions: number | null = null;
  try {
    const rows = await ctx.store.query<{ topics: string[]; partitions: number }>(sql('group-latest'), { group: name });
    topics = rows[0]?.topics ?? [];
    partitions = rows[0] ? Number(rows[0].partitions) : null;
    if (!rows[0]) notes.push('the lag collector has not seen this group');
  } catch (err) {
    notes.push(`lag data unavailable: ${(err as Error).message}`);
  }
  let consumers: { id: string; host: string }[] = [];
  try {
    consumers = await groupMembers(ctx, name);
    if (consumers.length === 0) notes.push('the broker lists no member of this group now');
  } catch (err) {
    notes.push(`the broker did not describe the group, so its members are unknown (${(err as Error).message})`);
  }
  return { consumers, topics, partitions, note: notes.length ? notes.join('; ') : null };
}
