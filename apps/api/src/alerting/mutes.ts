/**
 * Why an alert is muted: silences (matchers, active now) and inhibition (a rule's firing alerts mute target
 * alerts that share the `equal` labels, e.g. a STOPPED group mutes its own lag alerts). Shared by the evaluator
 * (what not to notify) and the API (what to show as muted).
 */
import { matchesAll, type Labels } from './labels';
import type { Silence } from './persist';
import type { Rule } from './rules';

/** An alert as far as muting is concerned. */
export interface MutableAlert {
  fingerprint: string;
  rule: string;
  labels: Labels;
  state: string;
}

/** Ids of the silences (active at `now`) that match the labels. */
export function silencedBy(silences: readonly Silence[], labels: Labels, now: number): string[] {
  return silences.filter((s) => s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels)).map((s) => s.id);
}

/**
 * For each inhibited alert, the fingerprint of one firing alert that inhibits it. Sources are firing alerts of a
 * rule with `inhibits`, matching its source_matchers; an alert never inhibits itself.
 */
export function inhibitions(alerts: readonly MutableAlert[], rules: readonly Rule[]): Map<string, string> {
  const out = new Map<string, string>();
  const byName = new Map(rules.map((r) => [r.name, r]));
  for (const src of alerts) {
    if (src.state !== 'firing') continue;
    const rule = byName.get(src.rule);
    if (!rule || rule.inhibits.length === 0) continue;
    for (const inh of rule.inhibits) {
      if (!matchesAll(inh.source_matchers, src.labels)) continue;
      for (const t of alerts) {
        if (t.fingerprint === src.fingerprint || out.has(t.fingerprint)) continue;
        if (!matchesAll(inh.target_matchers, t.labels)) continue;
        if (inh.equal.every((l) => (src.labels[l] ?? '') === (t.labels[l] ?? ''))) out.set(t.fingerprint, src.fingerprint);
      }
    }
  }
  return out;
}
