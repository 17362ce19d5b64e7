/**
 * Label sets, Alertmanager-compatible fingerprints, matchers (=, !=, =~, !~) and annotation templates.
 */
import { AlertingError } from './errors';

/** A set of labels. */
export type Labels = Record<string, string>;

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;

/**
 * The fingerprint of a label set, as Alertmanager and Prometheus compute it (`model.LabelSet.Fingerprint`): FNV-1a
 * 64 over the sorted names and values, each followed by the byte 0xff, as 16 hex digits. So a fingerprint from
 * Switchyard equals the one Alertmanager shows for the same labels.
 */
export function fingerprint(labels: Labels): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array): void => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
  };
  const enc = new TextEncoder();
  const sep = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(sep);
    add(enc.encode(labels[name] ?? ''));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

/** One matcher: `name op value`. Regexes are anchored, as in Alertmanager. */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses `name="value"` (quotes optional) into a Matcher. Throws AlertingError `BAD_MATCHER`. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new AlertingError(`"${text}" is not a matcher: write name="value" with =, !=, =~ or !~`, 'BAD_MATCHER');
  let value = m[3] ?? '';
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = JSON.parse(value) as string;
  const matcher: Matcher = { name: m[1] ?? '', op: m[2] as Matcher['op'], value };
  checkMatcher(matcher);
  return matcher;
}

/** Throws AlertingError `BAD_MATCHER` when a regex matcher does not compile. */
export function checkMatcher(m: Matcher): void {
  if (m.op === '=~' || m.op === '!~') {
    try {
      new RegExp(`^(?:${m.value})$`);
    } catch (err) {
      throw new AlertingError(`matcher ${m.name}${m.op}"${m.value}": bad regular expression (${(err as Error).message})`, 'BAD_MATCHER');
    }
  }
}

const regexCache = new Map<string, RegExp>();
function anchored(src: string): RegExp {
  let re = regexCache.get(src);
  if (!re) {
    re = new RegExp(`^(?:${src})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(src, re);
  }
  return re;
}

/** True when the labels satisfy the matcher (a missing label reads as ""). */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return anchored(m.value).test(v);
    case '!~':
      return !anchored(m.value).test(v);
  }
}

/** True when the labels satisfy every matcher. */
export function matchesAll(ms: readonly Matcher[], labels: Labels): boolean {
  return ms.every((m) => matches(m, labels));
}

/** Formats a value the way the annotations show it: integers as is, others with up to 3 decimals. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

/**
 * Expands `{{ $labels.name }}`, `{{ $value }}` and `{{ $externalURL }}` in an annotation (the subset of Prometheus'
 * template language the shipped rules use). Unknown labels expand to "".
 */
export function expandTemplate(text: string, labels: Labels, value: number | null, externalURL = ''): string {
  return text.replace(/\{\{\s*\$(labels\.([a-zA-Z_][a-zA-Z0-9_]*)|value|externalURL)\s*\}\}/g, (_all, what: string, name?: string) => {
    if (what === 'value') return formatValue(value);
    if (what === 'externalURL') return externalURL;
    return labels[name ?? ''] ?? '';
  });
}
