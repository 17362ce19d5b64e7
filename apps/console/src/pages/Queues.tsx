/**
 * Queues (BullMQ): depth by state over time, wait and processing time, retries; pause, resume and rate-limit a
 * queue (through the throttle control channel). The selected queue is in the URL (`?queue=`).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson, send } from '../api/client';
import { QueueList, ThrottleList } from '../api/schemas';
import { TimeChart } from '../components/charts';
import { ThrottleForm } from '../components/ThrottleForm';
import { ActionError, Badge, Field, Panel, Stat } from '../components/ui';
import { useNow, useTimeWindow } from '../hooks';
import { useLive } from '../live/store';
import { fmtCount, fmtMs, fmtPct, fmtRate } from '../shape/format';
import { backlog, QUEUE_STATES, toDepthSeries } from '../shape/queues';
import { buildHash } from '../shape/url';

function PauseResume({ queue, paused, canAct }: { queue: string; paused: boolean; canAct: boolean }): ReactNode {
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const act = useMutation({
    mutationFn: (pause: boolean) => send('PUT', `throttles/queue/${encodeURIComponent(queue)}`, { paused: pause, reason: reason.trim() }),
    onSuccess: () => {
      setReason('');
      void qc.invalidateQueries({ queryKey: ['throttles'] });
    },
  });
  return (
    <form className="form-row" onSubmit={(e) => e.preventDefault()}>
      <Field label="Reason">{(id) => <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why (audited)" size={28} />}</Field>
      <button type="button" className={paused ? 'primary' : 'danger'} disabled={!canAct || act.isPending || reason.trim().length < 3} onClick={() => act.mutate(!paused)}>
        {paused ? `Resume ${queue}` : `Pause ${queue}`}
      </button>
      <ActionError error={act.error} />
    </form>
  );
}

export default function Queues({ route, role }: PageProps): ReactNode {
  const canAct = role === 'operator' || role === 'admin';
  const now = useNow(2000);
  const win = useTimeWindow(route.params);
  const live = useLive();
  const list = useQuery({ queryKey: ['queues'], queryFn: ({ signal }) => getJson(QueueList, 'queues', { limit: 500 }, signal), refetchInterval: 5000 });
  const throttles = useQuery({ queryKey: ['throttles'], queryFn: ({ signal }) => getJson(ThrottleList, 'throttles', undefined, signal), refetchInterval: 10_000 });
  const selected = route.params.queue ?? list.data?.items[0]?.queue;
  const q = list.data?.items.find((x) => x.queue === selected);
  const thr = throttles.data?.items.find((t) => t.kind === 'queue' && t.name === selected);
  const depth = selected ? toDepthSeries(live.snapshots, selected, now, now - win.fromMs) : { rows: [], keys: [] };
  return (
    <>
      <Panel title="Queues" state={list} isEmpty={list.data?.items.length === 0} empty="No BullMQ queue has been seen yet.">
        <table>
          <thead>
            <tr>
              <th>queue</th>
              {QUEUE_STATES.map((s) => (
                <th key={s} className="num">
                  {s}
                </th>
              ))}
              <th className="num">wait p50 / p95</th>
              <th className="num">processing p50 / p95</th>
              <th className="num">retried</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((x) => (
              <tr key={x.queue} className={x.queue === selected ? 'selected' : undefined} data-queue={x.queue}>
                <td>
                  <a href={buildHash({ page: 'queues', params: { ...route.params, queue: x.queue } })}>{x.queue}</a>
                </td>
                {QUEUE_STATES.map((s) => (
                  <td key={s} className="num">
                    {fmtCount((x.counts as Record<string, number>)[s] ?? 0)}
                  </td>
                ))}
                <td className="num">
                  {fmtMs(x.waitMs.p50)} / {fmtMs(x.waitMs.p95)}
                </td>
                <td className="num">
                  {fmtMs(x.processingMs.p50)} / {fmtMs(x.processingMs.p95)}
                </td>
                <td className="num">{fmtPct(x.retryRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      {selected && (
        <>
          <Panel title={`Depth of ${selected} by state`} isEmpty={depth.rows.length === 0} empty="The live feed fills this chart while the page is open (one sample every few seconds).">
            {q && (
              <div className="stats">
                <Stat label="backlog" value={fmtCount(backlog(q.counts as Record<string, number>))} />
                <Stat label="failed (dead letters)" value={fmtCount(q.counts.failed)} tone={q.counts.failed > 0 ? 'warn' : undefined} />
                <Stat label="wait p95" value={fmtMs(q.waitMs.p95)} />
                <Stat label="processing p95" value={fmtMs(q.processingMs.p95)} />
                <Stat label="retried" value={fmtPct(q.retryRate)} />
              </div>
            )}
            <TimeChart series={depth} stacked label={`Depth of queue ${selected} by state`} testId="queue-depth-chart" />
          </Panel>
          <Panel title={`Control ${selected}`} actions={thr ? <Badge tone="warn">{thr.paused ? 'paused' : `≤ ${fmtRate(thr.maxRate)}`}</Badge> : <Badge tone="ok">running freely</Badge>}>
            <PauseResume queue={selected} paused={!!thr?.paused} canAct={canAct} />
            <h3>Rate limit</h3>
            <ThrottleForm key={selected} kind="queue" name={selected} canAct={canAct} />
          </Panel>
        </>
      )}
    </>
  );
}
