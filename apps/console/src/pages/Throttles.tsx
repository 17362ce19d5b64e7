/** Throttles: what is limited or paused now, until when, by whom and why; set and lift. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson, send } from '../api/client';
import { GroupList, QueueList, ThrottleList, type Throttle } from '../api/schemas';
import { ThrottleForm } from '../components/ThrottleForm';
import { ActionError, Badge, Panel } from '../components/ui';
import { useNow } from '../hooks';
import { fmtAgo, fmtMs, fmtRate } from '../shape/format';

function LiftButton({ t, canAct }: { t: Throttle; canAct: boolean }): ReactNode {
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const lift = useMutation({
    mutationFn: () => send('DELETE', `throttles/${t.kind}/${encodeURIComponent(t.name)}`, { reason: reason.trim() }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['throttles'] });
      void qc.invalidateQueries({ queryKey: ['audit'] });
    },
  });
  return (
    <form
      className="form-row"
      onSubmit={(e) => {
        e.preventDefault();
        lift.mutate();
      }}
    >
      <input aria-label={`Reason to lift the throttle on ${t.name}`} placeholder="reason" value={reason} onChange={(e) => setReason(e.target.value)} size={18} />
      <button type="submit" disabled={!canAct || lift.isPending || reason.trim().length < 3}>
        Lift
      </button>
      <ActionError error={lift.error} />
    </form>
  );
}

export default function Throttles({ role }: PageProps): ReactNode {
  const now = useNow(5000);
  const canAct = role === 'operator' || role === 'admin';
  const list = useQuery({ queryKey: ['throttles'], queryFn: ({ signal }) => getJson(ThrottleList, 'throttles', undefined, signal), refetchInterval: 5000 });
  const groups = useQuery({ queryKey: ['groups'], queryFn: ({ signal }) => getJson(GroupList, 'consumer-groups', { limit: 500 }, signal) });
  const queues = useQuery({ queryKey: ['queues'], queryFn: ({ signal }) => getJson(QueueList, 'queues', { limit: 500 }, signal) });
  const suggestions = [...(groups.data?.items.map((g) => g.group) ?? []), ...(queues.data?.items.map((q) => q.queue) ?? [])];
  return (
    <>
      <Panel title="In force now" state={list} isEmpty={list.data?.items.length === 0} empty="Nothing is throttled or paused.">
        <table>
          <thead>
            <tr>
              <th>target</th>
              <th>limit</th>
              <th>until</th>
              <th>set by</th>
              <th>reason</th>
              <th>lift</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((t) => {
              const until = t.expiresAt ? Date.parse(t.expiresAt) : null;
              return (
                <tr key={`${t.kind}:${t.name}`} data-throttle={`${t.kind}:${t.name}`}>
                  <td>
                    <span className="muted">{t.kind}</span> <strong>{t.name}</strong>
                  </td>
                  <td>
                    {t.paused && <Badge tone="idle">paused</Badge>} {t.maxRate !== null && <Badge tone="warn">≤ {fmtRate(t.maxRate)}</Badge>}
                  </td>
                  <td>{until ? `${new Date(until).toLocaleString()} (in ${fmtMs(until - now)})` : 'until lifted'}</td>
                  <td>
                    {t.setBy?.name ?? '—'} {t.setAt && <span className="muted">{fmtAgo(Date.parse(t.setAt), now)}</span>}
                  </td>
                  <td>{t.reason ?? '—'}</td>
                  <td>
                    <LiftButton t={t} canAct={canAct} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
      <Panel title="Set a throttle or pause">
        <ThrottleForm suggestions={suggestions} canAct={canAct} />
      </Panel>
    </>
  );
}
