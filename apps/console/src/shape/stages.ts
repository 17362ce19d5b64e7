/**
 * The pipeline map of the overview: one card per stage from intake to delivery, each with its rate, lag,
 * error and retry rate and a status tone. Reads `GET /api/v1/overview` when the server has it, and fills what it
 * lacks from the consumer-group list, the queues, the throttles and the live feed.
 */

/** A stage of the reference pipeline: which consumer group, topic and queue it stands for. */
export interface StageDef {
  stage: string;
  label: string;
  group?: string;
  topic?: string;
  queue?: string;
}

/** The reference pipeline in flow order (intake produces; the others consume). Notifier and loyalty run side by side. */
export const REFERENCE_STAGES: readonly StageDef[] = [
  { stage: 'intake', label: 'Intake', topic: 'orders' },
  { stage: 'inventory', label: 'Inventory', group: 'inventory-svc', topic: 'orders' },
  { stage: 'payment', label: 'Payment', group: 'payment-svc', topic: 'inventory' },
  { stage: 'eta', label: 'ETA', group: 'eta-svc', topic: 'payments' },
  { stage: 'kitchen', label: 'Kitchen', group: 'kitchen-svc', topic: 'eta', queue: 'kitchen' },
  { stage: 'dispatch', label: 'Dispatch', group: 'dispatch-svc', topic: 'kitchen', queue: 'dispatch' },
  { stage: 'tracking', label: 'Tracking', group: 'tracking-svc', topic: 'dispatch' },
  { stage: 'notifier', label: 'Notifier', group: 'notifier-svc', topic: 'delivery', queue: 'notifications' },
  { stage: 'loyalty', label: 'Loyalty', group: 'loyalty-svc', topic: 'delivery' },
];

/** Status tones, each with a colour and a word (never colour alone). */
export type Tone = 'ok' | 'warn' | 'bad' | 'idle' | 'unknown';

/** Maps a lag-collector status (OK, WARNING, STALLED, STOPPED, ERROR) to a tone. */
export function toneOf(status: string | null | undefined): Tone {
  switch ((status ?? '').toUpperCase()) {
    case 'OK':
    case 'HEALTHY':
      return 'ok';
    case 'WARNING':
    case 'LAGGING':
    case 'THROTTLED':
      return 'warn';
    case 'STALLED':
    case 'ERROR':
    case 'FAILING':
      return 'bad';
    case 'STOPPED':
    case 'PAUSED':
    case 'IDLE':
      return 'idle';
    default:
      return 'unknown';
  }
}

/** A status from the numbers when the server gave none: errors over 5% or lag over 5 min are bad. */
export function deriveStatus(c: { lagSeconds: number | null; errorRate: number | null }): string {
  if ((c.errorRate ?? 0) > 0.05 || (c.lagSeconds ?? 0) > 300) return 'ERROR';
  if ((c.errorRate ?? 0) > 0.01 || (c.lagSeconds ?? 0) > 30) return 'WARNING';
  return c.lagSeconds === null && c.errorRate === null ? 'UNKNOWN' : 'OK';
}

/** One card of the map. */
export interface StageCard extends StageDef {
  /** Messages per second the stage handles (its output rate, else its input rate). */
  rate: number | null;
  /** Messages per second arriving on the topic it consumes. */
  rateIn: number | null;
  /** Dead letters waiting from this stage. */
  dlqCount: number | null;
  lagMessages: number | null;
  lagSeconds: number | null;
  errorRate: number | null;
  retryRate: number | null;
  status: string;
  tone: Tone;
  paused: boolean;
  maxRate: number | null;
}

type Loose = Record<string, unknown>;

/** True when `actual` is `ref` or `ref` under a topic prefix (`<prefix>.ref`). */
export function sameName(actual: string, ref: string): boolean {
  return actual === ref || actual.endsWith(`.${ref}`);
}

/** The topic prefix (with its dot) the reference groups carry, or ''. */
function prefixOf(groupNames: readonly string[], defs: readonly StageDef[]): string {
  for (const d of defs) {
    const g = d.group && groupNames.find((n) => n !== d.group && n.endsWith(`.${d.group}`));
    if (g) return g.slice(0, g.length - d.group!.length);
  }
  return '';
}
const num = (...vals: unknown[]): number | null => {
  for (const v of vals) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
};
const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The server lists consuming stages only; intake (orders entering) is the first stage's input rate, so the map
 * starts where orders do.
 */
function withIntake(stages: readonly Loose[]): readonly Loose[] {
  if (!stages.length || stages.some((x) => x.stage === 'intake')) return stages;
  const first = stages.find((x) => x.stage === 'inventory') ?? stages[0]!;
  const rate = typeof first.rateIn === 'number' ? first.rateIn : null;
  return [{ stage: 'intake', label: 'Intake', topic: first.topic, rate, status: rate === null ? null : rate > 0 ? 'OK' : 'IDLE' }, ...stages];
}

/** Inputs of {@link toStageCards}; every one may be missing. */
export interface StageInputs {
  overviewStages?: readonly Loose[];
  groups?: readonly { group: string; status: string; lagMessages: number; lagSeconds: number | null }[];
  queues?: readonly { queue: string; retryRate: number | null }[];
  throttles?: readonly { kind: string; name: string; paused: boolean; maxRate: number | null }[];
  /** The newest live snapshot's groups and stage rates (fresher than the last poll). */
  live?: { groups: readonly { group: string; status: string; lagMessages: number; lagSeconds: number | null }[]; stages: readonly { stage: string; rate: number | null }[] };
}

/**
 * The stage cards, in the server's order when it lists stages, else in {@link REFERENCE_STAGES} order followed by
 * any other consumer group the server knows (the console works on pipelines it did not write).
 */
export function toStageCards(inp: StageInputs): StageCard[] {
  const server = withIntake(inp.overviewStages ?? []);
  const defs: StageDef[] = server.length
    ? server.map((o) => {
        const ref = REFERENCE_STAGES.find((r) => r.stage === o.stage);
        return { stage: String(o.stage ?? o.group ?? '?'), label: s(o.label) ?? ref?.label ?? String(o.stage ?? o.group ?? '?'), group: s(o.group) ?? ref?.group, topic: s(o.topic) ?? ref?.topic, queue: s(o.queue) ?? ref?.queue };
      })
    : REFERENCE_STAGES.map((d) => ({ ...d }));
  if (!server.length) {
    // A topic prefix (SWITCHYARD_TOPIC_PREFIX) turns `payment-svc` into `<prefix>.payment-svc`: adopt the real names.
    const groupNames = (inp.groups ?? []).map((g) => g.group);
    const queueNames = (inp.queues ?? []).map((q) => q.queue);
    for (const d of defs) {
      d.group = d.group && (groupNames.find((g) => sameName(g, d.group!)) ?? d.group);
      d.queue = d.queue && (queueNames.find((q) => sameName(q, d.queue!)) ?? d.queue);
      d.topic = d.topic && prefixOf(groupNames, REFERENCE_STAGES) + d.topic;
    }
    for (const g of inp.groups ?? []) if (!defs.some((d) => d.group === g.group)) defs.push({ stage: g.group, label: g.group, group: g.group });
  }
  return defs.map((d) => {
    const o = server.find((x) => x.stage === d.stage) ?? {};
    const liveGroup = inp.live?.groups.find((g) => g.group === d.group);
    const group = liveGroup ?? inp.groups?.find((g) => g.group === d.group);
    const queue = inp.queues?.find((q) => q.queue === d.queue);
    const liveRate = inp.live?.stages.find((x) => x.stage === d.stage)?.rate;
    const thr = inp.throttles?.filter((t) => (t.kind === 'group' && t.name === d.group) || (t.kind === 'queue' && t.name === d.queue)) ?? [];
    const lagSeconds = num(liveGroup?.lagSeconds, o.lagSeconds, group?.lagSeconds);
    const errorRate = num(o.errorRate, o.errorsPerSec !== undefined && num(o.rate) ? (o.errorsPerSec as number) / (o.rate as number) : undefined);
    const rawStatus = s(liveGroup?.status) ?? s(o.status) ?? s(group?.status);
    const card: StageCard = {
      ...d,
      rate: num(liveRate, o.rate, o.ratePerSec, o.rateOut, o.msgsPerSec, o.throughput, o.rateIn),
      rateIn: num(o.rateIn),
      dlqCount: num(o.dlqCount),
      lagMessages: num(liveGroup?.lagMessages, o.lagMessages, o.lag, group?.lagMessages),
      lagSeconds,
      errorRate,
      retryRate: num(o.retryRate, queue?.retryRate),
      status: '',
      tone: 'unknown',
      paused: thr.some((t) => t.paused) || o.paused === true,
      maxRate: num(...thr.map((t) => t.maxRate), o.maxRate),
    };
    card.status = rawStatus && rawStatus.toUpperCase() !== 'UNKNOWN' ? rawStatus.toUpperCase() : deriveStatus(card);
    if (card.paused && card.status === 'OK') card.status = 'PAUSED';
    card.tone = toneOf(card.status);
    return card;
  });
}

/** The worst tone among the cards (for the page title and the favicon dot). */
export function worstTone(cards: readonly StageCard[]): Tone {
  const order: Tone[] = ['bad', 'warn', 'idle', 'ok', 'unknown'];
  for (const t of order) if (cards.some((c) => c.tone === t)) return t;
  return 'unknown';
}
