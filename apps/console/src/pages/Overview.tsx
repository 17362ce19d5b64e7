/**
 * Overview: the pipeline as a map from intake to delivery, each stage with its rate, lag, error and retry rate
 * and a status colour; order-to-delivery latency over time; firing alerts. Answers "where are orders stuck".
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { PageProps } from '../App';
import { ApiError, getJson } from '../api/client';
import { AlertList, GroupList, Overview as OverviewSchema, QueueList, ThrottleList } from '../api/schemas';
import { TimeChart } from '../components/charts';
import { Badge, Panel } from '../components/ui';
import { useNow, useTimeWindow } from '../hooks';
import { useLive } from '../live/store';
import { toAlertViews } from '../shape/alerts';
import { fmtAgo, fmtCount, fmtMs, fmtPct, fmtRate } from '../shape/format';
import { toFieldSeries } from '../shape/lag';
import { toStageCards, worstTone, type StageCard } from '../shape/stages';
import { buildHash } from '../shape/url';

const REFRESH_MS = 5000;

function StageTile(props: { card: StageCard; last: boolean; keep: Record<string, string> }): ReactNode {
  const c = props.card;
  const href = c.group ? buildHash({ page: 'groups', params: { ...props.keep, group: c.group } }) : c.queue ? buildHash({ page: 'queues', params: { ...props.keep, queue: c.queue } }) : undefined;
  return (
    <article className={`stage tone-${c.tone}`} aria-label={`${c.label} stage`} data-stage={c.stage} data-rate={c.rate ?? ''} data-lag={c.lagMessages ?? ''} data-status={c.status}>
      <h3>
        {href ? <a href={href}>{c.label}</a> : c.label}
        <Badge tone={c.tone}>{c.status}</Badge>
      </h3>
      <dl>
        <dt>rate</dt>
        <dd data-testid="stage-rate">{fmtRate(c.rate)}</dd>
        {c.rateIn !== null && (
          <>
            <dt>arriving</dt>
            <dd>{fmtRate(c.rateIn)}</dd>
          </>
        )}
        <dt>lag</dt>
        <dd data-testid="stage-lag">{c.lagMessages === null ? '—' : `${fmtCount(c.lagMessages)} msgs`}</dd>
        <dt>lag age</dt>
        <dd>{c.lagSeconds === null ? '—' : fmtMs(c.lagSeconds * 1000)}</dd>
        <dt>errors</dt>
        <dd>{fmtPct(c.errorRate)}</dd>
        <dt>retries</dt>
        <dd>{fmtPct(c.retryRate)}</dd>
        {c.dlqCount !== null && c.dlqCount > 0 && (
          <>
            <dt>dead letters</dt>
            <dd>
              <a href={buildHash({ page: 'dlq', params: { ...props.keep, topic: c.topic ?? '' } })}>{fmtCount(c.dlqCount)}</a>
            </dd>
          </>
        )}
        {(c.paused || c.maxRate !== null) && (
          <>
            <dt>throttle</dt>
            <dd>
              <a href={buildHash({ page: 'throttles', params: props.keep })}>{c.paused ? 'paused' : `≤ ${fmtRate(c.maxRate)}`}</a>
            </dd>
          </>
        )}
      </dl>
      {!props.last && (
        <span className="arrow" aria-hidden="true">
          →
        </span>
      )}
    </article>
  );
}

export default function Overview({ route }: PageProps): ReactNode {
  const win = useTimeWindow(route.params);
  const now = useNow(5000);
  const live = useLive();
  // About 60 latency points over the range, at least 10 s apart (the API's minimum bucket).
  const bucket = Math.max(10, Math.round((win.toMs - win.fromMs) / 60_000));
  const overview = useQuery({
    queryKey: ['overview', win.from, win.to, bucket],
    queryFn: async ({ signal }) => {
      try {
        return await getJson(OverviewSchema, 'overview', { from: win.from, to: win.to, bucket }, signal);
      } catch (err) {
        // A server without the overview endpoint still gets a map, built from the groups and queues.
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    refetchInterval: REFRESH_MS,
  });
  const groups = useQuery({ queryKey: ['groups'], queryFn: ({ signal }) => getJson(GroupList, 'consumer-groups', { limit: 500 }, signal), refetchInterval: REFRESH_MS });
  const queues = useQuery({ queryKey: ['queues'], queryFn: ({ signal }) => getJson(QueueList, 'queues', { limit: 500 }, signal), refetchInterval: REFRESH_MS });
  const throttles = useQuery({ queryKey: ['throttles'], queryFn: ({ signal }) => getJson(ThrottleList, 'throttles', undefined, signal), refetchInterval: REFRESH_MS });
  const alerts = useQuery({ queryKey: ['alerts', 'firing'], queryFn: ({ signal }) => getJson(AlertList, 'alerts', { state: 'firing' }, signal), refetchInterval: 15_000 });
  const latest = live.snapshots[live.snapshots.length - 1];
  const cards = toStageCards({
    overviewStages: overview.data?.stages,
    groups: groups.data?.items,
    queues: queues.data?.items,
    throttles: throttles.data?.items,
    live: latest && now - latest.atMs < 30_000 ? latest : undefined,
  });
  const keep = Object.fromEntries(['range', 'from', 'to'].flatMap((k) => (route.params[k] ? [[k, route.params[k]!]] : [])));
  const latency = toFieldSeries(overview.data?.delivery.buckets ?? [], ['p50', 'p99'], now, 'start');
  const firing = toAlertViews(alerts.data?.items ?? []).firing;
  const mapState = overview.isPending && groups.isPending ? { isPending: true } : overview.isError && groups.isError ? { isError: true, error: overview.error, refetch: overview.refetch } : undefined;
  const worst = worstTone(cards);
  return (
    <>
      <Panel
        title="Pipeline, intake to delivery"
        state={mapState}
        actions={
          <span className="muted">
            worst: <Badge tone={worst}>{worst}</Badge> · updated {fmtAgo(Math.max(overview.dataUpdatedAt, latest?.atMs ?? 0), now)}
          </span>
        }
      >
        {overview.isError && <p className="error" role="alert">Overview unavailable ({overview.error.message}); showing consumer groups and queues.</p>}
        <div className="pipeline" role="list" aria-label="Stages" data-testid="stage-map">
          {cards.map((c, i) => (
            <div role="listitem" key={c.stage} style={{ display: 'contents' }}>
              <StageTile card={c} last={i === cards.length - 1} keep={keep} />
            </div>
          ))}
        </div>
      </Panel>
      <div className="grid">
        <Panel title="Order-to-delivery latency" state={overview.isPending ? { isPending: true } : undefined} isEmpty={latency.rows.length === 0} empty="No delivered orders in this range.">
          <TimeChart series={latency} label="Order to delivery latency, p50 and p99" format={(v) => fmtMs(v * 1000)} domain={[win.fromMs, win.toMs]} testId="latency-chart" />
        </Panel>
        <Panel title={`Firing alerts (${firing.length})`} state={alerts} isEmpty={firing.length === 0} empty="No alert is firing.">
          <ul>
            {firing.map((a) => (
              <li key={a.fingerprint}>
                <Badge tone={a.severity === 'critical' ? 'bad' : 'warn'}>{a.severity}</Badge> <strong>{a.name}</strong> {a.summary} <span className="muted">since {fmtAgo(a.startsAtMs, now)}</span>
                {a.acknowledgedBy && <span className="muted"> · acknowledged by {a.acknowledgedBy}</span>}
                {a.silenced && <span className="muted"> · silenced</span>}
              </li>
            ))}
          </ul>
          <a href={buildHash({ page: 'alerts', params: keep })}>All alerts</a>
        </Panel>
      </div>
    </>
  );
}
