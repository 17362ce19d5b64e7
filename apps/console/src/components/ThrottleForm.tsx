/**
 * Set a throttle or pause on a consumer group or queue: preview (dry run: what changes, which consumers it
 * reaches), then apply with a reason. Used by the Throttles and Queues pages.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { send } from '../api/client';
import { buildThrottle } from '../shape/actions';
import { ActionError, Field } from './ui';

/** Options of {@link ThrottleForm}. */
export interface ThrottleFormProps {
  /** Fixed target (the Queues page); otherwise the user picks. */
  kind?: 'group' | 'queue';
  name?: string;
  /** Names offered in the name field. */
  suggestions?: string[];
  canAct: boolean;
}

export function ThrottleForm(p: ThrottleFormProps): ReactNode {
  const qc = useQueryClient();
  const [kind, setKind] = useState<string>(p.kind ?? 'group');
  const [name, setName] = useState(p.name ?? '');
  const [paused, setPaused] = useState(false);
  const [maxRate, setMaxRate] = useState('');
  const [ttl, setTtl] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<unknown>(null);
  const target = { kind: p.kind ?? kind, name: p.name ?? name };
  const run = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const built = buildThrottle({ ...target, paused, maxRate, ttlMinutes: ttl, reason });
      if (!built.ok) {
        setErrors(built.errors);
        throw new Error('Fix the highlighted fields.');
      }
      setErrors({});
      return { dryRun, result: await send('PUT', built.body.path, built.body.body, dryRun ? { dryRun: 'true' } : undefined) };
    },
    onSuccess: ({ dryRun, result }) => {
      setPreview(dryRun ? result : null);
      if (!dryRun) {
        setReason('');
        void qc.invalidateQueries({ queryKey: ['throttles'] });
        void qc.invalidateQueries({ queryKey: ['audit'] });
      }
    },
  });
  const listId = `throttle-names-${target.kind}`;
  return (
    <form
      aria-label={`Throttle ${target.name || 'a consumer group or queue'}`}
      onSubmit={(e) => {
        e.preventDefault();
        run.mutate(false);
      }}
    >
      <div className="form-row">
        {!p.kind && (
          <Field label="Kind" error={errors.kind}>
            {(id) => (
              <select id={id} value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="group">consumer group</option>
                <option value="queue">queue</option>
              </select>
            )}
          </Field>
        )}
        {!p.name && (
          <Field label="Name" error={errors.name}>
            {(id, d) => <input id={id} aria-describedby={d} list={listId} value={name} onChange={(e) => setName(e.target.value)} placeholder="payment-svc" />}
          </Field>
        )}
        <datalist id={listId}>{p.suggestions?.map((s) => <option key={s} value={s} />)}</datalist>
        <Field label="Max rate (msgs/s)" error={errors.maxRate}>
          {(id, d) => <input id={id} aria-describedby={d} inputMode="decimal" value={maxRate} onChange={(e) => setMaxRate(e.target.value)} size={8} />}
        </Field>
        <div className="field">
          <label>
            <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> Pause
          </label>
        </div>
        <Field label="Expires after (minutes)" error={errors.ttlMinutes} hint="Empty: until lifted">
          {(id, d) => <input id={id} aria-describedby={d} inputMode="numeric" value={ttl} onChange={(e) => setTtl(e.target.value)} size={6} />}
        </Field>
        <Field label="Reason" error={errors.reason}>
          {(id, d) => <input id={id} aria-describedby={d} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="INC-123: payment provider degraded" size={30} />}
        </Field>
        <button type="button" onClick={() => run.mutate(true)} disabled={!p.canAct || run.isPending}>
          Preview
        </button>
        <button type="submit" className="primary" disabled={!p.canAct || run.isPending}>
          Apply throttle
        </button>
      </div>
      {!p.canAct && <p className="muted">Your role can look but not act; operators set throttles.</p>}
      <ActionError error={run.error} />
      {run.isSuccess && !run.data.dryRun && <p role="status">Throttle applied to {target.name}.</p>}
      {preview !== null && (
        <details open>
          <summary>Preview (nothing changed yet)</summary>
          <pre data-testid="throttle-preview">{JSON.stringify(preview, null, 2)}</pre>
        </details>
      )}
    </form>
  );
}
