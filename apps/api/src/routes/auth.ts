/**
 * Sign-in for the console (a session cookie) and token management (admins).
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../auth/sessions';
import { UnauthorizedError } from '../errors';
import { signIn, signOut, whoAmI } from '../handlers/session';
import { createToken, listTokens, revokeToken } from '../handlers/tokens';
import { SessionCreate, SessionInfo, TokenCreate, TokenCreated, TokenInfo, TokenList, TokenParams } from '../schemas';
import type { ApiEnv } from './env';
import { actionGuards, checkCsrf, jsonBody, requireRole } from './middleware';
import { actionContext, idempotent, json, problems, type Services } from './services';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

export function registerAuthRoutes(app: OpenAPIHono<ApiEnv>, s: Services): void {
  const secure = s.ctx.options.secureCookie;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/session',
      tags: ['auth'],
      summary: 'Sign in with a token: sets an HttpOnly, SameSite=Strict session cookie',
      description: 'Cookie-authenticated requests that change something must also send `X-Requested-With: switchyard`.',
      middleware: [jsonBody()],
      request: { body: { content: { 'application/json': { schema: SessionCreate } }, required: true } },
      responses: { 200: json(SessionInfo, 'Signed in; the cookie is set.'), ...problems(400, 401) },
    }),
    async (c) => {
      const res = await signIn(s.tokens, s.sessions, c.req.valid('json').token);
      setCookie(c, SESSION_COOKIE, res.sessionId, { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAge: s.ctx.options.sessionTtlSeconds });
      return c.json({ tokenId: res.tokenId, name: res.name, role: res.role }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/session',
      tags: ['auth'],
      summary: 'Who the caller is',
      security,
      middleware: [requireRole('viewer')],
      responses: { 200: json(SessionInfo, 'The caller.'), ...problems(401) },
    }),
    (c) => {
      const p = c.get('principal');
      if (!p) throw new UnauthorizedError();
      return c.json(whoAmI(p), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/session',
      tags: ['auth'],
      summary: 'Sign out: ends the session and clears the cookie',
      security,
      responses: { 204: { description: 'Signed out (also when there was no session).' }, ...problems(403) },
    }),
    async (c) => {
      checkCsrf(c);
      await signOut(s.sessions, c.get('sessionId'));
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure, sameSite: 'Strict', httpOnly: true });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tokens',
      tags: ['auth'],
      summary: 'API tokens, revoked ones included (admin)',
      security,
      middleware: [requireRole('admin')],
      responses: { 200: json(TokenList, 'Every token (never a secret).'), ...problems(401, 403) },
    }),
    async (c) => c.json(await listTokens(s.tokens), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tokens',
      tags: ['auth'],
      summary: 'Create an API token (admin); its secret is in this response only',
      security,
      middleware: actionGuards(s.limiter, 'token.create', 'admin', () => 'token:new'),
      request: { body: { content: { 'application/json': { schema: TokenCreate } }, required: true } },
      responses: { 200: json(TokenCreated, 'The token and its secret.'), ...problems(400, 401, 403, 409, 429, 503) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return idempotent(
        c,
        s,
        body,
        async () => ({ status: 200, body: await createToken(s.ctx, s.tokens, actionContext(c), body) }),
        (b) => ({ ...(b as object), token: null }),
      ) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/tokens/{id}',
      tags: ['auth'],
      summary: 'Revoke an API token (admin); its sessions end with it',
      security,
      middleware: actionGuards(s.limiter, 'token.revoke', 'admin', (c) => `token:${c.req.param('id') ?? ''}`),
      request: { params: TokenParams },
      responses: { 200: json(TokenInfo, 'The revoked token.'), ...problems(401, 403, 404, 409, 429) },
    }),
    async (c) => c.json(await revokeToken(s.ctx, s.tokens, actionContext(c), c.req.valid('param').id), 200),
  );
}
