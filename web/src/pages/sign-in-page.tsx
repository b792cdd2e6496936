import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { useSession } from '../auth/session-context.tsx';

/**
 * Sign-in with an API token that has the `read` scope. The token is checked with a one-row read before it
 * is kept (in sessionStorage only); a wrong token says so clearly.
 */
export function SignInPage() {
  const { signIn, notice } = useSession();
  const id = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Paste a token first.');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await api.probe(t);
      signIn(t);
    } catch (err) {
      setError(describe(err));
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} className="sign-in-card" aria-labelledby={`${id}-title`} noValidate>
        <h1 id={`${id}-title`}>Sign in to the audit log</h1>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor={`${id}-token`}>API token</label>
        <input
          id={`${id}-token`}
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        />
        <p id={`${id}-hint`} className="muted small">
          A token with the <code>read</code> scope (<code>auditlog token create --scopes read</code>). It is
          kept in this tab only and forgotten when the tab closes.
        </p>
        {error ? (
          <p id={`${id}-error`} className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'This token was not accepted: it is unknown, revoked or expired.';
    if (err.status === 403) return 'This token is valid but lacks the read scope needed to view the log.';
    if (err.status === 429) return 'Too many failed attempts from this address. Wait a minute and try again.';
    return err.message;
  }
  return 'The audit log server could not be reached.';
}
