/**
 * Throttle and pause of a consumer group or a BullMQ queue: the first operator action. The state goes to the
 * control channel of @switchyard/bus (`<prefix>control:<kind>:<name>`) that every pipeline service watches; who set it, when and
 * why sits beside it (`<prefix>api:throttle:<kind>:<name>`) with the same expiry. Every call is audited.
 */
import type { ControlState } from '@switchyard/bus/types';
import { audit } from '../audit';
import { listControls, readControl, writeControl, type ControlKind } from '@switchyard/bus/control';
import { UnavailableError, ValidationError } from '../errors';
import { progressBus } from '../progress';
import type { Ctx, Principal } from '../types';
import { affectedConsumers, type Affected } from './affected';

/** Who is acting, and the request's ids, as the audit log records them. */
export interface ActionContext {
  principal: Principal;
  requestId: string;
  idempotencyKey?: string;
}

/** A current throttle as listed. */
export interface ThrottleView {
  kind: ControlKind;
  name: string;
  paused: boolean;
  maxRate: number | null;
  expiresAt: string | null;
  setBy: { id: string; name: string } | null;
  setAt: string | null;
  reason: string | null;
}

/** The control state with ISO times, as the API shows it. */
export interface StateView {
  paused: boolean;
  maxRate: number | null;
  expiresAt: string | null;
}

/** Input of {@link setThrottle} (validated by the route's schema). */
export interface SetThrottleInput {
  kind: ControlKind;
  name: string;
  paused?: boolean;
  maxRate?: number | null;
  expiresAt?: string | null;
  ttlSeconds?: number;
  reason: string;
  dryRun: boolean;
}

/** What a dry run answers. */
export interface ThrottlePreview {
  dryRun: true;
  kind: ControlKind;
  name: string;
  current: StateView | null;
  next: StateView | null;
  changes: { field: string; from: unknown; to: unknown }[];
  affected: Affected;
}

/** What a real run answers. */
export interface ThrottleResult {
  dryRun: false;
  auditId: string;
  throttle: ThrottleView | null;
  previous: StateView | null;
}

interface Meta {
  setBy: { id: string; name: string };
  setAt: string;
  reason: string;
}

const metaKey = (prefix: string, kind: ControlKind, name: string): string => `${prefix}api:throttle:${kind}:${name}`;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const view = (s: ControlState | null): StateView | null => (s ? { paused: s.paused, maxRate: s.maxRate, expiresAt: iso(s.expiresAt) } : null);

/** A control counts only until it lapses (the bus ignores a lapsed one even before Redis expires the key). */
function live(state: ControlState | null, now: number): ControlState | null {
  return state && (state.expiresAt === null || state.expiresAt > now) ? state : null;
}

function diff(a: ControlState | null, b: ControlState | null): { field: string; from: unknown; to: unknown }[] {
  const out: { field: string; from: unknown; to: unknown }[] = [];
  for (const f of ['paused', 'maxRate', 'expiresAt'] as const) {
    const from = f === 'expiresAt' ? iso(a?.expiresAt ?? null) : (a?.[f] ?? (f === 'paused' ? false : null));
    const to = f === 'expiresAt' ? iso(b?.expiresAt ?? null) : (b?.[f] ?? (f === 'paused' ? false : null));
    if (from !== to) out.push({ field: f, from, to });
  }
  return out;
}

/** Works out the next state from the current one and the request, or says what to fix. */
function nextState(current: ControlState | null, input: SetThrottleInput, now: number): ControlState {
  const problems: { path: string; message: string }[] = [];
  if (input.paused === undefined && input.maxRate === undefined && input.expiresAt === undefined && input.ttlSeconds === undefined) {
    problems.push({ path: 'body', message: 'set at least one of paused, maxRate, expiresAt, ttlSeconds' });
  }
  if (input.expiresAt != null && input.ttlSeconds !== undefined) problems.push({ path: 'body.ttlSeconds', message: 'give expiresAt or ttlSeconds, not both' });
  let expiresAt = current?.expiresAt ?? null;
  if (input.ttlSeconds !== undefined) expiresAt = now + input.ttlSeconds * 1000;
  else if (input.expiresAt !== undefined) expiresAt = input.expiresAt === null ? null : Date.parse(input.expiresAt);
  if (expiresAt !== null && expiresAt <= now) problems.push({ path: 'body.expiresAt', message: 'must be in the future' });
  const next: ControlState = {
    paused: input.paused ?? current?.paused ?? false,
    maxRate: input.maxRate !== undefined ? input.maxRate : (current?.maxRate ?? null),
    expiresAt,
  };
  if (problems.length === 0 && !next.paused && next.maxRate === null) {
    problems.push({ path: 'body', message: 'the result neither pauses nor limits the rate: to lift a throttle, DELETE it' });
  }
  if (problems.length > 0) throw new ValidationError('The throttle request cannot be applied.', problems);
  return next;
}

/** Sets (or with `dryRun`, previews) a throttle. */
export async function setThrottle(ctx: Ctx, act: ActionContext, input: SetThrottleInput): Promise<ThrottlePreview | ThrottleResult> {
  const prefix = ctx.options.redisPrefix;
  const now = ctx.clock.now();
  const current = live(await readControl(ctx.redis, input.kind, input.name, prefix), now);
  const next = nextState(current, input, now);
  const target = `${input.kind}:${input.name}`;
  const changes = diff(current, next);
  const base = { at: now, actor: { id: act.principal.tokenId, name: act.principal.name }, role: act.principal.role, target, reason: input.reason, requestId: act.requestId, idempotencyKey: act.idempotencyKey };
  if (input.dryRun) {
    const affected = await affectedConsumers(ctx, input.kind, input.name);
    const preview: ThrottlePreview = { dryRun: true, kind: input.kind, name: input.name, current: view(current), next: view(next), changes, affected };
    await auditOrFail(ctx, { ...base, action: 'throttle.set', dryRun: true, selection: { kind: input.kind, name: input.name }, preview, outcome: 'done' });
    return preview;
  }
  return apply(ctx, base, 'throttle.set', input.kind, input.name, current, next, changes);
}

/** Lifts (or with `dryRun`, previews lifting) a throttle. Lifting none is not an error: it changes nothing. */
export async function liftThrottle(ctx: Ctx, act: ActionContext, input: { kind: ControlKind; name: string; reason: string; dryRun: boolean }): Promise<ThrottlePreview | ThrottleResult> {
  const now = ctx.clock.now();
  const current = live(await readControl(ctx.redis, input.kind, input.name, ctx.options.redisPrefix), now);
  const changes = diff(current, null);
  const base = { at: now, actor: { id: act.principal.tokenId, name: act.principal.name }, role: act.principal.role, target: `${input.kind}:${input.name}`, reason: input.reason, requestId: act.requestId, idempotencyKey: act.idempotencyKey };
  if (input.dryRun) {
    const affected = await affectedConsumers(ctx, input.kind, input.name);
    const preview: ThrottlePreview = { dryRun: true, kind: input.kind, name: input.name, current: view(current), next: null, changes, affected };
    await auditOrFail(ctx, { ...base, action: 'throttle.lift', dryRun: true, selection: { kind: input.kind, name: input.name }, preview, outcome: 'done' });
    return preview;
  }
  return apply(ctx, base, 'throttle.lift', input.kind, input.name, current, null, changes);
}

/** The time of a follow-up audit row: never the same millisecond as the row before, so the log keeps its order. */
const after = (ctx: Ctx, prev: number): number => Math.max(ctx.clock.now(), prev + 1);

type Base = { at: number; actor: { id: string; name: string }; role: string; target: string; reason: string; requestId: string; idempotencyKey?: string };

async function auditOrFail(ctx: Ctx, entry: Parameters<typeof audit>[1]): Promise<string> {
  const res = await audit(ctx.store, entry);
  if (!res.ok) throw new UnavailableError('The audit log cannot be written, so no action is taken; try again shortly.', 'AUDIT_UNAVAILABLE', { cause: res.error });
  return res.id;
}

async function apply(ctx: Ctx, base: Base, action: string, kind: ControlKind, name: string, current: ControlState | null, next: ControlState | null, changes: { field: string; from: unknown; to: unknown }[]): Promise<ThrottleResult> {
  const prefix = ctx.options.redisPrefix;
  const selection = { kind, name, state: view(next) };
  // Accepted is written first: an action that cannot be audited is not taken.
  const auditId = await auditOrFail(ctx, { ...base, action, selection, preview: { changes }, outcome: 'accepted' });
  try {
    await writeControl(ctx.redis, kind, name, next, prefix);
    const mk = metaKey(prefix, kind, name);
    if (next === null) await ctx.redis.del(mk);
    else {
      const meta: Meta = { setBy: base.actor, setAt: new Date(base.at).toISOString(), reason: base.reason };
      if (next.expiresAt !== null) await ctx.redis.set(mk, JSON.stringify(meta), 'PXAT', next.expiresAt);
      else await ctx.redis.set(mk, JSON.stringify(meta));
    }
  } catch (err) {
    await audit(ctx.store, { ...base, at: after(ctx, base.at), action, selection, outcome: 'failed', detail: `control channel write failed: ${(err as Error).message}` });
    progressBus.publish({ kind: 'throttle', id: auditId, state: 'failed', matched: 1, done: 0, failed: 1 });
    throw new UnavailableError('Redis refused the control write; nothing was changed. Try again.', 'CONTROL_UNAVAILABLE', { cause: err });
  }
  const done = await audit(ctx.store, { ...base, at: after(ctx, base.at), action, selection, outcome: 'done', detail: changes.length === 0 ? 'no change' : changes.map((c) => c.field).join(', ') });
  if (!done.ok) ctx.logger.error('audit of a finished throttle failed', { err: done.error, auditId });
  progressBus.publish({ kind: 'throttle', id: auditId, state: 'done', matched: 1, done: 1, failed: 0 });
  const throttle = next === null ? null : { kind, name, ...view(next)!, setBy: base.actor, setAt: new Date(base.at).toISOString(), reason: base.reason };
  return { dryRun: false, auditId, throttle, previous: view(current) };
}

/** Every throttle in force, with who set it, until when, and why. */
export async function listThrottles(ctx: Ctx): Promise<{ items: ThrottleView[] }> {
  const prefix = ctx.options.redisPrefix;
  const now = ctx.clock.now();
  const controls = (await listControls(ctx.redis, prefix)).filter((c) => live(c.state, now));
  const metas = controls.length ? await ctx.redis.mget(controls.map((c) => metaKey(prefix, c.kind, c.name))) : [];
  const items = controls.map((c, i): ThrottleView => {
    const meta = metas[i] ? (JSON.parse(metas[i]) as Meta) : null;
    return { kind: c.kind, name: c.name, ...view(c.state)!, setBy: meta?.setBy ?? null, setAt: meta?.setAt ?? null, reason: meta?.reason ?? null };
  });
  items.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name));
  return { items };
}
