/**
 * Token management (admins): list, create (the secret is returned once), revoke. Each change is audited.
 */
import { audit } from '../audit';
import type { TokenRecord, TokenRegistry } from '../auth/tokens';
import { UnavailableError } from '../errors';
import type { Ctx, Role } from '../types';
import type { ActionContext } from './throttles';

/** Every token (never secrets or hashes). */
export async function listTokens(tokens: TokenRegistry): Promise<{ items: TokenRecord[] }> {
  return { items: await tokens.list() };
}

async function record(ctx: Ctx, act: ActionContext, action: string, target: string, detail: string): Promise<void> {
  const res = await audit(ctx.store, {
    at: ctx.clock.now(),
    actor: { id: act.principal.tokenId, name: act.principal.name },
    role: act.principal.role,
    action,
    target,
    outcome: 'done',
    detail,
    requestId: act.requestId,
    idempotencyKey: act.idempotencyKey,
  });
  if (!res.ok) ctx.logger.error('audit of a token change failed', { err: res.error, action, target });
}

/** Creates a token. */
export async function createToken(ctx: Ctx, tokens: TokenRegistry, act: ActionContext, input: { name: string; role: Role }): Promise<{ token: string; record: TokenRecord }> {
  // Probe the audit log first: a token nobody can account for must not exist.
  if (!(await ctx.store.ping())) throw new UnavailableError('ClickHouse does not answer; no token was created.', 'AUDIT_UNAVAILABLE');
  const created = await tokens.create({ name: input.name, role: input.role, createdBy: `${act.principal.name} (${act.principal.tokenId})` });
  await record(ctx, act, 'token.create', `token:${created.record.id}`, `${input.role} token "${input.name}"`);
  return created;
}

/** Revokes a token; its sessions end with it. */
export async function revokeToken(ctx: Ctx, tokens: TokenRegistry, act: ActionContext, id: string): Promise<TokenRecord> {
  const revoked = await tokens.revoke(id);
  await record(ctx, act, 'token.revoke', `token:${id}`, `${revoked.role} token "${revoked.name}"`);
  return revoked;
}
