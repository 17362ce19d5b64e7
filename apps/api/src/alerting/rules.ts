/**
 * Alert rules: `alerts/*.yaml`, each `{ rules: [...] }`, parsed with `yaml` and validated with zod at start. Every
 * problem names the file, the rule and the field; all problems of all files are reported at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { RuleFileError, type FileProblem } from './errors';
import { parseMatcher, type Matcher } from './labels';

/** Parses a Prometheus-style duration (`90s`, `5m`, `1h30m`, `0s`, `250ms`) to milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
  return total;
}

/** A duration field: a string like `5m`, or a number of milliseconds. */
export const durationSchema = z.union([z.number().int().min(0), z.string()], { error: 'a duration: 30s, 5m, 1h30m (or milliseconds)' }).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (write 30s, 5m, 1h30m)` });
    return z.NEVER;
  }
  return ms;
});

const matcherSchema = z.string().transform((s, ctx) => {
  try {
    return parseMatcher(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name is letters, digits and _');

const inhibitSchema = z.strictObject({
  /** Further conditions on this rule's alerts for them to inhibit (default none: every firing alert of the rule). */
  source_matchers: z.array(matcherSchema).default([]),
  target_matchers: z.array(matcherSchema).min(1, 'name at least one target matcher'),
  /** Labels that must be equal on source and target (default none). */
  equal: z.array(labelName).default([]),
});

const metricSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a metric name'),
  matchers: z.array(matcherSchema).default([]),
  op: z.enum(['>', '>=', '<', '<=', '==', '!=']),
  threshold: z.number(),
});

/** The schema of one rule as written in YAML. */
export const ruleSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a rule name is letters, digits and _ (it becomes the alertname label)'),
    sql: z.string().min(1).optional(),
    /** Values for `{name:Type}` placeholders of `sql` (default none). */
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    metric: metricSchema.optional(),
    for: durationSchema.default(0),
    severity: z.enum(['critical', 'warning', 'info']),
    labels: z.record(labelName, z.string()).default({}),
    annotations: z
      .strictObject({
        summary: z.string().min(1),
        description: z.string().default(''),
        runbook_url: z.string().default(''),
        console_url: z.string().default(''),
      })
      .catchall(z.string()),
    inhibits: z.array(inhibitSchema).default([]),
  })
  .superRefine((r, ctx) => {
    if ((r.sql === undefined) === (r.metric === undefined)) ctx.addIssue({ code: 'custom', path: ['sql'], message: 'give exactly one expression: `sql:` or `metric:`' });
    if (r.sql !== undefined && !/\bvalue\b/i.test(r.sql)) ctx.addIssue({ code: 'custom', path: ['sql'], message: 'the query must return a `value` column' });
    for (const reserved of ['alertname', 'severity']) if (reserved in r.labels) ctx.addIssue({ code: 'custom', path: ['labels', reserved], message: `"${reserved}" is set from the rule itself` });
  });

/** A validated rule. */
export type Rule = z.output<typeof ruleSchema> & { /** The file it came from. */ file: string };
/** An inhibition declared by a rule: its firing alerts mute the target alerts. */
export type Inhibit = z.output<typeof inhibitSchema>;
export type { Matcher };

const fileSchema = z.strictObject({ rules: z.array(z.unknown()) });

/** Validates the parsed YAML of one rule file; returns its rules and its problems. */
export function validateRuleFile(file: string, doc: unknown): { rules: Rule[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const rules: Rule[] = [];
  const top = fileSchema.safeParse(doc);
  if (!top.success) {
    for (const i of top.error.issues) problems.push({ file, rule: '(file)', field: i.path.join('.') || 'rules', message: i.message });
    return { rules, problems };
  }
  top.data.rules.forEach((raw, idx) => {
    const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : `rules[${idx}]`;
    const r = ruleSchema.safeParse(raw);
    if (r.success) rules.push({ ...r.data, file });
    else for (const i of r.error.issues) problems.push({ file, rule: name, field: i.path.join('.') || '(rule)', message: i.message });
  });
  return { rules, problems };
}

/** The rule files of a folder: `*.yaml` / `*.yml`, except `receivers.yaml` and Prometheus' own rule file. */
export function ruleFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/^receivers\.ya?ml$/.test(f) && !/^prometheus-rules\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads and validates every rule file of `dir` (default `alerts`, `SWITCHYARD_ALERT_RULES`). Throws
 * {@link RuleFileError} listing every problem (file, rule, field), including duplicate rule names across files.
 */
export function loadRules(dir: string): Rule[] {
  const problems: FileProblem[] = [];
  const rules: Rule[] = [];
  for (const path of ruleFiles(dir)) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path, 'utf8'));
    } catch (err) {
      const where = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : '(file)';
      problems.push({ file: path, rule: '(file)', field: where, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    const out = validateRuleFile(path, doc);
    problems.push(...out.problems);
    rules.push(...out.rules);
  }
  const seen = new Map<string, string>();
  for (const r of rules) {
    const first = seen.get(r.name);
    if (first) problems.push({ file: r.file, rule: r.name, field: 'name', message: `duplicate rule name (also in ${first})` });
    else seen.set(r.name, r.file);
  }
  if (problems.length > 0) throw new RuleFileError(problems);
  return rules;
}
