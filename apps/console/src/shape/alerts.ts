/**
 * Alerts page shaping: firing (and pending) first, by severity then age; acknowledged and silenced marked. Reads
 * the API's alert view (`rule`, `state`, `activeAt`, `since`, `ack`, `silencedBy`) and Alertmanager-like names.
 */

/** An alert as shown. */
export interface AlertView {
  fingerprint: string;
  name: string;
  severity: string;
  state: 'firing' | 'pending' | 'resolved';
  summary: string;
  startsAtMs: number;
  endsAtMs: number | null;
  labels: Record<string, string>;
  acknowledgedBy: string | null;
  silenced: boolean;
}

const SEVERITY = ['critical', 'page', 'error', 'warning', 'info'];
const rank = (s: string): number => {
  const i = SEVERITY.indexOf(s.toLowerCase());
  return i < 0 ? SEVERITY.length : i;
};

/** Normalises and sorts alerts; `name` falls back to the `alertname` label. */
export function toAlertViews(items: readonly Record<string, unknown>[]): { firing: AlertView[]; resolved: AlertView[] } {
  const views = items.map((a): AlertView => {
    const labels = (a.labels && typeof a.labels === 'object' ? a.labels : {}) as Record<string, string>;
    const ann = (a.annotations && typeof a.annotations === 'object' ? a.annotations : {}) as Record<string, string>;
    const raw = String(a.state || a.status || 'firing').toLowerCase();
    const state = raw === 'resolved' ? 'resolved' : raw === 'pending' ? 'pending' : 'firing';
    const endText = a.endsAt || (state === 'resolved' ? a.since || a.at : '');
    const ends = typeof endText === 'string' && endText && !endText.startsWith('0001') ? Date.parse(endText) : NaN;
    const ack = a.ack && typeof a.ack === 'object' ? (a.ack as Record<string, unknown>) : null;
    const ackBy = (ack && typeof ack.by === 'string' && ack.by) || (typeof a.acknowledgedBy === 'string' && a.acknowledgedBy) || null;
    return {
      fingerprint: String(a.fingerprint ?? ''),
      name: String(a.rule || a.name || a.alertname || labels.alertname || '?'),
      severity: String(a.severity || labels.severity || 'info'),
      state,
      summary: String(a.summary || ann.summary || ann.description || ''),
      startsAtMs: Date.parse(String(a.activeAt || a.startsAt || a.since || '')),
      endsAtMs: Number.isFinite(ends) ? ends : null,
      labels,
      acknowledgedBy: ackBy,
      silenced: a.silenced === true || (Array.isArray(a.silencedBy) && a.silencedBy.length > 0),
    };
  });
  const firing = views.filter((v) => v.state !== 'resolved').sort((a, b) => rank(a.severity) - rank(b.severity) || a.startsAtMs - b.startsAtMs);
  const resolved = views.filter((v) => v.state === 'resolved').sort((a, b) => (b.endsAtMs ?? 0) - (a.endsAtMs ?? 0));
  return { firing, resolved };
}
