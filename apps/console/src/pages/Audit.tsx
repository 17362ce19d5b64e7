/** Audit: who did what, when, why, and how it ended; filterable, newest first. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState, type ReactNode } from 'react';
import type { PageProps } from '../App';
import { getJson } from '../api/client';
import { AuditList } from '../api/schemas';
import { Badge, Field, Panel } from '../components/ui';
import { useTimeWindow } from '../hooks';

const OUTCOME_TONE: Record<string, 'ok' | 'bad' | 'warn' | 'info' | 'idle'> = { done: 'ok', accepted: 'info', rejected: 'bad', failed: 'bad', cancelled: 'idle' };

export default function Audit({ route, setParams }: PageProps): ReactNode {
  const win = useTimeWindow(route.params, 10_000);
  const { action = '', actor = '', outcome = '' } = route.params;
  const [draft, setDraft] = useState({ action, actor, outcome });
  const [open, setOpen] = useState<string | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['audit', action, actor, outcome, win.from, win.to],
    queryFn: ({ pageParam, signal }) => getJson(AuditList, 'audit', { action, actor, outcome, from: win.from, to: win.to, limit: 100, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Panel title="Filter">
        <form
          className="form-row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setParams(draft);
          }}
        >
          <Field label="Action">{(id) => <input id={id} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="redrive.start" />}</Field>
          <Field label="Actor">{(id) => <input id={id} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />}</Field>
          <Field label="Outcome">
            {(id) => (
              <select id={id} value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}>
                <option value="">any</option>
                {Object.keys(OUTCOME_TONE).map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="primary">
            Apply
          </button>
        </form>
      </Panel>
      <Panel title="Audit log" state={list} isEmpty={rows.length === 0} empty="No action recorded in this range.">
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th>when</th>
              <th>who</th>
              <th>action</th>
              <th>target</th>
              <th>why</th>
              <th>outcome</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Fragment key={r.id}>
                <tr data-action={r.action}>
                  <td title={r.at}>{new Date(r.at).toLocaleString()}</td>
                  <td>
                    {r.actor?.name ?? '—'} <span className="muted">{r.role}</span>
                  </td>
                  <td>
                    {r.action} {r.dryRun && <Badge tone="info">dry run</Badge>}
                  </td>
                  <td>
                    <code>{r.target}</code>
                  </td>
                  <td>{r.reason}</td>
                  <td>
                    <Badge tone={OUTCOME_TONE[r.outcome] ?? 'idle'}>{r.outcome}</Badge> <span className="muted">{r.detail}</span>
                  </td>
                  <td>
                    <button type="button" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? null : r.id)}>
                      {open === r.id ? 'Hide' : 'Details'}
                    </button>
                  </td>
                </tr>
                {open === r.id && (
                  <tr>
                    <td colSpan={7}>
                      <pre>{JSON.stringify(r, null, 2)}</pre>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
        {list.hasNextPage && (
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Load more
          </button>
        )}
      </Panel>
    </>
  );
}
