/**
 * The Hono environment of the API: what middleware puts on the context for routes and the error handler.
 */
import type { Principal } from '../types';

/** An action being attempted: named before validation, so a rejection can be audited. */
export interface ActionTag {
  action: string;
  target: string;
}

export interface ApiEnv {
  Variables: {
    requestId: string;
    principal: Principal | undefined;
    /** The session id when the caller came with the console cookie. */
    sessionId: string | undefined;
    action: ActionTag | undefined;
  };
}
