/**
 * Replay: choose a selection (topic and time or offset range, order id, trace id, event type), see the preview
 * (how many messages, which consumer groups they reach, the estimated cost), confirm with a reason, follow the
 * progress, cancel. The selection is in the URL so a colleague can open the same preview.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { send } from '../api/client';
import { ActionStatus } from '../api/schemas';
import { ActionProgress } from '../components/ActionProgress';
import { ActionError, Field, Panel } from '../components/ui';
import { buildReplay, previewSummary, type ReplayForm } from '../shape/actions';
import { fmtCost, fmtCount } from '../shape/format';

const FIELDS: { key: keyof ReplayForm; label: string; placeholder?: string; type?: string }[] = [
  { key: 'topic', label: 'Topic', placeholder: 'orders' },
  { key: 'from', label: 'From (time)', type: 'datetime-local' },
  { key: 'to', label: 'To (time)', type: 'datetime-local' },
  { key: 'fromOffset', label: 'From offset' },
  { key: 'toOffset', label: 'To offset' },
  { key: 'orderId', label: 'Order id' },
  { key: 'traceId', label: 'Trace id' },
  { key: 'eventType', label: 'Event type', placeholder: 'OrderCreated' },
];

export default function Replay({ route, setParams, role }: PageProps): ReactNode {
  const canAct = role === 'operator' || role === 'admin';
  const qc = useQueryClient();
  const p = route.params;
  const [form, setForm] = useState<ReplayForm>({
    topic: p.topic ?? '',
    from: p.rfrom ?? '',
    to: p.rto ?? '',
    fromOffset: p.fromOffset ?? '',
    toOffset: p.toOffset ?? '',
    orderId: p.orderId ?? '',
    traceId: p.traceId ?? '',
    eventType: p.eventType ?? '',
    target: p.target === 'original' ? 'original' : 'sandbox',
    reason: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<{ summary: ReturnType<typeof previewSummary>; raw: unknown } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  // What the confirmed preview counted, kept beside the progress so the two can be compared.
  const [confirmedCount, setConfirmedCount] = useState<number | null>(null);
  const runId = p.replay;
  const run = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const built = buildReplay(form, dryRun);
      if (!built.ok) {
        setErrors(built.errors);
        throw new Error('Fix the highlighted fields.');
      }
      setErrors({});
      const body = await send('POST', 'replays', built.body, dryRun ? { dryRun: 'true' } : undefined);
      return { dryRun, body, res: ActionStatus.parse(body) };
    },
    onSuccess: ({ dryRun, body, res }) => {
      if (dryRun) {
        const raw = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
        setPreview({ summary: previewSummary(raw), raw });
        setParams({ topic: form.topic, rfrom: form.from, rto: form.to, fromOffset: form.fromOffset, toOffset: form.toOffset, orderId: form.orderId, traceId: form.traceId, eventType: form.eventType, target: form.target }, true);
      } else {
        dialog.current?.close();
        setConfirmedCount(preview?.summary.count ?? null);
        setPreview(null);
        setParams({ replay: res.id });
        void qc.invalidateQueries({ queryKey: ['audit'] });
      }
    },
  });
  const set = (k: keyof ReplayForm, v: string): void => {
    setForm((f) => ({ ...f, [k]: v }));
    setPreview(null);
  };
  const pv = preview?.summary;
  return (
    <>
      <Panel title="Selection">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate(true);
          }}
        >
          <div className="form-row">
            {FIELDS.map((f) => (
              <Field key={f.key} label={f.label} error={errors[f.key]}>
                {(id, d) => <input id={id} aria-describedby={d} type={f.type ?? 'text'} step={f.type === 'datetime-local' ? 1 : undefined} value={form[f.key]} placeholder={f.placeholder} onChange={(e) => set(f.key, e.target.value)} />}
              </Field>
            ))}
            <Field label="Publish to">
              {(id) => (
                <select id={id} value={form.target} onChange={(e) => set('target', e.target.value)}>
                  <option value="sandbox">a sandbox topic (safe)</option>
                  <option value="original">the original topic (consumers see it again)</option>
                </select>
              )}
            </Field>
            <button type="submit" className="primary" disabled={run.isPending}>
              Preview
            </button>
          </div>
        </form>
        <ActionError error={run.isError && !dialog.current?.open ? run.error : null} />
      </Panel>
      {pv && (
        <Panel title="Preview">
          <div className="stats" role="status" data-testid="replay-preview" data-count={pv.count ?? ''}>
            <div className="stat">
              <span className="stat-label">messages</span>
              <span className="stat-value" data-testid="replay-preview-count">
                {pv.count === null ? '—' : fmtCount(pv.count)}
              </span>
            </div>
            <div className="stat">
              <span className="stat-label">consumer groups reached</span>
              <span className="stat-value">{form.target === 'sandbox' ? 'none (sandbox)' : pv.groups.join(', ') || '—'}</span>
            </div>
            <div className="stat">
              <span className="stat-label">estimated cost</span>
              <span className="stat-value">{fmtCost(pv.cost)}</span>
            </div>
          </div>
          {pv.notes.map((n) => (
            <p key={n} className="muted">
              {n}
            </p>
          ))}
          <details>
            <summary>Full preview</summary>
            <pre>{JSON.stringify(preview.raw, null, 2)}</pre>
          </details>
          <button type="button" className="primary" disabled={!canAct || pv.count === 0} onClick={() => dialog.current?.showModal()}>
            Replay {pv.count === null ? '' : fmtCount(pv.count)} messages…
          </button>
          {!canAct && <p className="muted">Your role can preview but not replay.</p>}
        </Panel>
      )}
      <dialog ref={dialog} aria-labelledby="replay-confirm-title">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate(false);
          }}
        >
          <h2 id="replay-confirm-title">Confirm the replay</h2>
          <p>
            Re-publish <strong>{pv?.count === null || pv === undefined ? 'the selected' : fmtCount(pv.count)}</strong> messages of <strong>{form.topic}</strong> to {form.target === 'sandbox' ? 'a sandbox topic' : 'the original topic'}. This is audited.
          </p>
          <Field label="Reason" error={errors.reason}>
            {(id, d) => <input id={id} aria-describedby={d} value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} size={40} autoFocus />}
          </Field>
          <ActionError error={run.isError ? run.error : null} />
          <div className="actions">
            <button type="button" onClick={() => dialog.current?.close()}>
              Back
            </button>
            <button type="submit" className="primary" disabled={run.isPending}>
              Confirm replay
            </button>
          </div>
        </form>
      </dialog>
      {runId && (
        <Panel title="Progress">
          {confirmedCount !== null && <p className="muted">The preview counted {fmtCount(confirmedCount)} messages.</p>}
          <ActionProgress kind="replays" id={runId} canAct={canAct} />
        </Panel>
      )}
    </>
  );
}
