/**
 * Admin calls that some brokers lack, with their fallbacks (DESIGN.md: librdkafka's mock cluster has no
 * CreateTopics through kafkajs, no DescribeGroups, no ListGroups). Each gap is logged as ONE clear warning per
 * process and API, naming the API and the fallback; later occurrences are silent (debug).
 */
import type { Admin, GroupDescription, logCreator, LogEntry } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { Logger } from '@switchyard/telemetry/log';

/** Admin APIs whose absence we degrade around. */
export type BrokerApi = 'CreateTopics' | 'ListGroups' | 'DescribeGroups';

const reported = new Set<BrokerApi>();

/**
 * Logs that the broker lacks `api` and what we do instead: a warning the first time per process, debug after.
 * Returns the line logged, for tests.
 */
export function reportBrokerGap(logger: Logger, api: BrokerApi, fallback: string, err: unknown): string {
  const msg = `broker lacks ${api} (mock cluster?); ${fallback}`;
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (reported.has(api)) logger.debug(msg, { api, reason });
  else {
    reported.add(api);
    logger.warn(msg, { api, reason });
  }
  return msg;
}

/** Forgets which gaps were reported (tests). */
export function resetBrokerGapReports(): void {
  reported.clear();
}

/** Result of {@link ensureTopics}. */
export interface EnsureTopicsResult {
  /** `created`: CreateTopics answered; `auto`: created (or found) through a metadata request. */
  via: 'created' | 'auto';
}

/**
 * Makes sure topics exist: CreateTopics first (`numPartitions`, default 4, like the mock cluster's auto-creation);
 * where the broker cannot (the mock cluster names controller 0, which is not a broker), falls back to a metadata
 * request, which auto-creates them on brokers that allow it. Throws if neither works.
 */
export async function ensureTopics(admin: Admin, topics: string[], logger: Logger, numPartitions = 4): Promise<EnsureTopicsResult> {
  const unique = [...new Set(topics)];
  if (unique.length === 0) return { via: 'created' };
  try {
    await admin.createTopics({ topics: unique.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
    return { via: 'created' };
  } catch (err) {
    reportBrokerGap(logger, 'CreateTopics', 'relying on topic auto-creation through a metadata request', err);
  }
  await admin.fetchTopicMetadata({ topics: unique });
  return { via: 'auto' };
}

/** Consumer groups the broker lists, or null where it cannot list them (the caller uses configured ones). */
export async function tryListGroups(admin: Admin, logger: Logger): Promise<string[] | null> {
  try {
    const { groups } = await admin.listGroups();
    return groups.map((g) => g.groupId);
  } catch (err) {
    reportBrokerGap(logger, 'ListGroups', 'using the configured consumer groups only', err);
    return null;
  }
}

/** Group descriptions (state, members), or null where the broker cannot describe groups. */
export async function tryDescribeGroups(admin: Admin, groups: string[], logger: Logger): Promise<GroupDescription[] | null> {
  try {
    const { groups: described } = await admin.describeGroups(groups);
    return described;
  } catch (err) {
    reportBrokerGap(logger, 'DescribeGroups', 'group state and members unknown; judging groups by committed offsets only', err);
    return null;
  }
}

/**
 * Routes kafkajs's own log lines into our logger. kafkajs INFO is chatty (every join and stop), so it goes to
 * debug; its errors about APIs the broker lacks are demoted to debug too, because we report those ourselves once.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    const fields = { ns: entry.namespace, ...rest } as Record<string, unknown>;
    const gap = /does not support the requested API|Broker \d+ not found/i.test(String(message) + String(rest.error ?? ''));
    if (entry.level === logLevel.ERROR && !gap) logger.error(message, fields);
    else if (entry.level === logLevel.WARN && !gap) logger.warn(message, fields);
    else logger.debug(message, fields);
  };
}
