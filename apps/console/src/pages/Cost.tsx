/** Cost: cost per order over time, by service and by event type, fan-out, and the share spent on retries and replays. */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson } from '../api/client';
import { Loose } from '../api/schemas';
import { BarList, TimeChart } from '../components/charts';
import { Panel, Stat } from '../components/ui';
import { useNow, useTimeWindow } from '../hooks';
import { fmtCost, fmtCount, fmtPct } from '../shape/format';
import { currencySymbol, toCostView } from '../shape/cost';

export default function Cost({ route }: PageProps): ReactNode {
  const win = useTimeWindow(route.params, 30_000);
  const now = useNow(30_000);
  // Buckets of about 1/60 of the range, at least a minute.
  const bucket = Math.max(60, Math.round((win.toMs - win.fromMs) / 60_000));
  const q = useQuery({ queryKey: ['cost', win.from, win.to, bucket], queryFn: ({ signal }) => getJson(Loose, 'cost', { from: win.from, to: win.to, bucket }, signal), refetchInterval: 30_000 });
  const v = toCostView(q.data, now);
  const cur = currencySymbol(v.currency);
  const money = (n: number): string => fmtCost(n, cur);
  return (
    <>
      <Panel title="Summary" state={q}>
        <div className="stats">
          <Stat label="cost per order" value={fmtCost(v.costPerOrder, cur)} />
          <Stat label="orders" value={fmtCount(v.ordersCreated)} />
          <Stat label="total" value={fmtCost(v.total, cur)} />
          <Stat label="fan-out (messages per order)" value={fmtCount(v.fanOut)} />
          <Stat label="spent on retries" value={fmtPct(v.retryShare)} tone={(v.retryShare ?? 0) > 0.2 ? 'warn' : undefined} />
          <Stat label="spent on replays" value={fmtPct(v.replayShare)} />
        </div>
      </Panel>
      <Panel title="Cost per order over time" state={q.isPending ? q : undefined} isEmpty={v.overTime.length === 0} empty="No order in this range.">
        <TimeChart series={{ rows: v.overTime, keys: ['perOrder', 'retries', 'replays'] }} label="Cost per order, and its retry and replay parts" format={money} domain={[win.fromMs, win.toMs]} />
      </Panel>
      <div className="grid">
        <Panel title="By service" state={q.isPending ? q : undefined} isEmpty={v.byService.length === 0}>
          <BarList rows={v.byService.map((s) => ({ name: s.name, value: s.cost }))} label="Cost by service" format={money} />
        </Panel>
        <Panel title="By event type" state={q.isPending ? q : undefined} isEmpty={v.byEventType.length === 0}>
          <BarList rows={v.byEventType.map((s) => ({ name: s.name, value: s.cost }))} label="Cost by event type" format={money} />
        </Panel>
      </div>
    </>
  );
}
