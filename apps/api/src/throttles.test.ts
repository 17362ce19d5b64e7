/**
 * The throttle action end to end in process: validation (nothing changes, rejection audited), the control format
 * in Redis and its publish, listing with who/until, dry runs, lifting, idempotent replays, the rate limit.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '@switchyard/telemetry/clock';
import type { Api } from './app';
import { openHarness, req, type Harness } from './testing';

let h: Harness;
let api: Api;
let operator: string;

const auditRows = (target: string) =>
  h.store.query<{ action: string; outcome: string; dry_run: number; actor: string; detail: string }>('SELECT action, outcome, dry_run, actor, detail FROM audit_log WHERE target = {t:String} ORDER BY at, id', { t: target });

beforeAll(async () => {
  h = await openHarness(inject('kafkaBrokers'), inject('redisUrl'));
  api = h.api({ adminToken: 'sy_throttle_test_admin_0123456789abcdef' });
  await api.start();
  const res = await req(api, 'POST', '/api/v1/tokens', { token: 'sy_throttle_test_admin_0123456789abcdef', body: { name: 'oncall', role: 'operator' } });
  operator = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  await api?.stop();
  await h?.close();
});

describe('bad input changes nothing', () => {
  const name = `bad-${randomUUID()}`;
  const cases: { what: string; method: string; path: string; body?: unknown; raw?: string; code: string; field?: string }[] = [
    { what: 'wrong types', method: 'PUT', path: `/api/v1/throttles/group/${name}`, body: { paused: 'yes', maxRate: '5', reason: 'typed wrong' }, code: 'VALIDATION_FAILED', field: 'json.paused' },
    { what: 'malformed JSON', method: 'PUT', path: `/api/v1/throttles/group/${name}`, raw: '{"paused": tru', code: 'MALFORMED_JSON' },
    { what: 'unknown kind', method: 'PUT', path: `/api/v1/throttles/topic/${name}`, body: { paused: true, reason: 'unknown kind' }, code: 'VALIDATION_FAILED', field: 'param.kind' },
    { what: 'missing reason', method: 'PUT', path: `/api/v1/throttles/group/${name}`, body: { paused: true }, code: 'VALIDATION_FAILED', field: 'json.reason' },
    { what: 'too short reason', method: 'PUT', path: `/api/v1/throttles/group/${name}`, body: { paused: true, reason: 'no' }, code: 'VALIDATION_FAILED', field: 'json.reason' },
    { what: 'unknown field', method: 'PUT', path: `/api/v1/throttles/group/${name}`, body: { paused: true, reason: 'extra field', speed: 3 }, code: 'VALIDATION_FAILED' },
    { what: 'expiry in the past', method: 'PUT', path: `/api/v1/throttles/group/${name}`, body: { paused: true, reason: 'already over', expiresAt: '2001-01-01T00:00:00Z' }, code: 'VALIDATION_FAILED', field: 'body.expiresAt' },
    { what: 'nothing to set', method: 'PUT', path: `/api/v1/throttles/group/${name}`, body: { reason: 'does nothing' }, code: 'VALIDATION_FAILED', field: 'body' },
    { what: 'lift without a reason', method: 'DELETE', path: `/api/v1/throttles/group/${name}`, code: 'VALIDATION_FAILED', field: 'body.reason' },
  ];
  for (const c of cases) {
    it(`${c.what}: 400 problem with code ${c.code}`, async () => {
      const res = await req(api, c.method, c.path, { token: operator, body: c.body, raw: c.raw });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const p = (await res.json()) as { type: string; title: string; status: number; detail: string; code: string; errors?: { path: string; message: string }[] };
      expect(p).toMatchObject({ status: 400, code: c.code });
      expect(p.type).toMatch(/^urn:switchyard:problem:/);
      expect(p.detail.length).toBeGreaterThan(0);
      if (c.field) expect(p.errors?.map((e) => e.path)).toContain(c.field);
    });
  }
  it('left Redis untouched and audited only rejections', async () => {
    expect(await h.redis.exists(`${h.prefix}control:group:${name}`)).toBe(0);
    const rows = await auditRows(`group:${name}`);
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(new Set(rows.map((r) => r.outcome))).toEqual(new Set(['rejected']));
    expect(rows.some((r) => r.detail.startsWith('MALFORMED_JSON'))).toBe(true);
  });
});

describe('setting, listing and lifting', () => {
  it('lands in Redis in the control format, publishes, and lists who set it and until when', async () => {
    const name = `pay-${randomUUID()}`;
    const sub = new Redis(inject('redisUrl'));
    const messages: string[] = [];
    await sub.subscribe(`${h.prefix}control`);
    sub.on('message', (_ch: string, m: string) => messages.push(m));
    try {
      const before = Date.now();
      const res = await req(api, 'PUT', `/api/v1/throttles/group/${name}`, { token: operator, body: { paused: true, ttlSeconds: 600, reason: 'incident 42: payments down' } });
      expect(res.status).toBe(200);
      const out = (await res.json()) as { dryRun: boolean; auditId: string; throttle: { setBy: { name: string } } };
      expect(out.dryRun).toBe(false);
      expect(out.throttle.setBy.name).toBe('oncall');

      const raw = await h.redis.get(`${h.prefix}control:group:${name}`);
      const state = JSON.parse(raw ?? 'null') as { paused: boolean; maxRate: number | null; expiresAt: number };
      expect(Object.keys(state).sort()).toEqual(['expiresAt', 'maxRate', 'paused']);
      expect(state.paused).toBe(true);
      expect(state.maxRate).toBeNull();
      expect(state.expiresAt).toBeGreaterThanOrEqual(before + 600_000);
      expect(await h.redis.pttl(`${h.prefix}control:group:${name}`)).toBeGreaterThan(590_000);
      await expect.poll(() => messages.length).toBeGreaterThan(0);
      expect(JSON.parse(messages[0] ?? '{}')).toEqual({ kind: 'group', name });

      // A second PUT merges: the pause stays, a rate limit joins it.
      const merged = await req(api, 'PUT', `/api/v1/throttles/group/${name}`, { token: operator, body: { maxRate: 50, reason: 'ramp back up slowly' } });
      expect(merged.status).toBe(200);
      expect(JSON.parse((await h.redis.get(`${h.prefix}control:group:${name}`)) ?? 'null')).toMatchObject({ paused: true, maxRate: 50 });

      const list = (await (await req(api, 'GET', '/api/v1/throttles', { token: operator })).json()) as { items: { name: string; kind: string; paused: boolean; maxRate: number; expiresAt: string; setBy: { name: string }; reason: string }[] };
      const item = list.items.find((i) => i.name === name);
      expect(item).toMatchObject({ kind: 'group', paused: true, maxRate: 50, setBy: { name: 'oncall' }, reason: 'ramp back up slowly' });
      expect(Date.parse(item?.expiresAt ?? '')).toBe(state.expiresAt);
    } finally {
      sub.disconnect();
    }
  });

  it('previews with dryRun without changing anything, then lifts with a reason', async () => {
    const name = `q-${randomUUID()}`;
    await req(api, 'PUT', `/api/v1/throttles/queue/${name}`, { token: operator, body: { maxRate: 20, reason: 'protect the SMS provider' } });
    const key = `${h.prefix}control:queue:${name}`;
    const stored = await h.redis.get(key);

    const preview = await req(api, 'PUT', `/api/v1/throttles/queue/${name}?dryRun=true`, { token: operator, body: { paused: true, reason: 'what if we pause' } });
    expect(preview.status).toBe(200);
    const p = (await preview.json()) as { dryRun: boolean; current: { maxRate: number }; next: { paused: boolean; maxRate: number }; changes: { field: string }[]; affected: { consumers: unknown[]; note: string | null } };
    expect(p.dryRun).toBe(true);
    expect(p.current.maxRate).toBe(20);
    expect(p.next).toMatchObject({ paused: true, maxRate: 20 });
    expect(p.changes.map((c) => c.field)).toEqual(['paused']);
    expect(p.affected.consumers).toEqual([]);
    expect(p.affected.note).toContain('no BullMQ worker');
    expect(await h.redis.get(key)).toBe(stored);

    const liftPreview = await req(api, 'DELETE', `/api/v1/throttles/queue/${name}?dryRun=true&reason=checking%20first`, { token: operator });
    expect(((await liftPreview.json()) as { next: unknown }).next).toBeNull();
    expect(await h.redis.get(key)).toBe(stored);

    const lift = await req(api, 'DELETE', `/api/v1/throttles/queue/${name}`, { token: operator, body: { reason: 'provider recovered' } });
    expect(lift.status).toBe(200);
    expect(await h.redis.exists(key)).toBe(0);
    const list = (await (await req(api, 'GET', '/api/v1/throttles', { token: operator })).json()) as { items: { name: string }[] };
    expect(list.items.some((i) => i.name === name)).toBe(false);

    const rows = await auditRows(`queue:${name}`);
    expect(rows.map((r) => `${r.action}/${r.outcome}/${r.dry_run}`)).toEqual([
      'throttle.set/accepted/0',
      'throttle.set/done/0',
      'throttle.set/done/1',
      'throttle.lift/done/1',
      'throttle.lift/accepted/0',
      'throttle.lift/done/0',
    ]);
    const audit = (await (await req(api, 'GET', `/api/v1/audit?target=queue:${name}&limit=2`, { token: operator })).json()) as { items: { action: string; reason: string; actor: { name: string } }[]; nextCursor: string };
    expect(audit.items).toHaveLength(2);
    expect(audit.items[0]).toMatchObject({ action: 'throttle.lift', reason: 'provider recovered', actor: { name: 'oncall' } });
    const next = (await (await req(api, 'GET', `/api/v1/audit?target=queue:${name}&limit=10&cursor=${audit.nextCursor}`, { token: operator })).json()) as { items: unknown[]; nextCursor: string | null };
    expect(next.items).toHaveLength(4);
    expect(next.nextCursor).toBeNull();
  });

  it('a group preview names its topics and why its members are unknown on a broker without DescribeGroups', async () => {
    const name = `grp-${randomUUID()}`;
    await h.store.insert('consumer_group_status', [{ ts: new Date(), group: name, status: 'OK', lag_messages: 3, lag_seconds: 1.5, partitions: 4, topics: ['orders'], reason: '' }]);
    const res = await req(api, 'PUT', `/api/v1/throttles/group/${name}?dryRun=true`, { token: operator, body: { paused: true, reason: 'preview a group' } });
    const p = (await res.json()) as { affected: { topics: string[]; partitions: number; note: string | null } };
    expect(p.affected.topics).toEqual(['orders']);
    expect(p.affected.partitions).toBe(4);
    // The mock cluster cannot describe groups; a real broker with no members says so instead.
    expect(p.affected.note).toMatch(/did not describe the group|lists no member/);
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and body, refuses a different body', async () => {
    const name = `idem-${randomUUID()}`;
    const key = randomUUID();
    const body = { maxRate: 5, reason: 'idempotent throttle' };
    const first = await req(api, 'PUT', `/api/v1/throttles/group/${name}`, { token: operator, body, headers: { 'Idempotency-Key': key } });
    const firstBody = await first.json();
    const second = await req(api, 'PUT', `/api/v1/throttles/group/${name}`, { token: operator, body, headers: { 'Idempotency-Key': key } });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(firstBody);
    expect((await auditRows(`group:${name}`)).filter((r) => r.outcome === 'accepted')).toHaveLength(1);

    const other = await req(api, 'PUT', `/api/v1/throttles/group/${name}`, { token: operator, body: { ...body, maxRate: 6 }, headers: { 'Idempotency-Key': key } });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { code: string }).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(JSON.parse((await h.redis.get(`${h.prefix}control:group:${name}`)) ?? 'null')).toMatchObject({ maxRate: 5 });
  });
});

describe('rate limit', () => {
  it('gives 429 with Retry-After past the per-token budget, and frees up as the window slides', async () => {
    const clock = manualClock(Date.now());
    const limited = h.api({ adminToken: 'sy_throttle_test_admin_0123456789abcdef', clock, api: { actionRateLimit: 3, actionRateWindowSeconds: 60 } });
    const created = await req(limited, 'POST', '/api/v1/tokens', { token: 'sy_throttle_test_admin_0123456789abcdef', body: { name: 'busy', role: 'operator' } });
    const token = ((await created.json()) as { token: string }).token;
    const name = `rl-${randomUUID()}`;
    const put = () => req(limited, 'PUT', `/api/v1/throttles/group/${name}`, { token, body: { maxRate: 1, reason: 'rate limit test' } });
    for (let i = 0; i < 3; i++) expect((await put()).status).toBe(200);
    clock.advance(10_000);
    const refused = await put();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(50);
    expect(((await refused.json()) as { code: string }).code).toBe('RATE_LIMITED');
    clock.advance(50_001);
    expect((await put()).status).toBe(200);
  });
});
