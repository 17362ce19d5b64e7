/**
 * Live progress of a replay or redrive: the SSE `progress` events, backed by polling GET /<kind>/{id} (the feed
 * may be reconnecting), with a cancel button while it runs.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { getJson, send } from '../api/client';
import { ActionStatus } from '../api/schemas';
import { useLive } from '../live/store';
import { FINAL_STATES } from '../shape/live';
import { ActionError, ProgressBar } from './ui';

export function ActionProgress(props: { kind: 'replays' | 'redrives'; id: string; canAct: boolean }): ReactNode {
  const qc = useQueryClient();
  const live = useLive().progress[props.id];
  const [reason, setReason] = useState('');
  const status = useQuery({
    queryKey: [props.kind, props.id],
    queryFn: ({ signal }) => getJson(ActionStatus, `${props.kind}/${encodeURIComponent(props.id)}`, undefined, signal),
    refetchInterval: (q) => (q.state.data && FINAL_STATES.has(q.state.data.state) ? false : 1000),
  });
  const cancel = useMutation({
    mutationFn: () => send('DELETE', `${props.kind}/${encodeURIComponent(props.id)}`, { reason: reason.trim() }),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: [props.kind, props.id] });
      void qc.invalidateQueries({ queryKey: ['audit'] });
    },
  });
  const s = status.data;
  // Whichever source is further along wins; a final state wins over a running one.
  const pick = live && s ? (FINAL_STATES.has(s.state) ? s : FINAL_STATES.has(live.state) ? live : live.done + live.failed >= s.done + s.failed ? live : s) : (live ?? s);
  const label = `${props.kind === 'replays' ? 'Replay' : 'Redrive'} ${props.id}`;
  if (!pick) return status.isError ? <ActionError error={status.error} /> : <p role="status">Starting {label}…</p>;
  const running = !FINAL_STATES.has(pick.state);
  return (
    <div data-testid={`${props.kind}-progress`} data-state={pick.state} data-done={pick.done} data-matched={pick.matched} data-failed={pick.failed}>
      <ProgressBar label={label} done={pick.done} failed={pick.failed} matched={pick.matched} state={pick.state} />
      {running && (
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate();
          }}
        >
          <input aria-label={`Reason to cancel ${label}`} placeholder="why cancel (audited)" value={reason} onChange={(e) => setReason(e.target.value)} size={28} />
          <button type="submit" className="danger" disabled={!props.canAct || cancel.isPending || reason.trim().length < 3}>
            Cancel
          </button>
        </form>
      )}
      {s?.detail && <p className="muted">{s.detail}</p>}
      <ActionError error={cancel.error} />
    </div>
  );
}
