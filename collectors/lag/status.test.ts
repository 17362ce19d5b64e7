import { describe, expect, it } from 'vitest';
import { evaluateGroupStatus, type GroupSample } from './status';
import { referenceGroups, stageLag } from './stage-lag';

const STEP = 5000;

/** One partition's history: [committed, logEnd] per sweep, 5 s apart. */
function history(points: [number, number][], opts: { topic?: string; since?: number } = {}): GroupSample[] {
  return points.map(([committed, logEnd], i) => ({
    ts: i * STEP,
    partitions: [{ topic: opts.topic ?? 't', partition: 0, committed, logEnd, lag: committed < 0 ? logEnd : Math.max(0, logEnd - committed), ...(opts.since !== undefined ? { committedSince: opts.since } : {}) }],
  }));
}

const cases: { name: string; points: [number, number][]; status: string; reason?: RegExp }[] = [
  { name: 'idle topic: no messages, no commits, lag 0', points: Array.from({ length: 10 }, () => [50, 50] as [number, number]), status: 'OK', reason: /zero/ },
  { name: 'keeping up: lag reaches zero at some point', points: [[10, 20], [20, 30], [30, 30], [31, 40]], status: 'OK' },
  { name: 'commits advance, lag steady', points: [[10, 20], [20, 30], [30, 40], [40, 50]], status: 'OK', reason: /advance/ },
  { name: 'commits advance, lag shrinking', points: [[10, 50], [30, 60], [50, 62], [60, 65]], status: 'OK' },
  { name: 'commits advance, lag grows every sweep', points: [[10, 20], [12, 30], [14, 40], [16, 50]], status: 'WARNING', reason: /grew from 10 to 34/ },
  { name: 'commits advance, lag grows with a flat step', points: [[10, 20], [12, 30], [22, 40], [24, 50]], status: 'WARNING' },
  { name: 'commits advance, lag up then down', points: [[10, 20], [12, 30], [28, 32], [30, 45]], status: 'OK' },
  { name: 'commits unchanged, lag > 0, young commit', points: [[10, 20], [10, 20], [10, 25]], status: 'STALLED', reason: /committed 10 unchanged/ },
  { name: 'too few samples to judge', points: [[10, 20], [10, 20]], status: 'OK', reason: /warming up/ },
  { name: 'rewind then advance (replay)', points: [[50, 60], [55, 60], [5, 60], [20, 60], [35, 60]], status: 'OK', reason: /advance/ },
  { name: 'rewind then advance with growing lag', points: [[50, 60], [5, 60], [6, 70], [7, 80]], status: 'WARNING' },
  { name: 'rewind just happened', points: [[50, 60], [55, 60], [56, 60], [5, 60]], status: 'OK', reason: /rewound/ },
  { name: 'committed moved backwards twice', points: [[50, 60], [40, 60], [45, 60], [30, 60]], status: 'ERROR', reason: /backwards 2 times/ },
  { name: 'no commit, idle (lag from low is 0)', points: [[-1, 0], [-1, 0], [-1, 0]], status: 'OK' },
];

describe('evaluateGroupStatus', () => {
  it.each(cases)('$name -> $status', ({ points, status, reason }) => {
    const r = evaluateGroupStatus(history(points));
    expect(r.status).toBe(status);
    if (reason) expect(r.reason).toMatch(reason);
  });

  it('no samples is OK; a failed latest fetch is ERROR', () => {
    expect(evaluateGroupStatus([]).status).toBe('OK');
    const h = history([[1, 2], [1, 2]]);
    h.push({ ts: 99, partitions: [], error: 'coordinator not available' });
    expect(evaluateGroupStatus(h)).toEqual({ status: 'ERROR', reason: 'offsets could not be fetched: coordinator not available' });
  });

  it('STALLED turns STOPPED once the commit is older than twice the window span, and recovers', () => {
    const stuck: [number, number][] = Array.from({ length: 20 }, () => [10, 30]);
    const seen: string[] = [];
    for (let n = 1; n <= stuck.length; n++) seen.push(evaluateGroupStatus(history(stuck.slice(0, n), { since: 0 }), { windowSize: 4 }).status);
    // n=3: span 10 s, age 10 s; n=4: span 15, age 15; then span 15 and age 20, 25, 30 (<= 30: STALLED), 35: STOPPED.
    expect(seen.slice(0, 8)).toEqual(['OK', 'OK', 'STALLED', 'STALLED', 'STALLED', 'STALLED', 'STALLED', 'STOPPED']);
    expect(seen.slice(8).every((s) => s === 'STOPPED')).toBe(true);
    // The consumer comes back: commits advance while the lag shrinks.
    const back = history([...stuck, [20, 30], [25, 30], [29, 31]], { since: 0 });
    back.at(-1)!.partitions[0]!.committedSince = back.at(-1)!.ts;
    expect(evaluateGroupStatus(back, { windowSize: 4 }).status).toBe('OK');
    // ...and a consumer that drains completely is OK at once.
    expect(evaluateGroupStatus(history([...stuck, [30, 30]]), { windowSize: 4 }).status).toBe('OK');
  });

  it('an explicit stoppedAfterMs decides STALLED against STOPPED', () => {
    const h = history([[10, 20], [10, 20], [10, 20]], { since: 0 });
    expect(evaluateGroupStatus(h, { stoppedAfterMs: 60_000 }).status).toBe('STALLED');
    expect(evaluateGroupStatus(h, { stoppedAfterMs: 5_000 }).status).toBe('STOPPED');
  });

  it('a group takes the worst partition and says how many share it', () => {
    const samples: GroupSample[] = [0, 1, 2].map((i) => ({
      ts: i * STEP,
      partitions: [
        { topic: 'a', partition: 0, committed: 10 + i * 10, logEnd: 20 + i * 10, lag: 10 },
        { topic: 'a', partition: 1, committed: 5, logEnd: 9, lag: 4 },
        { topic: 'b', partition: 0, committed: 7, logEnd: 8, lag: 1 },
      ],
    }));
    const r = evaluateGroupStatus(samples);
    expect(r.status).toBe('STALLED');
    expect(r.reason).toMatch(/^a\[1\]: committed 5 unchanged .*\(and 1 more partition\)$/);
  });

  it('a partition the group no longer reports is not judged', () => {
    const samples: GroupSample[] = [0, 1, 2].map((i) => ({
      ts: i * STEP,
      partitions: i < 2 ? [{ topic: 'gone', partition: 0, committed: 1, logEnd: 9, lag: 8 }] : [],
    }));
    expect(evaluateGroupStatus(samples).status).toBe('OK');
  });
});

describe('stageLag', () => {
  it('sums lag per reference stage in stage order and ignores other groups', () => {
    const rows = [
      { group: 'payment-svc', topic: 'inventory', partition: 0, lag_messages: '5', lag_seconds: 2.5 },
      { group: 'payment-svc', topic: 'inventory', partition: 1, lag_messages: '7', lag_seconds: null },
      { group: 'inventory-svc', topic: 'orders', partition: 0, lag_messages: 0, lag_seconds: 0 },
      { group: 'someone-else', topic: 'x', partition: 0, lag_messages: '100', lag_seconds: 9 },
    ];
    const out = stageLag(rows);
    expect(out.map((s) => s.stage)).toEqual(['inventory', 'payment', 'eta', 'kitchen', 'dispatch', 'tracking', 'notifier', 'loyalty']);
    expect(out[0]).toEqual({ stage: 'inventory', group: 'inventory-svc', lagMessages: 0, lagSeconds: 0, partitions: 1 });
    expect(out[1]).toEqual({ stage: 'payment', group: 'payment-svc', lagMessages: 12, lagSeconds: 2.5, partitions: 2 });
    expect(out[2]).toEqual({ stage: 'eta', group: 'eta-svc', lagMessages: 0, lagSeconds: null, partitions: 0 });
  });

  it('follows the topic prefix: only the prefixed groups are the stages', () => {
    const rows = [
      { group: 'blue.payment-svc', topic: 'blue.inventory', partition: 0, lag_messages: 4, lag_seconds: 1 },
      { group: 'green.payment-svc', topic: 'green.inventory', partition: 0, lag_messages: 40, lag_seconds: 9 },
      { group: 'payment-svc', topic: 'inventory', partition: 0, lag_messages: 400, lag_seconds: 90 },
    ];
    const out = stageLag(rows, 'blue');
    expect(out[1]).toEqual({ stage: 'payment', group: 'blue.payment-svc', lagMessages: 4, lagSeconds: 1, partitions: 1 });
    expect(out[0]).toMatchObject({ group: 'blue.inventory-svc', partitions: 0 });
    expect(stageLag(rows)[1]).toMatchObject({ group: 'payment-svc', lagMessages: 400 });
    expect(referenceGroups('blue')[1]).toBe('blue.payment-svc');
    expect(referenceGroups()).toEqual(out.map((s) => s.group.replace(/^blue\./, '')));
  });
});
