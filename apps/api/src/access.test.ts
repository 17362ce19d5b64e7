/**
 * Access: first-start admin token, token management, roles on every action endpoint, cookie sessions and the
 * CSRF rule, the OpenAPI document and docs page. Real chDB, real Redis, in-process requests.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Api } from './app';
import { hashToken } from './auth/tokens';
import { openHarness, req, type Harness } from './testing';

let h: Harness;
let api: Api;
let admin: string;
let operator: string;
let viewer: string;
let firstStart: { first?: string; second?: string };

const newToken = async (role: string, name: string): Promise<{ token: string; id: string }> => {
  const res = await req(api, 'POST', '/api/v1/tokens', { token: admin, body: { name, role } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string; record: { id: string } };
  return { token: body.token, id: body.record.id };
};

beforeAll(async () => {
  h = await openHarness(inject('kafkaBrokers'), inject('redisUrl'));
  api = h.api();
  const first = await api.start();
  const second = await h.api().start();
  firstStart = { first: first.generatedAdminToken, second: second.generatedAdminToken };
  admin = first.generatedAdminToken ?? '';
  operator = (await newToken('operator', 'operator-1')).token;
  viewer = (await newToken('viewer', 'viewer-1')).token;
});

afterAll(async () => {
  await api?.stop();
  await h?.close();
});

describe('first start', () => {
  it('generates one admin token on the first start and none on the next; only its hash is stored', async () => {
    expect(firstStart.first).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(firstStart.second).toBeUndefined();
    const rows = await h.store.query<{ hash: string; role: string }>('SELECT hash, role FROM api_tokens FINAL');
    expect(rows.some((r) => r.hash === hashToken(admin) && r.role === 'admin')).toBe(true);
    const leaked = await h.store.query(`SELECT id FROM api_tokens WHERE hash = {t:String} OR name = {t:String} OR created_by = {t:String}`, { t: admin });
    expect(leaked).toHaveLength(0);
    expect((await req(api, 'GET', '/api/v1/tokens', { token: admin })).status).toBe(200);
  });

  it('takes SWITCHYARD_ADMIN_TOKEN as an admin token without generating one', async () => {
    const envToken = 'sy_configured_admin_token_for_tests_0123456789';
    const other = h.api({ adminToken: envToken });
    expect(await other.start()).toEqual({});
    const res = await req(other, 'GET', '/api/v1/tokens', { token: envToken });
    expect(res.status).toBe(200);
  });
});

describe('roles on action endpoints', () => {
  const actions: { method: string; path: string; body?: unknown; minRole: 'operator' | 'admin' }[] = [
    { method: 'PUT', path: '/api/v1/throttles/group/roles-g', body: { paused: true, reason: 'role check' }, minRole: 'operator' },
    { method: 'DELETE', path: '/api/v1/throttles/queue/roles-q?reason=role%20check', minRole: 'operator' },
    { method: 'POST', path: '/api/v1/tokens', body: { name: 'x', role: 'viewer' }, minRole: 'admin' },
    { method: 'DELETE', path: '/api/v1/tokens/some-id', minRole: 'admin' },
  ];
  for (const a of actions) {
    it(`${a.method} ${a.path} refuses anonymous (401) and viewer (403) callers`, async () => {
      const anon = await req(api, a.method, a.path, { body: a.body });
      expect(anon.status).toBe(401);
      expect(anon.headers.get('content-type')).toContain('application/problem+json');
      expect(((await anon.json()) as { code: string }).code).toBe('UNAUTHORIZED');
      const low = await req(api, a.method, a.path, { token: viewer, body: a.body });
      expect(low.status).toBe(403);
      expect(((await low.json()) as { code: string }).code).toBe('ROLE_REQUIRED');
      if (a.minRole === 'admin') expect((await req(api, a.method, a.path, { token: operator, body: a.body })).status).toBe(403);
    });
  }

  it('refuses an unknown bearer token even on reads', async () => {
    const res = await req(api, 'GET', '/api/v1/throttles', { token: 'sy_not-a-real-token' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('INVALID_TOKEN');
  });

  it('left no control key and audited the refused callers it knew', async () => {
    expect(await h.redis.exists(`${h.prefix}control:group:roles-g`)).toBe(0);
    const rows = await h.store.query<{ outcome: string; actor: string }>(`SELECT outcome, actor FROM audit_log WHERE target = 'group:roles-g'`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.outcome === 'rejected' && r.actor === 'viewer-1')).toBe(true);
  });
});

describe('tokens', () => {
  it('creates a token that works, lists it without secrets, revokes it', async () => {
    const t = await newToken('viewer', 'short-lived');
    expect((await req(api, 'GET', '/api/v1/throttles', { token: t.token })).status).toBe(200);
    const list = (await (await req(api, 'GET', '/api/v1/tokens', { token: admin })).json()) as { items: Record<string, unknown>[] };
    const item = list.items.find((i) => i.id === t.id);
    expect(item).toMatchObject({ name: 'short-lived', role: 'viewer', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(t.token);
    expect(JSON.stringify(list)).not.toContain(hashToken(t.token));

    const rev = await req(api, 'DELETE', `/api/v1/tokens/${t.id}`, { token: admin });
    expect(rev.status).toBe(200);
    expect(((await rev.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expect((await req(api, 'GET', '/api/v1/throttles', { token: t.token })).status).toBe(401);
    const again = await req(api, 'DELETE', `/api/v1/tokens/${t.id}`, { token: admin });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('ALREADY_REVOKED');
    expect((await req(api, 'DELETE', '/api/v1/tokens/no-such-id', { token: admin })).status).toBe(404);
  });

  it('a revoked token stops working in another API process once its cache lapses', async () => {
    const other = h.api({ api: { tokenCacheTtlMs: 0 } });
    const t = await newToken('viewer', 'seen-elsewhere');
    expect((await req(other, 'GET', '/api/v1/throttles', { token: t.token })).status).toBe(200);
    await req(api, 'DELETE', `/api/v1/tokens/${t.id}`, { token: admin });
    expect((await req(other, 'GET', '/api/v1/throttles', { token: t.token })).status).toBe(401);
  });

  it('rejects a bad token request with a problem', async () => {
    const res = await req(api, 'POST', '/api/v1/tokens', { token: admin, body: { name: 'x', role: 'root' } });
    expect(res.status).toBe(400);
    const p = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(p.code).toBe('VALIDATION_FAILED');
    expect(p.errors.map((e) => e.path)).toContain('json.role');
  });
});

describe('cookie session', () => {
  it('signs in with a token, needs the CSRF header to change things, signs out', async () => {
    const login = await req(api, 'POST', '/api/v1/session', { body: { token: operator } });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sy_session=[A-Za-z0-9_-]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain(operator);
    const cookie = setCookie.split(';')[0] ?? '';

    const me = await req(api, 'GET', '/api/v1/session', { headers: { Cookie: cookie } });
    expect(await me.json()).toMatchObject({ name: 'operator-1', role: 'operator' });

    const body = { paused: true, reason: 'cookie test' };
    const noHeader = await req(api, 'PUT', '/api/v1/throttles/group/cookie-g', { body, headers: { Cookie: cookie } });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { code: string }).code).toBe('CSRF_HEADER_REQUIRED');
    expect(await h.redis.exists(`${h.prefix}control:group:cookie-g`)).toBe(0);

    const withHeader = await req(api, 'PUT', '/api/v1/throttles/group/cookie-g', { body, headers: { Cookie: cookie, 'X-Requested-With': 'switchyard' } });
    expect(withHeader.status).toBe(200);
    expect(await h.redis.exists(`${h.prefix}control:group:cookie-g`)).toBe(1);

    expect((await req(api, 'DELETE', '/api/v1/session', { headers: { Cookie: cookie } })).status).toBe(403);
    const out = await req(api, 'DELETE', '/api/v1/session', { headers: { Cookie: cookie, 'X-Requested-With': 'switchyard' } });
    expect(out.status).toBe(204);
    expect((await req(api, 'GET', '/api/v1/session', { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('refuses a sign-in with an unknown token', async () => {
    const res = await req(api, 'POST', '/api/v1/session', { body: { token: 'sy_nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('OpenAPI and docs', () => {
  it('serves a valid OpenAPI 3 document with every route', async () => {
    const res = await req(api, 'GET', '/api/openapi.json');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\./);
    const ops = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    const expected = [
      'POST /api/v1/session',
      'GET /api/v1/session',
      'DELETE /api/v1/session',
      'GET /api/v1/tokens',
      'POST /api/v1/tokens',
      'DELETE /api/v1/tokens/{id}',
      'GET /api/v1/consumer-groups',
      'GET /api/v1/consumer-groups/{group}',
      'GET /api/v1/queues',
      'GET /api/v1/audit',
      'PUT /api/v1/throttles/{kind}/{name}',
      'DELETE /api/v1/throttles/{kind}/{name}',
      'GET /api/v1/throttles',
      'GET /api/v1/stream',
      'GET /api/openapi.json',
      'GET /api/docs',
      'GET /metrics',
    ];
    // The action and observation routes are checked in actions.test.ts.
    for (const op of expected) expect(ops, op).toContain(op);
  });

  it('serves a self-contained docs page listing the operations', async () => {
    const res = await req(api, 'GET', '/api/docs');
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('/api/v1/throttles/{kind}/{name}');
    expect(html).toContain('/api/v1/consumer-groups/{group}');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!localhost)/i);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await req(api, 'GET', '/api/v1/nothing-here', { token: viewer });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not found' });
  });
});
