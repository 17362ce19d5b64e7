/**
 * Families written straight in the Prometheus text format (0.0.4), for the ones with thousands of series (lag per
 * partition, group status). prom-client builds a label-keyed child per series on every `set()` and an object per
 * value on every scrape, then formats each; at 10,000 series that was most of the render time. A text family keeps
 * prom-client's metric shape (`get()` for JSON and for the registry's names) and adds `render()`, which
 * {@link TextRegistry} uses instead; the rendered text is memoised per object `read()` returns, so a scrape inside
 * the source's cache period does not format again.
 */
import { Registry } from 'prom-client';

/** Receives one series: its label values in the family's `labelNames` order (undefined leaves one out), and value. */
export type EmitSeries = (labels: readonly (string | undefined)[], value: number) => void;

/** A family rendered by {@link TextRegistry} without prom-client's per-series objects. */
export interface TextFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** prom-client's metric shape (getMetricsAsJSON, the alert evaluator, tests listing the names). */
  get(): Promise<{ name: string; help: string; type: 'gauge' | 'counter'; aggregator: 'sum'; values: { labels: Record<string, string>; value: number }[] }>;
  /** The family in the text format: HELP, TYPE and one line per series, no trailing newline. */
  render(): Promise<string>;
  reset(): void;
}

/** Options of {@link textFamily}. */
export interface TextFamilyOptions<T extends object> {
  name: string;
  help: string;
  /** Default 'gauge'. */
  type?: 'gauge' | 'counter';
  labelNames: readonly string[];
  /**
   * This scrape's data. Return the same object while the data is unchanged (e.g. straight from a cache) and its
   * text is reused instead of formatted again; never mutate an object once returned.
   */
  read: () => Promise<T>;
  /** Emits every series of `data`, synchronously (no per-series objects need to outlive the call). */
  series: (data: T, emit: EmitSeries) => void;
}

const NEEDS_ESCAPE = /[\\\n"]/;

/** A label value escaped for the text format (backslash, newline, double quote). */
export function escapeLabelValue(v: string): string {
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

/** A sample value as the text format writes it (as prom-client does: `Nan`, `+Inf`, `-Inf`). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return String(v);
}

const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Creates a text family (register it with `registry.registerMetric(family as never)`). */
export function textFamily<T extends object>(opts: TextFamilyOptions<T>): TextFamily {
  const type = opts.type ?? 'gauge';
  const head = `# HELP ${opts.name} ${escapeHelp(opts.help)}\n# TYPE ${opts.name} ${type}`;
  const prefixes = opts.labelNames.map((l) => `${l}="`);
  let memo: { data: T; text: string } | undefined;
  const render = (data: T): string => {
    if (memo?.data === data) return memo.text;
    const lines = [head];
    opts.series(data, (labels, value) => {
      let text = '';
      for (let i = 0; i < prefixes.length; i++) {
        const v = labels[i];
        if (v !== undefined) text += `${text ? ',' : ''}${prefixes[i]}${escapeLabelValue(v)}"`;
      }
      lines.push(`${opts.name}${text ? `{${text}}` : ''} ${formatValue(value)}`);
    });
    memo = { data, text: lines.join('\n') };
    return memo.text;
  };
  return {
    name: opts.name,
    help: opts.help,
    type,
    reset: () => undefined,
    render: async () => render(await opts.read()),
    get: async () => {
      const values: { labels: Record<string, string>; value: number }[] = [];
      opts.series(await opts.read(), (labelValues, value) => {
        const labels: Record<string, string> = {};
        opts.labelNames.forEach((l, i) => {
          const v = labelValues[i];
          if (v !== undefined) labels[l] = v;
        });
        values.push({ labels, value });
      });
      return { name: opts.name, help: opts.help, type, aggregator: 'sum', values };
    },
  };
}

const asTextFamily = (m: object): TextFamily | undefined => (typeof (m as Partial<TextFamily>).render === 'function' ? (m as TextFamily) : undefined);

/**
 * A prom-client Registry that renders {@link TextFamily} metrics itself and every other metric through prom-client.
 * Text families carry no default labels: do not call `setDefaultLabels` on it. The OpenMetrics content type falls
 * back to prom-client for everything.
 */
export class TextRegistry extends Registry {
  override async metrics(): Promise<string> {
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return super.metrics();
    const parts = await Promise.all(this.getMetricsAsArray().map((m) => asTextFamily(m)?.render() ?? this.getSingleMetricAsString((m as unknown as { name: string }).name)));
    return `${parts.join('\n\n')}\n`;
  }
}
