/**
 * Building blocks every page uses: a panel with loading, empty and error states; status badges that pair a
 * colour with a word; labelled form fields; stat tiles.
 */
import { useId, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client';
import type { Tone } from '../shape/stages';

/** The state of the data behind a panel (react-query's shape). */
export interface DataState {
  isPending?: boolean;
  isError?: boolean;
  error?: unknown;
  refetch?: () => unknown;
}

/** A titled section. Shows a loading line, the error's detail with a retry, or `empty` when `isEmpty`. */
export function Panel(props: { title: string; state?: DataState; isEmpty?: boolean; empty?: ReactNode; actions?: ReactNode; children?: ReactNode; id?: string }): ReactNode {
  const headingId = useId();
  const { state } = props;
  let body: ReactNode = props.children;
  if (state?.isPending) body = <p className="muted" role="status">Loading…</p>;
  else if (state?.isError)
    body = (
      <div className="error" role="alert">
        <p>{errorMessage(state.error)}</p>
        {state.refetch && (!(state.error instanceof ApiError) || state.error.retriable || state.error.status === 0) && (
          <button type="button" onClick={() => void state.refetch?.()}>
            Retry
          </button>
        )}
      </div>
    );
  else if (props.isEmpty) body = <p className="muted empty">{props.empty ?? 'Nothing here yet.'}</p>;
  return (
    <section className="panel" aria-labelledby={headingId} id={props.id}>
      <header className="panel-head">
        <h2 id={headingId}>{props.title}</h2>
        {props.actions && <div className="panel-actions">{props.actions}</div>}
      </header>
      {body}
    </section>
  );
}

/** A status word on its tone's colour. */
export function Badge(props: { tone: Tone | 'info'; children: ReactNode; title?: string }): ReactNode {
  return (
    <span className={`badge tone-${props.tone}`} title={props.title}>
      {props.children}
    </span>
  );
}

/** A label above a control, with an optional hint and error (announced to screen readers). */
export function Field(props: { label: string; error?: string; hint?: string; children: (id: string, describedBy: string | undefined) => ReactNode }): ReactNode {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errId : '', props.hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <small id={hintId} className="muted">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errId} className="field-error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** A figure with its label. */
export function Stat(props: { label: string; value: ReactNode; tone?: Tone; testId?: string }): ReactNode {
  return (
    <div className={`stat${props.tone ? ` tone-text-${props.tone}` : ''}`} data-testid={props.testId}>
      <span className="stat-label">{props.label}</span>
      <span className="stat-value">{props.value}</span>
    </div>
  );
}

/** An error line for a failed action (the problem's detail). */
export function ActionError(props: { error: unknown }): ReactNode {
  if (!props.error) return null;
  return (
    <p className="error" role="alert">
      {errorMessage(props.error)}
    </p>
  );
}

/** A progress bar for a running action. */
export function ProgressBar(props: { label: string; done: number; failed: number; matched: number; state: string }): ReactNode {
  const max = Math.max(props.matched, props.done + props.failed, 1);
  return (
    <div className="progress" aria-live="polite">
      <div className="progress-line">
        <span>{props.label}</span>
        <span data-testid="progress-text">
          {props.state}: {props.done} of {props.matched} done{props.failed ? `, ${props.failed} failed` : ''}
        </span>
      </div>
      <progress max={max} value={props.done + props.failed} aria-label={props.label} />
    </div>
  );
}
