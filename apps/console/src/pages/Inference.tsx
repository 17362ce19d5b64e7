/** Inference: latency, error and drift per feature for each model and version. */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson } from '../api/client';
import { Loose } from '../api/schemas';
import { Badge, Panel, Stat } from '../components/ui';
import { useTimeWindow } from '../hooks';
import { fmtCount, fmtMs, fmtPct } from '../shape/format';
import { toModelViews } from '../shape/inference';
import type { Tone } from '../shape/stages';

const DRIFT_TONE: Record<string, Tone> = { stable: 'ok', none: 'ok', moderate: 'warn', significant: 'bad', unknown: 'unknown' };

export default function Inference({ route }: PageProps): ReactNode {
  const win = useTimeWindow(route.params, 30_000);
  const q = useQuery({ queryKey: ['inference', win.from, win.to], queryFn: ({ signal }) => getJson(Loose, 'inference', { from: win.from, to: win.to }, signal), refetchInterval: 30_000 });
  const models = toModelViews(q.data);
  return (
    <Panel title="Models" state={q} isEmpty={models.length === 0} empty="No prediction in this range.">
      {models.map((m) => (
        <section key={m.key} className="panel" aria-label={`Model ${m.key}`}>
          <header className="panel-head">
            <h3>
              {m.model} <span className="muted">version {m.version}</span> <span className="muted">({m.task})</span>
            </h3>
            <Badge tone={DRIFT_TONE[m.driftStatus] ?? 'unknown'}>drift: {m.driftStatus}</Badge>
          </header>
          <div className="stats">
            <Stat label="predictions" value={fmtCount(m.n)} />
            <Stat label="latency p50" value={fmtMs(m.latency.p50)} />
            <Stat label="latency p90" value={fmtMs(m.latency.p90)} />
            <Stat label="latency p99" value={fmtMs(m.latency.p99)} />
            {m.error.map((e) => (
              <Stat key={e.label} label={e.label} value={e.unit === 'ratio' ? fmtPct(e.value) : e.unit === 'min' ? (e.value === null ? '—' : `${e.value.toFixed(2)} min`) : fmtCount(e.value)} />
            ))}
          </div>
          {m.drift.length === 0 ? (
            <p className="muted">No training reference for this version: drift cannot be measured.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>feature</th>
                  <th className="num">PSI</th>
                  <th>level</th>
                </tr>
              </thead>
              <tbody>
                {m.drift.map((d) => (
                  <tr key={d.feature}>
                    <td>{d.feature}</td>
                    <td className="num">{d.psi === null ? '—' : d.psi.toFixed(3)}</td>
                    <td>
                      <Badge tone={DRIFT_TONE[d.status] ?? 'unknown'}>{d.status}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </Panel>
  );
}
