/**
 * The alerting tables in ClickHouse (migrations 0040-0042): alert_history (every transition), silences and
 * alert_acks. Plain functions over the Store; times are epoch ms in and out.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '@switchyard/store/types';
import { chTimeToMs } from '../queries/index';
import { AlertingError } from './errors';
import type { Labels, Matcher } from './labels';

/** States an alert_history row records. */
export type HistoryState = 'pending' | 'firing' | 'resolved' | 'inactive' | 'error' | 'ok';

/** One transition. */
export interface Transition {
  at: number;
  fingerprint: string;
  rule: string;
  labels: Labels;
  state: HistoryState;
  value: number | null;
  annotations: Labels;
  activeAt: number;
  fence: number;
  evaluator: string;
}

/** Writes transitions; throws the StoreError when the write failed (the evaluator logs it and goes on). */
export async function writeTransitions(store: Store, rows: readonly Transition[]): Promise<void> {
  if (rows.length === 0) return;
  const res = await store.insert(
    'alert_history',
    rows.map((r) => ({ at: new Date(r.at), fingerprint: r.fingerprint, rule: r.rule, labels: r.labels, state: r.state, value: r.value !== null && Number.isFinite(r.value) ? r.value : null, annotations: r.annotations, active_at: new Date(r.activeAt), fence: r.fence, evaluator: r.evaluator })),
  );
  if (!res.ok) throw res.error;
}

interface LatestRow {
  fingerprint: string;
  rule: string;
  labels: Labels;
  state: HistoryState;
  value: number | null;
  annotations: Labels;
  active_at: string;
  since: string;
}

/** The newest state of an alert (or of a rule's health). */
export interface AlertSnapshot {
  fingerprint: string;
  rule: string;
  labels: Labels;
  state: HistoryState;
  value: number | null;
  annotations: Labels;
  activeAt: number;
  /** When it entered its current state. */
  since: number;
}

/**
 * The newest row of each fingerprint. Rows compare by (fence, at): a row from an evaluator that lost the lease
 * never overrides one from its successor. `states` filters on the newest state (default all).
 */
export async function latestStates(store: Store, states?: readonly HistoryState[]): Promise<AlertSnapshot[]> {
  const rows = await store.query<LatestRow>(
    `SELECT fingerprint, argMax(rule, (fence, at)) AS rule, argMax(labels, (fence, at)) AS labels, argMax(state, (fence, at)) AS state,
            argMax(value, (fence, at)) AS value, argMax(annotations, (fence, at)) AS annotations,
            argMax(active_at, (fence, at)) AS active_at, argMax(at, (fence, at)) AS since
     FROM alert_history GROUP BY fingerprint
     ${states ? 'HAVING state IN {states:Array(String)}' : ''}
     ORDER BY since DESC`,
    states ? { states: [...states] } : undefined,
  );
  return rows.map((r) => ({ fingerprint: r.fingerprint, rule: r.rule, labels: r.labels, state: r.state, value: r.value === null ? null : Number(r.value), annotations: r.annotations, activeAt: chTimeToMs(r.active_at), since: chTimeToMs(r.since) }));
}

/** Filter of {@link readHistory}. */
export interface HistoryQuery {
  fingerprint?: string;
  rule?: string;
  from: number;
  to: number;
  limit: number;
}

/** Transitions, newest first. */
export async function readHistory(store: Store, q: HistoryQuery): Promise<Omit<Transition, 'fence' | 'evaluator'>[]> {
  const rows = await store.query<LatestRow & { at: string }>(
    `SELECT at, fingerprint, rule, labels, state, value, annotations, active_at FROM alert_history
     WHERE at >= {from:DateTime64(3, 'UTC')} AND at <= {to:DateTime64(3, 'UTC')}
       ${q.fingerprint ? 'AND fingerprint = {fp:String}' : ''} ${q.rule ? 'AND rule = {rule:String}' : ''}
     ORDER BY at DESC LIMIT {limit:UInt32}`,
    { from: new Date(q.from), to: new Date(q.to), fp: q.fingerprint ?? '', rule: q.rule ?? '', limit: q.limit },
  );
  return rows.map((r) => ({ at: chTimeToMs(r.at), fingerprint: r.fingerprint, rule: r.rule, labels: r.labels, state: r.state, value: r.value === null ? null : Number(r.value), annotations: r.annotations, activeAt: chTimeToMs(r.active_at) }));
}

/** A silence. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  updatedAt: number;
}

/** `active` between startsAt and endsAt, `pending` before, `expired` after. */
export function silenceStatus(s: Silence, now: number): 'active' | 'pending' | 'expired' {
  return now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired';
}

interface SilenceRow {
  id: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  created_at: string;
  updated_at: string;
}

async function putSilence(store: Store, s: Silence): Promise<void> {
  const res = await store.insert('silences', [
    { id: s.id, matchers: JSON.stringify(s.matchers), starts_at: new Date(s.startsAt), ends_at: new Date(s.endsAt), created_by: s.createdBy, comment: s.comment, created_at: new Date(s.createdAt), updated_at: new Date(s.updatedAt) },
  ]);
  if (!res.ok) throw res.error;
}

/** Every silence (newest version of each), newest first; `activeAt` keeps those active at that time. */
export async function listSilences(store: Store, activeAt?: number): Promise<Silence[]> {
  const rows = await store.query<SilenceRow>(
    `SELECT * FROM silences FINAL ${activeAt !== undefined ? "WHERE starts_at <= {t:DateTime64(3, 'UTC')} AND ends_at > {t:DateTime64(3, 'UTC')}" : ''} ORDER BY created_at DESC`,
    activeAt !== undefined ? { t: new Date(activeAt) } : undefined,
  );
  return rows.map((r) => ({ id: r.id, matchers: JSON.parse(r.matchers) as Matcher[], startsAt: chTimeToMs(r.starts_at), endsAt: chTimeToMs(r.ends_at), createdBy: r.created_by, comment: r.comment, createdAt: chTimeToMs(r.created_at), updatedAt: chTimeToMs(r.updated_at) }));
}

/** Stores a new silence. */
export async function createSilence(store: Store, now: number, input: Omit<Silence, 'id' | 'createdAt' | 'updatedAt'>): Promise<Silence> {
  const s: Silence = { ...input, id: randomUUID(), createdAt: now, updatedAt: now };
  await putSilence(store, s);
  return s;
}

/** Ends a silence now. Throws AlertingError `NOT_FOUND`, or `CONFLICT` when it already expired. */
export async function expireSilence(store: Store, now: number, id: string): Promise<Silence> {
  const rows = await store.query<SilenceRow>('SELECT * FROM silences FINAL WHERE id = {id:String}', { id });
  const r = rows[0];
  if (!r) throw new AlertingError(`no silence with id ${id}`, 'NOT_FOUND');
  const s: Silence = { id: r.id, matchers: JSON.parse(r.matchers) as Matcher[], startsAt: chTimeToMs(r.starts_at), endsAt: chTimeToMs(r.ends_at), createdBy: r.created_by, comment: r.comment, createdAt: chTimeToMs(r.created_at), updatedAt: now };
  if (s.endsAt <= now) throw new AlertingError(`silence ${id} already expired at ${new Date(s.endsAt).toISOString()}`, 'CONFLICT');
  // updated_at must grow for ReplacingMergeTree to keep this version, even if the clock has not moved.
  s.updatedAt = Math.max(now, chTimeToMs(r.updated_at) + 1);
  s.endsAt = Math.max(now, s.startsAt);
  await putSilence(store, s);
  return s;
}

/** An acknowledgement of one active episode of an alert. */
export interface Ack {
  fingerprint: string;
  activeAt: number;
  by: string;
  at: number;
  comment: string;
}

/** Stores an ack. */
export async function putAck(store: Store, ack: Ack): Promise<void> {
  const res = await store.insert('alert_acks', [{ fingerprint: ack.fingerprint, active_at: new Date(ack.activeAt), by: ack.by, at: new Date(ack.at), comment: ack.comment }]);
  if (!res.ok) throw res.error;
}

/** Acks of these fingerprints (every episode). */
export async function acksFor(store: Store, fingerprints: readonly string[]): Promise<Ack[]> {
  if (fingerprints.length === 0) return [];
  const rows = await store.query<{ fingerprint: string; active_at: string; by: string; at: string; comment: string }>(
    'SELECT fingerprint, active_at, by, at, comment FROM alert_acks FINAL WHERE fingerprint IN {fps:Array(String)}',
    { fps: [...fingerprints] },
  );
  return rows.map((r) => ({ fingerprint: r.fingerprint, activeAt: chTimeToMs(r.active_at), by: r.by, at: chTimeToMs(r.at), comment: r.comment }));
}
