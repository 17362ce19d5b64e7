/**
 * Framework-free handlers of the alerting API: plain input in, plain results out; AlertingError for what the caller
 * must fix (`NOT_FOUND`, `CONFLICT`, `BAD_MATCHER`). Any process can answer them: they read ClickHouse (and the
 * notification queue in Redis), not the evaluator's memory.
 */
import type { Store } from '@switchyard/store/types';
import type { Clock } from '@switchyard/telemetry/clock';
import { AlertingError } from './errors';
import { checkMatcher, type Labels, type Matcher } from './labels';
import { inhibitions, silencedBy } from './mutes';
import type { NotificationQueue, NotificationRecord, NotificationState } from './notify/delivery';
import { acksFor, createSilence, expireSilence, latestStates, listSilences, putAck, readHistory, silenceStatus, type Ack, type Silence } from './persist';
import type { Rule } from './rules';

/** What the handlers need. */
export interface HandlerDeps {
  store: Store;
  clock: Clock;
  rules: readonly Rule[];
  /** The delivery queue, for the notifications listing (absent: that listing answers UNAVAILABLE). */
  queue?: Pick<NotificationQueue, 'list'>;
}

/** An alert as GET /api/v1/alerts shows it. */
export interface AlertView {
  fingerprint: string;
  rule: string;
  state: 'pending' | 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  value: number | null;
  activeAt: string;
  /** When it entered its current state. */
  since: string;
  silencedBy: string[];
  inhibitedBy: string | null;
  ack: { by: string; at: string; comment: string } | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Alerts by their newest state: pending and firing, and those resolved within `resolvedWithinMs` (default 24 h),
 * plus the rules currently in ERROR. `state` filters (default all three).
 */
export async function listAlerts(deps: HandlerDeps, q: { state?: 'pending' | 'firing' | 'resolved'; resolvedWithinMs?: number } = {}): Promise<{ alerts: AlertView[]; ruleErrors: { rule: string; since: string; error: string }[] }> {
  const now = deps.clock.now();
  const all = await latestStates(deps.store);
  const horizon = now - (q.resolvedWithinMs ?? 86_400_000);
  const live = all.filter((s) => (s.state === 'pending' || s.state === 'firing' || (s.state === 'resolved' && s.since >= horizon)) && (!q.state || s.state === q.state));
  const silences = await listSilences(deps.store, now).catch(() => [] as Silence[]);
  const acks = new Map((await acksFor(deps.store, live.map((s) => s.fingerprint)).catch(() => [] as Ack[])).map((a) => [`${a.fingerprint}@${a.activeAt}`, a]));
  const inhibited = inhibitions(all.filter((s) => s.state === 'firing' || s.state === 'pending'), deps.rules);
  const alerts = live.map((s): AlertView => {
    const ack = acks.get(`${s.fingerprint}@${s.activeAt}`);
    return {
      fingerprint: s.fingerprint,
      rule: s.rule,
      state: s.state as AlertView['state'],
      labels: s.labels,
      annotations: s.annotations,
      value: s.value,
      activeAt: iso(s.activeAt),
      since: iso(s.since),
      silencedBy: s.state === 'resolved' ? [] : silencedBy(silences, s.labels, now),
      inhibitedBy: inhibited.get(s.fingerprint) ?? null,
      ack: ack ? { by: ack.by, at: iso(ack.at), comment: ack.comment } : null,
    };
  });
  const ruleErrors = all.filter((s) => s.state === 'error').map((s) => ({ rule: s.rule, since: iso(s.since), error: s.annotations.error ?? '' }));
  return { alerts, ruleErrors };
}

/** Transitions, newest first: of one alert, one rule, or all, within [from, to] (default the last 24 h), at most `limit` (default 200). */
export async function alertHistory(deps: HandlerDeps, q: { fingerprint?: string; rule?: string; from?: number; to?: number; limit?: number }) {
  const now = deps.clock.now();
  const rows = await readHistory(deps.store, { fingerprint: q.fingerprint, rule: q.rule, from: q.from ?? now - 86_400_000, to: q.to ?? now, limit: q.limit ?? 200 });
  return { history: rows.map((r) => ({ ...r, at: iso(r.at), activeAt: iso(r.activeAt) })) };
}

/** Acknowledges the current episode of a pending or firing alert. NOT_FOUND when it is not active. */
export async function ackAlert(deps: HandlerDeps, fingerprint: string, input: { by: string; comment: string }) {
  const cur = (await latestStates(deps.store, ['pending', 'firing'])).find((s) => s.fingerprint === fingerprint);
  if (!cur) throw new AlertingError(`no pending or firing alert with fingerprint ${fingerprint}`, 'NOT_FOUND');
  const ack: Ack = { fingerprint, activeAt: cur.activeAt, by: input.by, at: deps.clock.now(), comment: input.comment };
  await putAck(deps.store, ack);
  return { fingerprint, activeAt: iso(ack.activeAt), by: ack.by, at: iso(ack.at), comment: ack.comment };
}

/** A silence as the API shows it. */
export function silenceView(s: Silence, now: number) {
  return { id: s.id, matchers: s.matchers, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), createdBy: s.createdBy, comment: s.comment, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt), status: silenceStatus(s, now) };
}

/** Every silence, newest first; `state` keeps those in that state. */
export async function getSilences(deps: HandlerDeps, q: { state?: 'active' | 'pending' | 'expired' } = {}) {
  const now = deps.clock.now();
  const views = (await listSilences(deps.store)).map((s) => silenceView(s, now));
  return { silences: q.state ? views.filter((v) => v.status === q.state) : views };
}

/** Creates a silence. `startsAt` defaults to now; `endsAt` must be after it and in the future. */
export async function postSilence(deps: HandlerDeps, input: { matchers: Matcher[]; startsAt?: number; endsAt: number; createdBy: string; comment: string }) {
  const now = deps.clock.now();
  const startsAt = input.startsAt ?? now;
  if (input.endsAt <= startsAt || input.endsAt <= now) throw new AlertingError('endsAt must be after startsAt and in the future', 'VALIDATION_FAILED');
  if (input.matchers.length === 0) throw new AlertingError('a silence needs at least one matcher', 'VALIDATION_FAILED');
  input.matchers.forEach(checkMatcher);
  const s = await createSilence(deps.store, now, { matchers: input.matchers, startsAt, endsAt: input.endsAt, createdBy: input.createdBy, comment: input.comment });
  return silenceView(s, now);
}

/** Expires a silence now. */
export async function deleteSilence(deps: HandlerDeps, id: string) {
  const now = deps.clock.now();
  return silenceView(await expireSilence(deps.store, now, id), now);
}

/** Notifications in one delivery state (failed: undeliverable after every attempt). */
export async function listNotifications(deps: HandlerDeps, q: { state: NotificationState; limit?: number }): Promise<{ notifications: NotificationRecord[] }> {
  if (!deps.queue) throw new AlertingError('notification delivery is not configured in this process', 'UNAVAILABLE', true);
  return { notifications: await deps.queue.list(q.state, q.limit ?? 100) };
}
