/**
 * Sign-in: the API token is posted once to /api/v1/session, which sets an HttpOnly SameSite=Strict cookie. The
 * token lives only in this form's state and is cleared at once; it is never written to storage.
 */
import { useState, type ReactNode } from 'react';
import { errorMessage, request } from '../api/client';
import { SessionInfo } from '../api/schemas';

export function SignIn(props: { onSignedIn: (info: SessionInfo) => void }): ReactNode {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <main className="signin" id="main">
      <form
        aria-labelledby="signin-title"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          const sent = token.trim();
          setToken('');
          request('session', { method: 'POST', body: { token: sent }, signOutOn401: false })
            .then((body) => props.onSignedIn(SessionInfo.parse(body)))
            .catch((err: unknown) => setError(errorMessage(err)))
            .finally(() => setBusy(false));
        }}
      >
        <h1 id="signin-title">Switchyard</h1>
        <p className="muted">Sign in with an API token. The launcher prints the admin token at first start.</p>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} placeholder="sy_…" required aria-describedby={error ? 'signin-error' : undefined} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p id="signin-error" className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
