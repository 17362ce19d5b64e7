/**
 * Dead letters: search by topic, key, order id, error text and time; payload and headers; redrive of the
 * selection or of everything matching, with a dry run, a velocity and live progress.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { ApiError, getJson, send } from '../api/client';
import { ActionStatus, DlqItem, DlqList, type DlqItem as DlqRow } from '../api/schemas';
import { ActionProgress } from '../components/ActionProgress';
import { ActionError, Field, Panel } from '../components/ui';
import { useNow, useTimeWindow } from '../hooks';
import { buildRedrive, previewSummary } from '../shape/actions';
import { fmtAgo, fmtCost, fmtCount } from '../shape/format';
import { buildHash } from '../shape/url';

/** A payload as text: JSON (also JSON inside a string) pretty-printed, anything else as it is. */
function pretty(payload: unknown): string {
  if (payload === undefined) return 'not available';
  if (typeof payload === 'string') {
    try {
      return JSON.stringify(JSON.parse(payload), null, 2);
    } catch {
      return payload;
    }
  }
  return JSON.stringify(payload, null, 2);
}

function Detail({ item }: { item: DlqRow }): ReactNode {
  const full = useQuery({
    queryKey: ['dlq-item', item.id],
    queryFn: async ({ signal }) => {
      try {
        return await getJson(DlqItem, `dlq/${encodeURIComponent(item.id)}`, undefined, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return item;
        throw err;
      }
    },
    enabled: item.payload === undefined,
  });
  const d = item.payload === undefined ? (full.data ?? item) : item;
  return (
    <div className="grid">
      <div>
        <h4>Payload</h4>
        {full.isPending && item.payload === undefined ? <p className="muted">Loading…</p> : <pre data-testid="dlq-payload">{pretty(d.payload)}</pre>}
      </div>
      <div>
        <h4>Headers</h4>
        <pre data-testid="dlq-headers">{JSON.stringify(d.headers ?? {}, null, 2)}</pre>
      </div>
    </div>
  );
}

export default function DeadLetters({ route, setParams, role }: PageProps): ReactNode {
  const canAct = role === 'operator' || role === 'admin';
  const qc = useQueryClient();
  const now = useNow(10_000);
  const win = useTimeWindow(route.params, 60_000);
  const topic = route.params.topic ?? '';
  const q = route.params.q ?? '';
  const [draft, setDraft] = useState({ topic, q });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [all, setAll] = useState(false);
  const [velocity, setVelocity] = useState('50');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Record<string, unknown> | null>(null);
  const [runId, setRunId] = useState<string | null>(route.params.redrive ?? null);
  const filter = { topic, q, from: win.from, to: win.to };
  const list = useInfiniteQuery({
    queryKey: ['dlq', topic, q, win.from, win.to],
    queryFn: ({ pageParam, signal }) => getJson(DlqList, 'dlq', { ...filter, limit: 100, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total;
  const redrive = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const built = buildRedrive({ ids: [...selected], all, filter, velocity, reason });
      if (!built.ok) {
        setErrors(built.errors);
        throw new Error('Fix the highlighted fields.');
      }
      setErrors({});
      const body = await send('POST', 'redrives', built.body, dryRun ? { dryRun: 'true' } : undefined);
      return { dryRun, body, res: ActionStatus.parse(body) };
    },
    onSuccess: ({ dryRun, body, res }) => {
      if (dryRun) setPreview(body && typeof body === 'object' ? (body as Record<string, unknown>) : {});
      else {
        setPreview(null);
        setRunId(res.id);
        setParams({ redrive: res.id }, true);
        setSelected(new Set());
        void qc.invalidateQueries({ queryKey: ['audit'] });
      }
    },
  });
  const toggle = (id: string): void =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const pv = preview ? previewSummary(preview) : null;
  return (
    <>
      <Panel title="Search dead letters">
        <form
          className="form-row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ topic: draft.topic.trim(), q: draft.q.trim() });
          }}
        >
          <Field label="Topic">{(id) => <input id={id} value={draft.topic} onChange={(e) => setDraft({ ...draft, topic: e.target.value })} placeholder="orders.dlq" />}</Field>
          <Field label="Key, order id or error text">{(id) => <input id={id} value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} size={30} />}</Field>
          <button type="submit" className="primary">
            Search
          </button>
          <span className="muted">in the selected time range</span>
        </form>
      </Panel>
      <Panel
        title={`Dead letters${total !== undefined && total !== null ? ` (${fmtCount(total)})` : items.length ? ` (${items.length}${list.hasNextPage ? '+' : ''})` : ''}`}
        state={list}
        isEmpty={items.length === 0}
        empty="No dead letter matches."
      >
        <table data-testid="dlq-table">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select every dead letter shown"
                  checked={items.length > 0 && items.every((i) => selected.has(i.id))}
                  onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.id)) : new Set())}
                />
              </th>
              <th>failed</th>
              <th>topic</th>
              <th>key / order</th>
              <th>error</th>
              <th className="num">attempts</th>
              <th>origin</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <Fragment key={i.id}>
                <tr className={selected.has(i.id) ? 'selected' : undefined} data-dlq-id={i.id}>
                  <td>
                    <input type="checkbox" aria-label={`Select dead letter ${i.id}`} checked={selected.has(i.id)} onChange={() => toggle(i.id)} />
                  </td>
                  <td title={i.failedAt}>{fmtAgo(Date.parse(i.failedAt), now)}</td>
                  <td>
                    {i.topic}
                    <span className="muted">
                      /{i.partition}@{String(i.offset)}
                    </span>
                  </td>
                  <td>
                    {i.key && i.key !== i.orderId && <code>{i.key}</code>}
                    {i.orderId && (
                      <>
                        {' '}
                        <a href={buildHash({ page: 'order', params: { orderId: i.orderId } })}>{i.orderId}</a>
                      </>
                    )}
                  </td>
                  <td className="error">{i.error}</td>
                  <td className="num">{i.attempts}</td>
                  <td>{i.originTopic}</td>
                  <td>
                    <button type="button" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? null : i.id)}>
                      {open === i.id ? 'Hide' : 'Payload'}
                    </button>
                  </td>
                </tr>
                {open === i.id && (
                  <tr>
                    <td colSpan={8}>
                      <Detail item={i} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
        {list.hasNextPage && (
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
      </Panel>
      <Panel title="Redrive">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            redrive.mutate(false);
          }}
        >
          <fieldset className="form-row">
            <legend>What</legend>
            <label>
              <input type="radio" name="scope" checked={!all} onChange={() => setAll(false)} /> the {selected.size} selected
            </label>
            <label>
              <input type="radio" name="scope" checked={all} onChange={() => setAll(true)} /> everything matching the search
            </label>
          </fieldset>
          {errors.selection && <p className="field-error" role="alert">{errors.selection}</p>}
          <div className="form-row">
            <Field label="Velocity (msgs/s)" error={errors.velocity}>
              {(id, d) => <input id={id} aria-describedby={d} inputMode="numeric" value={velocity} onChange={(e) => setVelocity(e.target.value)} size={6} />}
            </Field>
            <Field label="Reason" error={errors.reason}>
              {(id, d) => <input id={id} aria-describedby={d} value={reason} onChange={(e) => setReason(e.target.value)} size={34} placeholder="INC-123: fixed the consumer bug" />}
            </Field>
            <button type="button" onClick={() => redrive.mutate(true)} disabled={!canAct || redrive.isPending}>
              Dry run
            </button>
            <button type="submit" className="primary" disabled={!canAct || redrive.isPending}>
              Redrive
            </button>
          </div>
          {!canAct && <p className="muted">Your role can look but not act; operators redrive.</p>}
          <ActionError error={redrive.error} />
          {pv && (
            <div role="status" data-testid="redrive-preview" data-count={pv.count ?? ''}>
              Dry run: <strong>{pv.count === null ? 'an unknown number of' : fmtCount(pv.count)}</strong> dead letters would go back to their source topics
              {pv.groups.length ? ` and reach ${pv.groups.join(', ')}` : ''}
              {pv.cost !== null ? `, at an estimated ${fmtCost(pv.cost)}` : ''}. Nothing was moved.
              {pv.notes.map((n) => (
                <p key={n} className="muted">
                  {n}
                </p>
              ))}
            </div>
          )}
        </form>
        {runId && <ActionProgress kind="redrives" id={runId} canAct={canAct} />}
      </Panel>
    </>
  );
}
