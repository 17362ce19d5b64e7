/**
 * Request bodies of the operator actions (replay, redrive, throttle, silence) built from form state, with the
 * checks the form shows before anything is sent. Pure: the form and the clock in, a body or the errors out.
 */

/** Result of a builder: the body, or field errors to show beside the fields. */
export type Built<T> = { ok: true; body: T } | { ok: false; errors: Record<string, string> };

const reasonError = (r: string): string | undefined => (r.trim().length < 3 ? 'A reason of at least 3 characters is required (it goes to the audit log).' : r.trim().length > 500 ? 'At most 500 characters.' : undefined);

/** Dead-letter search and redrive filter. */
export interface DlqFilter {
  topic?: string;
  q?: string;
  from?: string;
  to?: string;
}

/** Body of POST /api/v1/redrives: the selected ids, or everything matching the filter (a dry run is `?dryRun=true`). */
export function buildRedrive(f: { ids: readonly string[]; all: boolean; filter: DlqFilter; velocity: string; reason: string }): Built<{ ids?: string[]; filter?: DlqFilter; velocity: number; reason: string }> {
  const errors: Record<string, string> = {};
  const velocity = Number(f.velocity);
  if (!Number.isFinite(velocity) || velocity <= 0 || velocity > 10_000) errors.velocity = 'Velocity is messages per second, between 1 and 10000.';
  const r = reasonError(f.reason);
  if (r) errors.reason = r;
  if (!f.all && f.ids.length === 0) errors.selection = 'Select dead letters, or choose "everything matching".';
  if (Object.keys(errors).length) return { ok: false, errors };
  const filter = Object.fromEntries(Object.entries(f.filter).filter(([, v]) => v !== undefined && v !== '')) as DlqFilter;
  return { ok: true, body: { ...(f.all ? { filter } : { ids: [...f.ids] }), velocity, reason: f.reason.trim() } };
}

/** The replay form. */
export interface ReplayForm {
  topic: string;
  from: string;
  to: string;
  fromOffset: string;
  toOffset: string;
  orderId: string;
  traceId: string;
  eventType: string;
  target: 'original' | 'sandbox';
  reason: string;
}

/**
 * Body of POST /api/v1/replays (a dry run is `?dryRun=true`; the body is the same). `from`/`to` accept
 * datetime-local text (read as local time). The reason is required to confirm; a preview sends "preview".
 */
export function buildReplay(f: ReplayForm, dryRun: boolean): Built<{ selection: Record<string, string | number>; target: 'original' | 'sandbox'; reason: string }> {
  const errors: Record<string, string> = {};
  if (!f.topic.trim()) errors.topic = 'Choose the topic to replay.';
  const selection: Record<string, string | number> = { topic: f.topic.trim() };
  for (const k of ['from', 'to'] as const) {
    if (!f[k]) continue;
    const t = Date.parse(f[k]);
    if (!Number.isFinite(t)) errors[k] = 'Not a valid time.';
    else selection[k] = new Date(t).toISOString();
  }
  if (selection.from && selection.to && String(selection.from) >= String(selection.to)) errors.to = '"To" must be after "from".';
  for (const k of ['fromOffset', 'toOffset'] as const) {
    if (!f[k]) continue;
    if (!/^\d+$/.test(f[k])) errors[k] = 'An offset is a whole number.';
    else selection[k] = Number(f[k]);
  }
  for (const k of ['orderId', 'traceId', 'eventType'] as const) if (f[k].trim()) selection[k] = f[k].trim();
  if (!dryRun) {
    const r = reasonError(f.reason);
    if (r) errors.reason = r;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { selection, target: f.target, reason: dryRun && f.reason.trim().length < 3 ? 'preview' : f.reason.trim() } };
}

/** Body of PUT /api/v1/throttles/{kind}/{name}. An empty rate leaves the rate alone; ttl in minutes. */
export function buildThrottle(f: { kind: string; name: string; paused: boolean; maxRate: string; ttlMinutes: string; reason: string }): Built<{ path: string; body: { paused: boolean; maxRate?: number | null; ttlSeconds?: number; reason: string } }> {
  const errors: Record<string, string> = {};
  if (f.kind !== 'group' && f.kind !== 'queue') errors.kind = 'Choose a consumer group or a queue.';
  if (!/^[A-Za-z0-9._:-]{1,249}$/.test(f.name)) errors.name = 'A group or queue name: letters, digits and . _ : - only.';
  const body: { paused: boolean; maxRate?: number | null; ttlSeconds?: number; reason: string } = { paused: f.paused, reason: f.reason.trim() };
  if (f.maxRate.trim() !== '') {
    const r = Number(f.maxRate);
    if (!Number.isFinite(r) || r <= 0) errors.maxRate = 'A rate above 0 (messages per second), or empty for none.';
    else body.maxRate = r;
  }
  if (f.ttlMinutes.trim() !== '') {
    const m = Number(f.ttlMinutes);
    if (!Number.isInteger(m) || m < 1 || m > 43_200) errors.ttlMinutes = 'Whole minutes, 1 to 43200 (30 days), or empty for no expiry.';
    else body.ttlSeconds = m * 60;
  }
  if (!f.paused && body.maxRate === undefined) errors.maxRate ??= 'Set a rate or pause it.';
  const r = reasonError(f.reason);
  if (r) errors.reason = r;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { path: `throttles/${f.kind}/${encodeURIComponent(f.name)}`, body } };
}

/** Reads a preview (dry-run) response's headline numbers under the names servers use. */
export function previewSummary(preview: Record<string, unknown> | null | undefined): { count: number | null; groups: string[]; cost: number | null; notes: string[] } {
  const p = preview ?? {};
  const num = (...v: unknown[]): number | null => {
    for (const x of v) if (typeof x === 'number' && Number.isFinite(x)) return x;
    return null;
  };
  let rawGroups = p.consumerGroups ?? p.groups ?? p.affectedGroups;
  const groupNote = rawGroups && typeof rawGroups === 'object' && !Array.isArray(rawGroups) ? (rawGroups as Record<string, unknown>).note : undefined;
  if (rawGroups && typeof rawGroups === 'object' && !Array.isArray(rawGroups)) rawGroups = (rawGroups as Record<string, unknown>).groups;
  const groups = Array.isArray(rawGroups) ? rawGroups.map((g) => (typeof g === 'string' ? g : String((g as Record<string, unknown>)?.group ?? (g as Record<string, unknown>)?.name ?? '?'))) : [];
  const cost = p.estimatedCost && typeof p.estimatedCost === 'object' ? num((p.estimatedCost as Record<string, unknown>).total) : num(p.estimatedCost, p.cost);
  const notes = [p.note, p.warning, groupNote, ...(Array.isArray(p.warnings) ? p.warnings : []), ...(Array.isArray(p.notes) ? p.notes : [])].filter((x): x is string => typeof x === 'string' && x !== '');
  return { count: num(p.count, p.matched, p.messages, p.total), groups, cost, notes };
}
