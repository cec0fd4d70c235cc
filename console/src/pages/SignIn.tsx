import { useState, type FormEvent } from 'react';

/** Sign-in with an API token; the token goes to session storage only. */
export function SignIn({ reason, onSignedIn }: { reason: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) {
      onSignedIn(token.trim());
    }
  };
  return (
    <main className="center">
      <form className="card signin" onSubmit={submit} autoComplete="off">
        <h1>Muster</h1>
        <p className="muted">Sign in with an API token (<code>muster tokens create</code>, or the demo&apos;s admin.token).</p>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" value={token} onChange={(e) => setToken(e.target.value)}
               placeholder="mst_…" autoFocus spellCheck={false} />
        {reason && <p role="alert" className="problem">{reason}</p>}
        <button type="submit" className="primary">Sign in</button>
        <p className="muted small">The token is kept in this tab&apos;s session storage only, never in an address or a log.</p>
      </form>
    </main>
  );
}
