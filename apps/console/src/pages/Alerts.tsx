/**
 * Alerts: firing and pending (with acknowledgement), resolved within the range, the transition history, and
 * silences (create with Prometheus-style matchers, expire). Silences are admin-only in the API.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson, send } from '../api/client';
import { AlertList, SilenceList } from '../api/schemas';
import { ActionError, Badge, Field, Panel } from '../components/ui';
import { useNow, useTimeWindow } from '../hooks';
import { toAlertViews, type AlertView } from '../shape/alerts';
import { fmtAgo, fmtMs } from '../shape/format';

function AlertRows({ alerts, canAct, now }: { alerts: AlertView[]; canAct: boolean; now: number }): ReactNode {
  const qc = useQueryClient();
  const ack = useMutation({
    mutationFn: (fp: string) => send('POST', `alerts/${encodeURIComponent(fp)}/ack`, { comment: 'acknowledged in the console' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['alerts'] }),
  });
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>alert</th>
            <th>severity</th>
            <th>labels</th>
            <th>since</th>
            <th>state</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={`${a.fingerprint}-${a.startsAtMs}`}>
              <td>
                <strong>{a.name}</strong>
                <div className="muted">{a.summary}</div>
              </td>
              <td>
                <Badge tone={a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info'}>{a.severity}</Badge>
              </td>
              <td>
                <code>{Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').map(([k, v]) => `${k}=${v}`).join(' ')}</code>
              </td>
              <td title={new Date(a.startsAtMs).toISOString()}>
                {fmtAgo(a.startsAtMs, now)}
                {a.endsAtMs && <div className="muted">lasted {fmtMs(a.endsAtMs - a.startsAtMs)}</div>}
              </td>
              <td>
                {a.state === 'resolved' ? <Badge tone="ok">resolved</Badge> : <Badge tone={a.state === 'firing' ? 'bad' : 'warn'}>{a.state}</Badge>} {a.silenced && <Badge tone="idle">silenced</Badge>}
                {a.acknowledgedBy && <div className="muted">acknowledged by {a.acknowledgedBy}</div>}
              </td>
              <td>
                {a.state !== 'resolved' && !a.acknowledgedBy && (
                  <button type="button" disabled={!canAct || ack.isPending} onClick={() => ack.mutate(a.fingerprint)}>
                    Acknowledge
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionError error={ack.error} />
    </>
  );
}

function Silences({ canAct, now }: { canAct: boolean; now: number }): ReactNode {
  // Silences are an admin action in the API; the form says so rather than failing on submit.
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['silences'], queryFn: ({ signal }) => getJson(SilenceList, 'silences', undefined, signal), refetchInterval: 30_000 });
  const [matchers, setMatchers] = useState('alertname="ConsumerLagHigh"');
  const [hours, setHours] = useState('2');
  const [comment, setComment] = useState('');
  const create = useMutation({
    mutationFn: () => {
      // Prometheus-style matchers (name="value", name=~"re", !=, !~), comma separated; the API parses each.
      const parsed = matchers
        .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
        .map((m) => m.trim())
        .filter(Boolean);
      const endsAt = new Date(now + Number(hours) * 3_600_000).toISOString();
      return send('POST', 'silences', { matchers: parsed, endsAt, comment: comment.trim() });
    },
    onSuccess: () => {
      setComment('');
      void qc.invalidateQueries({ queryKey: ['silences'] });
    },
  });
  const expire = useMutation({ mutationFn: (id: string) => send('DELETE', `silences/${encodeURIComponent(id)}`), onSuccess: () => void qc.invalidateQueries({ queryKey: ['silences'] }) });
  return (
    <Panel title="Silences" state={list} isEmpty={false}>
      {list.data?.items.length ? (
        <table>
          <thead>
            <tr>
              <th>matchers</th>
              <th>until</th>
              <th>by</th>
              <th>comment</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((s) => (
              <tr key={s.id}>
                <td>
                  <code>{s.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(', ')}</code>
                </td>
                <td>
                  {s.endsAt ? new Date(s.endsAt).toLocaleString() : '—'} <Badge tone={s.status === 'active' ? 'info' : 'idle'}>{s.status || '?'}</Badge>
                </td>
                <td>{s.createdBy}</td>
                <td>{s.comment}</td>
                <td>
                  <button type="button" disabled={!canAct || expire.isPending} onClick={() => expire.mutate(s.id)}>
                    Expire
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No active silence.</p>
      )}
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label='Matchers (name="value", comma separated)'>{(id) => <input id={id} value={matchers} onChange={(e) => setMatchers(e.target.value)} size={30} />}</Field>
        <Field label="For (hours)">{(id) => <input id={id} inputMode="decimal" value={hours} onChange={(e) => setHours(e.target.value)} size={4} />}</Field>
        <Field label="Comment">{(id) => <input id={id} value={comment} onChange={(e) => setComment(e.target.value)} size={30} />}</Field>
        <button type="submit" disabled={!canAct || create.isPending || comment.trim().length < 3}>
          Silence
        </button>
      </form>
      {!canAct && <p className="muted">Silences need the admin role.</p>}
      <ActionError error={create.error ?? expire.error} />
    </Panel>
  );
}

export default function Alerts({ route, role }: PageProps): ReactNode {
  const canAct = role === 'operator' || role === 'admin';
  const now = useNow(10_000);
  const win = useTimeWindow(route.params, 30_000);
  const withinMin = Math.max(1, Math.round((now - win.fromMs) / 60_000));
  const current = useQuery({ queryKey: ['alerts', 'all', withinMin], queryFn: ({ signal }) => getJson(AlertList, 'alerts', { resolvedWithin: `${withinMin}m` }, signal), refetchInterval: 10_000 });
  const history = useQuery({ queryKey: ['alerts', 'history', win.from, win.to], queryFn: ({ signal }) => getJson(AlertList, 'alerts/history', { from: win.from, to: win.to, limit: 500 }, signal), refetchInterval: 30_000 });
  const { firing: f, resolved: r } = toAlertViews(current.data?.items ?? []);
  const ruleErrors = current.data?.ruleErrors ?? [];
  return (
    <>
      <Panel title={`Firing and pending (${f.length})`} state={current} isEmpty={f.length === 0 && ruleErrors.length === 0} empty="No alert is firing.">
        {ruleErrors.map((e) => (
          <p key={e.rule} className="error" role="alert">
            Rule {e.rule} cannot be evaluated since {e.since}: {e.error}
          </p>
        ))}
        <AlertRows alerts={f} canAct={canAct} now={now} />
      </Panel>
      <Panel title="Resolved in this range" state={current} isEmpty={r.length === 0} empty="No alert resolved in this range.">
        <AlertRows alerts={r} canAct={false} now={now} />
      </Panel>
      <Panel title="History (every transition)" state={history} isEmpty={!history.data?.items.length} empty="No transition in this range.">
        <table>
          <thead>
            <tr>
              <th>when</th>
              <th>rule</th>
              <th>state</th>
              <th>labels</th>
              <th className="num">value</th>
            </tr>
          </thead>
          <tbody>
            {history.data?.items.map((h, i) => (
              <tr key={`${h.fingerprint}-${h.at}-${i}`}>
                <td>{new Date(h.at).toLocaleString()}</td>
                <td>{h.rule}</td>
                <td>
                  <Badge tone={h.state === 'firing' ? 'bad' : h.state === 'pending' ? 'warn' : h.state === 'resolved' ? 'ok' : 'idle'}>{h.state}</Badge>
                </td>
                <td>
                  <code>{Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(' ')}</code>
                </td>
                <td className="num">{h.value ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Silences canAct={role === 'admin'} now={now} />
    </>
  );
}
