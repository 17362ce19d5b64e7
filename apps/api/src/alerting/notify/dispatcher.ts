/**
 * Grouping and timing of notifications, as Alertmanager does it, driven by the evaluator's ticks (no timers of its
 * own, so tests move a manual clock). Each firing alert goes to the groups of the routes it matches (group key: the
 * route and the values of its `group_by` labels); alerts are deduplicated by fingerprint within a group. A group is
 * first flushed `group_wait` after it appeared, then checked every `group_interval`: it is notified when an alert is
 * new or changed state since the last notification, or when `repeat_interval` has passed with alerts still firing.
 * Silenced and inhibited alerts are left out (once unmuted they count as new, so they are notified again); an acked
 * firing alert is left out until it changes state. A resolved alert is notified once, if it was notified firing.
 */
import { createHash } from 'node:crypto';
import type { Labels } from '../labels';
import { routesFor, type NotifyConfig, type Route } from './config';
import type { NotifyAlert } from './payload';

/** One notification, ready to be queued for delivery. */
export interface Notification {
  /** Unique id (also the delivery job id): group hash and sequence. */
  id: string;
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  externalURL: string;
  alerts: NotifyAlert[];
  /** When it was made (epoch ms). */
  createdAt: number;
}

/** Why an alert is not notified now. */
export interface Mutes {
  silenced: ReadonlySet<string>;
  inhibited: ReadonlySet<string>;
  acked: ReadonlySet<string>;
}

interface Group {
  key: string;
  hash: string;
  route: Route;
  labels: Labels;
  alerts: Map<string, NotifyAlert>;
  /** Status of each fingerprint at the last notification. */
  sent: Map<string, 'firing' | 'resolved'>;
  nextFlushAt: number;
  lastSentAt: number;
  seq: number;
}

function groupLabelsOf(route: Route, labels: Labels): Labels {
  if (route.groupBy.includes('...')) return { ...labels };
  const out: Labels = {};
  for (const n of route.groupBy) if (labels[n] !== undefined) out[n] = labels[n];
  return out;
}

function groupKeyOf(route: Route, groupLabels: Labels): string {
  const m = route.matchers.map((x) => `${x.name}${x.op}${JSON.stringify(x.value)}`).join(',');
  const g = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(', ');
  return `{}/{${m}}/${route.index}:{${g}}`;
}

/** The in-memory grouping state of one evaluator. */
export class Dispatcher {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly config: NotifyConfig,
    private readonly instance: string,
  ) {}

  /**
   * Takes this tick's alerts (firing ones, and those that resolved this tick) and returns the notifications due now.
   * `now` is epoch ms.
   */
  tick(alerts: readonly NotifyAlert[], mutes: Mutes, now: number): Notification[] {
    for (const a of alerts) {
      const muted = mutes.silenced.has(a.fingerprint) || mutes.inhibited.has(a.fingerprint);
      for (const route of routesFor(this.config, a.labels)) {
        const labels = groupLabelsOf(route, a.labels);
        const key = groupKeyOf(route, labels);
        let g = this.groups.get(key);
        if (muted || (a.status === 'resolved' && g?.sent.get(a.fingerprint) !== 'firing')) {
          // Not notified now; forgetting it makes an unmuted alert count as new again.
          g?.alerts.delete(a.fingerprint);
          if (muted) g?.sent.delete(a.fingerprint);
          continue;
        }
        if (!g) {
          const hash = createHash('sha256').update(`${this.instance}\u0000${key}`).digest('hex').slice(0, 16);
          g = { key, hash, route, labels, alerts: new Map(), sent: new Map(), nextFlushAt: now + route.groupWaitMs, lastSentAt: 0, seq: 0 };
          this.groups.set(key, g);
        }
        g.alerts.set(a.fingerprint, a);
      }
    }
    const out: Notification[] = [];
    for (const g of this.groups.values()) {
      if (now < g.nextFlushAt) continue;
      const n = this.flush(g, mutes, now);
      if (n) out.push(n);
      if (g.alerts.size === 0) this.groups.delete(g.key);
    }
    return out;
  }

  private flush(g: Group, mutes: Mutes, now: number): Notification | undefined {
    g.nextFlushAt = now + g.route.groupIntervalMs;
    const changed = [...g.alerts.values()].filter((a) => g.sent.get(a.fingerprint) !== a.status);
    const unackedFiring = [...g.alerts.values()].filter((a) => a.status === 'firing' && !mutes.acked.has(a.fingerprint));
    const repeat = g.lastSentAt > 0 && now - g.lastSentAt >= g.route.repeatIntervalMs && unackedFiring.length > 0;
    if (changed.length === 0 && !repeat) return undefined;
    // Acked firing alerts ride along only when they themselves changed.
    const alerts = [...g.alerts.values()].filter((a) => a.status !== 'firing' || !mutes.acked.has(a.fingerprint) || g.sent.get(a.fingerprint) !== 'firing');
    if (alerts.length === 0) return undefined;
    g.seq++;
    g.lastSentAt = now;
    for (const a of alerts) g.sent.set(a.fingerprint, a.status);
    for (const a of [...g.alerts.values()]) {
      if (a.status === 'resolved') {
        g.alerts.delete(a.fingerprint);
        g.sent.delete(a.fingerprint);
      }
    }
    return { id: `${g.hash}-${now}-${g.seq}`, receiver: g.route.receiver, groupKey: g.key, groupLabels: g.labels, externalURL: this.config.externalURL, alerts, createdAt: now };
  }

  /** Number of live groups (for tests and the status endpoint). */
  get size(): number {
    return this.groups.size;
  }
}
