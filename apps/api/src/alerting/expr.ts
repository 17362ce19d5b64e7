/**
 * Evaluates a rule's expression to samples (labels and a value). `sql:` runs over ClickHouse: every returned row is
 * an alerting sample (label columns plus `value`). `metric:` reads a Switchyard metric from the same registry that
 * serves /metrics (so it is computed by the same store queries) and keeps the series that cross the threshold.
 * A failure (a table another collector has not created yet, a bad query) is returned, never thrown.
 */
import type { Registry } from 'prom-client';
import type { Store } from '@switchyard/store/types';
import { AlertingError } from './errors';
import { matchesAll, type Labels } from './labels';
import type { Rule } from './rules';

/** One series of an expression's result. */
export interface Sample {
  labels: Labels;
  value: number | null;
}

/** Reads the current series of a metric by name (for `metric:` rules). */
export interface MetricReader {
  read(name: string): Promise<Sample[]>;
}

/** The result of evaluating one rule. */
export type ExprResult = { ok: true; samples: Sample[] } | { ok: false; error: AlertingError };

const HIST_SUFFIX = /_(bucket|sum|count)$/;

/** A MetricReader over the API's prom-client registry: `name` may be a family or a histogram's `_bucket/_sum/_count`. */
export function metricsFromRegistry(registry: Registry): MetricReader {
  return {
    async read(name) {
      const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(HIST_SUFFIX, ''));
      if (!metric) throw new AlertingError(`metric ${name} is not registered in /metrics`, 'UNKNOWN_METRIC');
      const data = await metric.get();
      return data.values
        .filter((v) => ((v as { metricName?: string }).metricName ?? data.name) === name)
        .map((v) => ({ labels: Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)])), value: v.value }));
    },
  };
}

const compare: Record<string, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}

function rowToSample(row: Record<string, unknown>): Sample {
  const labels: Labels = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'value') continue;
    labels[k] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return { labels, value: toNumber(row.value) };
}

/** What an expression needs: the store for `sql:`, a metric reader for `metric:` (absent: those rules error). */
export interface ExprDeps {
  store: Store;
  metrics?: MetricReader;
}

/**
 * Evaluates one rule at `now` (epoch ms). A `{now:DateTime64(3, 'UTC')}` placeholder in the SQL is bound to the
 * evaluation time, so rules read the evaluator's clock rather than ClickHouse's.
 */
export async function evaluateExpr(rule: Rule, deps: ExprDeps, now: number): Promise<ExprResult> {
  try {
    if (rule.sql !== undefined) {
      const params: Record<string, unknown> = { ...rule.params };
      if (rule.sql.includes('{now:')) params.now = new Date(now);
      const rows = await deps.store.query<Record<string, unknown>>(rule.sql, params);
      return { ok: true, samples: rows.map(rowToSample) };
    }
    const m = rule.metric;
    if (!m) throw new AlertingError(`rule ${rule.name} has no expression`, 'NO_EXPRESSION');
    if (!deps.metrics) throw new AlertingError('no metrics registry was given to the evaluator', 'NO_METRICS');
    const series = await deps.metrics.read(m.name);
    const test = compare[m.op] ?? (() => false);
    return { ok: true, samples: series.filter((s) => s.value !== null && matchesAll(m.matchers, s.labels) && test(s.value, m.threshold)) };
  } catch (err) {
    if (err instanceof AlertingError) return { ok: false, error: err };
    const e = err as { code?: unknown; retriable?: unknown; message?: string };
    const code = typeof e.code === 'string' ? e.code : 'EVALUATION_FAILED';
    return { ok: false, error: new AlertingError(`rule ${rule.name} (${rule.file}): ${e.message ?? String(err)}`, code, e.retriable === true, { cause: err }) };
  }
}
