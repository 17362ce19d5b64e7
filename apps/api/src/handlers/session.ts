/**
 * Console sign-in: a token in, a session id out (the route puts it in an HttpOnly cookie).
 */
import type { SessionStore } from '../auth/sessions';
import type { TokenRegistry } from '../auth/tokens';
import { UnauthorizedError } from '../errors';
import type { Principal, Role } from '../types';

/** Exchanges a token for a session. 401 (`INVALID_TOKEN`) for an unknown or revoked token. */
export async function signIn(tokens: TokenRegistry, sessions: SessionStore, token: string): Promise<{ sessionId: string; tokenId: string; name: string; role: Role }> {
  const rec = await tokens.lookup(token);
  if (!rec) throw new UnauthorizedError('That token is unknown or revoked.', 'INVALID_TOKEN');
  const sessionId = await sessions.create(rec.id);
  return { sessionId, tokenId: rec.id, name: rec.name, role: rec.role };
}

/** Ends a session (a no-op when there is none). */
export async function signOut(sessions: SessionStore, sessionId: string | undefined): Promise<void> {
  if (sessionId) await sessions.destroy(sessionId);
}

/** Who the caller is. */
export function whoAmI(p: Principal): { tokenId: string; name: string; role: Role } {
  return { tokenId: p.tokenId, name: p.name, role: p.role };
}
