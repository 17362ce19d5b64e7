import { describe, expect, it } from 'vitest';
import { rowToJson, slowRowToJson, toJsonEachRow } from './params';

describe('rowToJson', () => {
  const at = new Date(Date.UTC(2026, 11, 4, 9, 5, 7, 42));
  const rows: Record<string, unknown>[] = [
    { ts: at, group: 'g', partition: 3, lag_seconds: null, no_commit: 1, big: 2n ** 63n - 1n },
    { ts: new Date(at.getTime() + 1), topics: ['a', 'b'], headers: new Map([['traceparent', '00-x'], ['k', 'v']]) },
    { nested: { at, n: 5n }, list: [{ at }], headers: new Map([['m', new Map([['x', 1n]])]]) },
    { ok: true, text: 'quote " and \\ and \n', none: undefined },
  ];

  it('encodes what the general encoder does, on flat and nested rows', () => {
    for (const r of rows) expect(rowToJson(r)).toBe(slowRowToJson(r));
    expect(JSON.parse(rowToJson(rows[0]!))).toEqual({ ts: '2026-12-04 09:05:07.042', group: 'g', partition: 3, lag_seconds: null, no_commit: 1, big: '9223372036854775807' });
  });

  it('follows a Date that changes between rows (the formatted-date cache is by value)', () => {
    const d = new Date(at);
    const first = rowToJson({ ts: d });
    d.setTime(at.getTime() + 1000);
    expect(rowToJson({ ts: d })).not.toBe(first);
    expect(JSON.parse(rowToJson({ ts: d })).ts).toBe('2026-12-04 09:05:08.042');
  });

  it('leaves the caller\'s row untouched', () => {
    const r = { ts: at, big: 1n };
    rowToJson(r);
    expect(r.ts).toBe(at);
    expect(r.big).toBe(1n);
    expect(toJsonEachRow([r, r]).split('\n')).toHaveLength(3);
  });
});
