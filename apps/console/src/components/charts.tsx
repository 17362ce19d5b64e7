/**
 * Time-series charts (recharts). Only pages that draw charts import this module, so recharts stays out of the
 * first load. Every chart carries a text summary (aria-label and data attributes with the latest values), so a
 * screen reader and a browser test both read what the lines show.
 */
import type { ReactNode } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtClock, fmtCount } from '../shape/format';
import { latestByKey, type Series } from '../shape/lag';

/** Series colours; distinguishable in light and dark themes. */
export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

/** Options of {@link TimeChart}. */
export interface TimeChartProps {
  series: Series;
  /** Accessible name, e.g. "Lag of payment-svc per partition". */
  label: string;
  /** Default 220 px. */
  height?: number;
  /** Formats values on the axis and in the tooltip (default {@link fmtCount}). */
  format?: (v: number) => string;
  /** Stacked areas instead of lines (default false). */
  stacked?: boolean;
  /** Fixed x domain [fromMs, toMs] (default: the data's extent). */
  domain?: [number, number];
  testId?: string;
}

/** A line (or stacked area) chart over time. */
export function TimeChart(p: TimeChartProps): ReactNode {
  const fmt = p.format ?? fmtCount;
  const last = latestByKey(p.series);
  const summary = p.series.keys.map((k) => `${k} ${last[k] === null || last[k] === undefined ? 'no data' : fmt(last[k])}`).join(', ');
  const common = { data: p.series.rows, margin: { top: 8, right: 12, bottom: 0, left: 0 } };
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
      <XAxis dataKey="t" type="number" scale="time" domain={p.domain ?? ['dataMin', 'dataMax']} tickFormatter={fmtClock} stroke="var(--muted)" fontSize={11} />
      <YAxis tickFormatter={(v: number) => fmt(v)} stroke="var(--muted)" fontSize={11} width={56} />
      <Tooltip labelFormatter={(v) => fmtClock(Number(v))} formatter={(v) => fmt(Number(v))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
      {p.series.keys.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
    </>
  );
  return (
    <figure className="chart" role="img" aria-label={`${p.label}: ${summary || 'no data'}`} data-testid={p.testId} data-points={p.series.rows.length} data-last={JSON.stringify(last)}>
      <ResponsiveContainer width="100%" height={p.height ?? 220}>
        {p.stacked ? (
          <AreaChart {...common}>
            {axes}
            {p.series.keys.map((k, i) => (
              <Area key={k} dataKey={k} stackId="1" type="monotone" isAnimationActive={false} stroke={PALETTE[i % PALETTE.length]} fill={PALETTE[i % PALETTE.length]} fillOpacity={0.35} />
            ))}
          </AreaChart>
        ) : (
          <LineChart {...common}>
            {axes}
            {p.series.keys.map((k, i) => (
              <Line key={k} dataKey={k} type="monotone" dot={false} isAnimationActive={false} connectNulls stroke={PALETTE[i % PALETTE.length]} strokeWidth={2} />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}

/** A horizontal bar chart of named values (cost by service, by event type). */
export function BarList(p: { rows: { name: string; value: number }[]; label: string; format?: (v: number) => string; height?: number }): ReactNode {
  const fmt = p.format ?? fmtCount;
  return (
    <figure className="chart" role="img" aria-label={`${p.label}: ${p.rows.map((r) => `${r.name} ${fmt(r.value)}`).join(', ')}`}>
      <ResponsiveContainer width="100%" height={p.height ?? Math.max(120, p.rows.length * 26 + 30)}>
        <BarChart data={p.rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => fmt(v)} stroke="var(--muted)" fontSize={11} />
          <YAxis type="category" dataKey="name" width={130} stroke="var(--muted)" fontSize={11} />
          <Tooltip formatter={(v) => fmt(Number(v))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
          <Bar dataKey="value" fill={PALETTE[0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
