/**
 * Account request: anyone may ask; the named supervisor approves and an administrator activates. The
 * password is chosen now and stored only as a hash by the server.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { AccountRequested } from '../api/types.ts';
import { Link } from '../shell/router.tsx';
import { useSession } from './session.tsx';

export const REQUESTABLE_ROLES = ['investigator', 'customs-officer', 'executive', 'auditor', 'partner-analyst'] as const;

export function AccountRequestPage() {
  const { api } = useSession();
  const [f, setF] = useState({ name: '', displayName: '', agency: '', supervisor: '', role: 'investigator', justification: '', password: '', provider: '' });
  const [done, setDone] = useState<AccountRequested | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { provider, ...rest } = f;
      setDone(await api.requestAccount({ ...rest, ...(provider.trim() ? { provider: provider.trim().toUpperCase() } : {}) }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setError('This server does not take account requests (it has no sign-in).');
      else setError(err instanceof ApiError ? err.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <main className="auth-page" id="main">
        <div className="auth-card">
          <h1>Request sent</h1>
          <p role="status">
            The request for <strong>{done.name}</strong> is <strong>{done.status}</strong>: {done.message}
          </p>
          <Link to="/">Back to sign-in</Link>
        </div>
      </main>
    );
  }

  return (
    <main className="auth-page" id="main">
      <form className="auth-card wide" onSubmit={submit} aria-labelledby="req-title">
        <h1 id="req-title">Request an account</h1>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="form-grid">
          <label>
            User name
            <input required autoComplete="username" pattern="[a-z0-9._-]{2,64}" title="2 to 64 lower-case letters, digits, dot, dash or underscore" value={f.name} onChange={set('name')} />
          </label>
          <label>
            Full name
            <input required autoComplete="name" value={f.displayName} onChange={set('displayName')} />
          </label>
          <label>
            Agency
            <input required autoComplete="organization" value={f.agency} onChange={set('agency')} />
          </label>
          <label>
            Supervisor (user name)
            <input required value={f.supervisor} onChange={set('supervisor')} />
          </label>
          <label>
            Role
            <select value={f.role} onChange={set('role')}>
              {REQUESTABLE_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Data provider (partner analysts: two-letter code)
            <input value={f.provider} maxLength={2} onChange={set('provider')} />
          </label>
        </div>
        <label>
          Why you need access
          <textarea required rows={3} value={f.justification} onChange={set('justification')} />
        </label>
        <label>
          Password (at least 12 characters)
          <input required type="password" minLength={12} autoComplete="new-password" value={f.password} onChange={set('password')} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send request'}
        </button>
        <p className="muted small">
          <Link to="/">Back to sign-in</Link>
        </p>
      </form>
    </main>
  );
}
