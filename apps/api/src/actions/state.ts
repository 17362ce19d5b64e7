/**
 * The state of long-running actions (replay, redrive): persisted to ClickHouse `actions` (migration 0050) on every
 * state change and about once a second while running, published on progressBus at most every `publishEveryMs`,
 * and kept in a process-wide registry so that DELETE can cancel a run in this process.
 *
 * A run whose process died stays `running` in the table; reads show it as `failed` ("interrupted") once its last
 * write is older than {@link STALE_MS}, so a console never waits on a run nobody is doing.
 */
import type { Store } from '@switchyard/store/types';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { chTimeToIso } from '../queries/index';
import { progressBus } from '../progress';

export type ActionKind = 'replay' | 'redrive';
export type ActionState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** A running action's last write older than this (ms) means its process is gone. */
export const STALE_MS = 30_000;

/** One action as the API shows it. */
export interface ActionRecord {
  id: string;
  kind: ActionKind;
  state: ActionState;
  /** Entries the selection matched. */
  matched: number;
  /** Entries published. */
  done: number;
  /** Entries that could not be published. */
  failed: number;
  /** Entries skipped (a redrive found them already redriven). */
  skipped: number;
  /** Redriven entries that failed again and are back in a dead-letter topic. */
  failedAgain: number;
  createdBy: { id: string; name: string };
  reason: string;
  selection: unknown;
  preview: unknown;
  /** Why it failed, what it fell back to, what it skipped. */
  detail: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

interface Row {
  id: string;
  kind: string;
  state: string;
  matched: string | number;
  done: string | number;
  failed: string | number;
  skipped: string | number;
  failed_again: string | number;
  created_by: string;
  created_by_id: string;
  reason: string;
  selection: string;
  preview: string;
  detail: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

const running = new Map<string, AbortController>();
let lastVersion = 0;

const parse = (s: string): unknown => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
};

/** Maps a stored row to a record; a stale `running`/`queued` row reads as failed (interrupted). */
export function fromRow(r: Row, now: number): ActionRecord {
  const rec: ActionRecord = {
    id: r.id,
    kind: r.kind as ActionKind,
    state: r.state as ActionState,
    matched: Number(r.matched),
    done: Number(r.done),
    failed: Number(r.failed),
    skipped: Number(r.skipped),
    failedAgain: Number(r.failed_again),
    createdBy: { id: r.created_by_id, name: r.created_by },
    reason: r.reason,
    selection: parse(r.selection),
    preview: parse(r.preview),
    detail: r.detail,
    createdAt: chTimeToIso(r.created_at),
    startedAt: r.started_at ? chTimeToIso(r.started_at) : null,
    finishedAt: r.finished_at ? chTimeToIso(r.finished_at) : null,
    updatedAt: chTimeToIso(r.updated_at),
  };
  if ((rec.state === 'running' || rec.state === 'queued') && !running.has(rec.id) && now - Date.parse(rec.updatedAt) > STALE_MS) {
    rec.state = 'failed';
    rec.detail = `interrupted: the process running it stopped (last report ${rec.updatedAt}). ${rec.detail}`.trim();
  }
  return rec;
}

const COLUMNS = 'id, kind, state, matched, done, failed, skipped, failed_again, created_by, created_by_id, reason, selection, preview, detail, created_at, started_at, finished_at, updated_at';

/** One action by id, or null. */
export async function readAction(store: Store, kind: ActionKind, id: string, now: number): Promise<ActionRecord | null> {
  const rows = await store.query<Row>(`SELECT ${COLUMNS} FROM actions FINAL WHERE kind = {kind:String} AND id = {id:String}`, { kind, id });
  return rows[0] ? fromRow(rows[0], now) : null;
}

/** Actions of a kind, newest first, after the (created_at, id) position of a cursor. */
export async function listActions(store: Store, kind: ActionKind, q: { limit: number; beforeTs?: string; beforeId?: string }, now: number): Promise<ActionRecord[]> {
  const rows = await store.query<Row>(
    `SELECT ${COLUMNS} FROM actions FINAL WHERE kind = {kind:String}
       AND ({before_id:String} = '' OR (created_at, id) < (parseDateTime64BestEffort({before_ts:String}, 3, 'UTC'), {before_id:String}))
     ORDER BY created_at DESC, id DESC LIMIT {limit:UInt32}`,
    { kind, before_ts: q.beforeTs ?? '1970-01-01T00:00:00Z', before_id: q.beforeId ?? '', limit: q.limit },
  );
  return rows.map((r) => fromRow(r, now));
}

/** Writes one version of a record. Returns false (and logs) when ClickHouse refuses it. */
export async function saveAction(store: Store, rec: ActionRecord, clock: Clock, logger: Logger): Promise<boolean> {
  lastVersion = Math.max(clock.now(), lastVersion + 1);
  const res = await store.insert('actions', [
    {
      id: rec.id,
      kind: rec.kind,
      state: rec.state,
      matched: rec.matched,
      done: rec.done,
      failed: rec.failed,
      skipped: rec.skipped,
      failed_again: rec.failedAgain,
      created_by: rec.createdBy.name,
      created_by_id: rec.createdBy.id,
      reason: rec.reason,
      selection: JSON.stringify(rec.selection ?? null),
      preview: JSON.stringify(rec.preview ?? null),
      detail: rec.detail.slice(0, 4000),
      created_at: new Date(rec.createdAt),
      started_at: rec.startedAt ? new Date(rec.startedAt) : null,
      finished_at: rec.finishedAt ? new Date(rec.finishedAt) : null,
      updated_at: new Date(rec.updatedAt),
      version: lastVersion,
    },
  ]);
  if (!res.ok) logger.warn('could not persist action state', { id: rec.id, kind: rec.kind, state: rec.state, err: res.error });
  return res.ok;
}

/** Options of {@link ActionRun}. */
export interface RunOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Minimum ms between progress events (default 250). */
  publishEveryMs?: number;
  /** Minimum ms between persisted progress rows while running (default 1000). */
  persistEveryMs?: number;
}

/** The live handle of one action in this process: counters, cancel signal, progress and persistence. */
export class ActionRun {
  readonly controller = new AbortController();
  #lastPublish = 0;
  #lastPersist = 0;
  constructor(
    readonly record: ActionRecord,
    private readonly opts: RunOptions,
  ) {
    running.set(record.id, this.controller);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  #now(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }

  #publish(force: boolean): void {
    const now = this.opts.clock.now();
    if (!force && now - this.#lastPublish < (this.opts.publishEveryMs ?? 250)) return;
    this.#lastPublish = now;
    const r = this.record;
    progressBus.publish({ kind: r.kind, id: r.id, state: r.state === 'queued' ? 'accepted' : r.state, matched: r.matched, done: r.done, failed: r.failed });
  }

  /** Persists the record now. */
  async save(): Promise<void> {
    this.record.updatedAt = this.#now();
    this.#lastPersist = this.opts.clock.now();
    await saveAction(this.opts.store, this.record, this.opts.clock, this.opts.logger);
  }

  /** Marks the run started. */
  async start(matched?: number, detail?: string): Promise<void> {
    this.record.state = 'running';
    this.record.startedAt = this.#now();
    if (matched !== undefined) this.record.matched = matched;
    if (detail) this.record.detail = detail;
    await this.save();
    this.#publish(true);
  }

  /** Adds to the counters; publishes and persists when due. */
  async progress(delta: Partial<Pick<ActionRecord, 'done' | 'failed' | 'skipped' | 'matched'>>): Promise<void> {
    const r = this.record;
    r.done += delta.done ?? 0;
    r.failed += delta.failed ?? 0;
    r.skipped += delta.skipped ?? 0;
    r.matched += delta.matched ?? 0;
    this.#publish(false);
    if (this.opts.clock.now() - this.#lastPersist >= (this.opts.persistEveryMs ?? 1000)) await this.save();
  }

  /** Ends the run in `state`, persists and publishes, and leaves the registry. */
  async finish(state: 'done' | 'failed' | 'cancelled', detail?: string): Promise<void> {
    this.record.state = state;
    this.record.finishedAt = this.#now();
    if (detail) this.record.detail = this.record.detail ? `${this.record.detail}; ${detail}` : detail;
    running.delete(this.record.id);
    await this.save();
    this.#publish(true);
  }
}

/** Asks a run of this process to stop; false when no run with that id is live here. */
export function cancelRunning(id: string): boolean {
  const c = running.get(id);
  if (!c) return false;
  c.abort();
  return true;
}

/** True while the action runs in this process. */
export function isRunningHere(id: string): boolean {
  return running.has(id);
}
