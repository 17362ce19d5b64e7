/**
 * Consumer groups: every group with its status and lag; one group's lag over time per partition, its members
 * and its offsets per partition. The selected group is in the URL (`?group=`).
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson } from '../api/client';
import { GroupDetail, GroupList } from '../api/schemas';
import { TimeChart } from '../components/charts';
import { Badge, Panel, Stat } from '../components/ui';
import { useNow, useTimeWindow } from '../hooks';
import { useLive } from '../live/store';
import { fmtAgo, fmtCount, fmtMs } from '../shape/format';
import { groupLagRows } from '../shape/live';
import { toLagSeries, trend } from '../shape/lag';
import { toneOf } from '../shape/stages';
import { buildHash } from '../shape/url';

function GroupView({ group, params }: { group: string; params: Record<string, string> }): ReactNode {
  const win = useTimeWindow(params);
  const now = useNow(5000);
  const live = useLive();
  const [metric, setMetric] = useState<'messages' | 'seconds'>('messages');
  const detail = useQuery({ queryKey: ['group', group, win.from, win.to], queryFn: ({ signal }) => getJson(GroupDetail, `consumer-groups/${encodeURIComponent(group)}`, { from: win.from, to: win.to }, signal), refetchInterval: 5000 });
  const d = detail.data;
  // Per-partition history when the server sends it; else the group total, extended by the live feed.
  const rows = d?.partitionHistory.length ? d.partitionHistory : [...(d?.history ?? []), ...groupLagRows(live.snapshots, group).filter((r) => Number(r.at) > win.fromMs)];
  const series = toLagSeries(rows, now, { windowMs: now - win.fromMs, metric });
  const g = d?.group;
  const direction = trend(series, series.keys[0] ?? 'total');
  return (
    <>
      <Panel title={`Group ${group}`} state={detail}>
        {g && (
          <div className="stats" data-testid="group-stats">
            <Stat label="status" value={<Badge tone={toneOf(g.status)}>{g.status}</Badge>} />
            <Stat label="lag (messages)" value={fmtCount(g.lagMessages)} testId="group-lag" />
            <Stat label="lag (age)" value={g.lagSeconds === null ? '—' : fmtMs(g.lagSeconds * 1000)} />
            <Stat label="trend" value={direction} tone={direction === 'rising' ? 'warn' : undefined} />
            <Stat label="topics" value={g.topics.join(', ') || '—'} />
            <Stat label="why" value={<span className="muted">{g.reason || '—'}</span>} />
          </div>
        )}
      </Panel>
      <Panel
        title={d?.partitionHistory.length ? 'Lag over time, per partition' : 'Lag over time'}
        state={detail.isPending ? detail : undefined}
        isEmpty={series.rows.length === 0}
        empty="No lag samples in this range yet."
        actions={
          <label>
            Show{' '}
            <select value={metric} onChange={(e) => setMetric(e.target.value as 'messages' | 'seconds')}>
              <option value="messages">messages</option>
              <option value="seconds">seconds</option>
            </select>
          </label>
        }
      >
        <TimeChart series={series} label={`Lag of ${group} in ${metric}`} format={metric === 'seconds' ? (v) => fmtMs(v * 1000) : undefined} domain={[win.fromMs, win.toMs]} testId="group-lag-chart" />
      </Panel>
      <div className="grid">
        <Panel title="Partitions and offsets" state={detail.isPending ? detail : undefined} isEmpty={!d?.partitions.length} empty="No committed offsets seen for this group.">
          <table>
            <thead>
              <tr>
                <th>topic</th>
                <th className="num">partition</th>
                <th className="num">committed</th>
                <th className="num">log end</th>
                <th className="num">low</th>
                <th className="num">lag</th>
                <th className="num">age</th>
              </tr>
            </thead>
            <tbody>
              {d?.partitions.map((p) => (
                <tr key={`${p.topic}/${p.partition}`}>
                  <td>{p.topic}</td>
                  <td className="num">{p.partition}</td>
                  <td className="num">{p.noCommit ? <span className="muted">none</span> : p.committed}</td>
                  <td className="num">{p.logEnd}</td>
                  <td className="num">{p.low}</td>
                  <td className="num">{fmtCount(p.lagMessages)}</td>
                  <td className="num">{p.lagSeconds === null ? '—' : fmtMs(p.lagSeconds * 1000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Members" state={detail.isPending ? detail : undefined} isEmpty={!d?.members.length} empty={d?.membersNote ?? 'The broker does not report members (no DescribeGroups on this cluster).'}>
          <table>
            <thead>
              <tr>
                <th>member</th>
                <th>client</th>
                <th>host</th>
              </tr>
            </thead>
            <tbody>
              {d?.members.map((m) => (
                <tr key={m.memberId}>
                  <td>
                    <code>{m.memberId}</code>
                  </td>
                  <td>{m.clientId}</td>
                  <td>{m.host}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Status changes" state={detail.isPending ? detail : undefined} isEmpty={!d?.statusHistory.length} empty="No status change in this range.">
          <ul>
            {d?.statusHistory.map((s) => (
              <li key={s.at}>
                <Badge tone={toneOf(s.status)}>{s.status}</Badge> <span className="muted">{fmtAgo(Date.parse(s.at), now)}</span>
              </li>
            ))}
          </ul>
        </Panel>
      </div>
    </>
  );
}

export default function Groups({ route }: PageProps): ReactNode {
  const now = useNow(5000);
  const list = useQuery({ queryKey: ['groups'], queryFn: ({ signal }) => getJson(GroupList, 'consumer-groups', { limit: 500 }, signal), refetchInterval: 5000 });
  const selected = route.params.group;
  const link = (group: string | undefined): string => buildHash({ page: 'groups', params: { ...route.params, group: group ?? '' } });
  return (
    <>
      <Panel title="Consumer groups" state={list} isEmpty={list.data?.items.length === 0} empty="No consumer group has been seen yet. The lag collector lists groups every few seconds.">
        <table>
          <thead>
            <tr>
              <th>group</th>
              <th>status</th>
              <th className="num">lag</th>
              <th className="num">age</th>
              <th>topics</th>
              <th>updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((g) => (
              <tr key={g.group} className={g.group === selected ? 'selected' : undefined} data-group={g.group}>
                <td>
                  <a href={link(g.group)} aria-current={g.group === selected ? 'true' : undefined}>
                    {g.group}
                  </a>
                </td>
                <td>
                  <Badge tone={toneOf(g.status)} title={g.reason}>
                    {g.status}
                  </Badge>
                </td>
                <td className="num">{fmtCount(g.lagMessages)}</td>
                <td className="num">{g.lagSeconds === null ? '—' : fmtMs(g.lagSeconds * 1000)}</td>
                <td>{g.topics.join(', ')}</td>
                <td className="muted">{g.updatedAt ? fmtAgo(Date.parse(g.updatedAt), now) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      {selected ? <GroupView group={selected} params={route.params} /> : <p className="muted">Choose a group to see its lag per partition, members and offsets.</p>}
    </>
  );
}
