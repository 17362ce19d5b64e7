/**
 * Order: every hop of one order across Kafka and BullMQ on one timeline (a waterfall), with the wait before each
 * hop, retries, dead letters, and hops stitched by causation id marked. Search by order id or trace id.
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson } from '../api/client';
import { Trace } from '../api/schemas';
import { Badge, Field, Panel, Stat } from '../components/ui';
import { fmtMs } from '../shape/format';
import { toWaterfall } from '../shape/trace';
import { buildHash } from '../shape/url';

export default function Order({ route, setParams }: PageProps): ReactNode {
  const orderId = route.params.orderId ?? '';
  const traceId = route.params.traceId ?? '';
  const [draft, setDraft] = useState(orderId || traceId);
  const path = orderId ? `orders/${encodeURIComponent(orderId)}/trace` : traceId ? `traces/${encodeURIComponent(traceId)}` : null;
  const trace = useQuery({
    queryKey: ['trace', path],
    queryFn: ({ signal }) => getJson(Trace, path!, undefined, signal),
    enabled: path !== null,
    // A young order is still moving: refresh until it is delivered.
    refetchInterval: 5000,
  });
  const w = toWaterfall(trace.data?.spans ?? []);
  const scale = (ms: number): string => `${w.totalMs > 0 ? (ms / w.totalMs) * 100 : 0}%`;
  return (
    <>
      <Panel title="Find an order">
        <form
          className="form-row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const v = draft.trim();
            // W3C trace ids are 32 hex characters; anything else is an order id.
            if (/^[0-9a-f]{32}$/i.test(v)) setParams({ traceId: v, orderId: undefined });
            else setParams({ orderId: v, traceId: undefined });
          }}
        >
          <Field label="Order id or trace id">{(id) => <input id={id} value={draft} onChange={(e) => setDraft(e.target.value)} size={44} />}</Field>
          <button type="submit" className="primary" disabled={!draft.trim()}>
            Show
          </button>
        </form>
      </Panel>
      {path && (
        <Panel title={`Timeline of ${orderId ? `order ${orderId}` : `trace ${traceId}`}`} state={trace} isEmpty={w.rows.length === 0} empty="No span recorded for this order yet. Spans arrive a few seconds after each hop.">
          <div className="stats">
            <Stat label="end to end" value={fmtMs(w.totalMs)} />
            <Stat label="hops" value={w.hops} testId="order-hops" />
            <Stat label="services" value={w.services.length} />
            <Stat label="retries" value={w.retries} tone={w.retries ? 'warn' : undefined} />
            <Stat label="dead letters" value={w.deadLetters} tone={w.deadLetters ? 'bad' : undefined} />
            <Stat label="stitched hops" value={w.stitched} tone={w.stitched ? 'warn' : undefined} />
            {trace.data?.traceId && <Stat label="trace" value={<code>{trace.data.traceId}</code>} />}
          </div>
          {w.deadLetters > 0 && orderId && <a href={buildHash({ page: 'dlq', params: { q: orderId } })}>See this order's dead letters</a>}
          <table className="waterfall" data-testid="waterfall">
            <thead>
              <tr>
                <th>hop</th>
                <th>service</th>
                <th className="num">waited</th>
                <th className="num">took</th>
                <th>timeline (0 to {fmtMs(w.totalMs)})</th>
              </tr>
            </thead>
            <tbody>
              {w.rows.map((r) => (
                <tr key={r.spanId} data-span={r.name} data-service={r.service}>
                  <td style={{ paddingLeft: 8 + r.depth * 14 }}>
                    {r.name} {r.stitched && <Badge tone="warn" title="Context was lost on this hop; linked by causation id">stitched</Badge>} {r.retry && <Badge tone="warn">retry</Badge>} {r.deadLetter && <Badge tone="bad">dead letter</Badge>} {r.error && <Badge tone="bad">error</Badge>}
                  </td>
                  <td>{r.service}</td>
                  <td className="num">{r.waitMs ? fmtMs(r.waitMs) : '—'}</td>
                  <td className="num">{fmtMs(r.durationMs)}</td>
                  <td className="bar-cell" aria-label={`starts at ${fmtMs(r.offsetMs)}, waited ${fmtMs(r.waitMs)}, took ${fmtMs(r.durationMs)}`}>
                    {r.waitMs > 0 && <span className="wait" style={{ left: scale(r.offsetMs - r.waitMs), width: scale(r.waitMs) }} />}
                    <span className={`bar${r.stitched ? ' stitched' : ''}${r.error ? ' error' : ''}${r.deadLetter ? ' dead' : ''}`} style={{ left: scale(r.offsetMs), width: scale(r.durationMs) }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      )}
    </>
  );
}
