/**
 * Sign-in, with the purpose prompt when the deployment requires one. Messages from the server (locked,
 * suspended) are shown as given: they tell the user what to do (e.g. whom to ask for an unlock).
 *
 * Whether a purpose is required is read before sign-in from the public GET /api/session/settings, so the
 * field is there from the start; if that answer is missing (an older server, a network error) the form
 * still shows the field after the server refuses a sign-in without one.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { Link } from '../shell/router.tsx';
import { useSession } from './session.tsx';

export function SignInPage({ notice }: { notice?: string | undefined }) {
  const { signIn, api } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [purpose, setPurpose] = useState('');
  const [needPurpose, setNeedPurpose] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState(false);

  useEffect(() => {
    let live = true;
    api.sessionSettings().then(
      (s) => {
        if (!live) return;
        setAsked(s.requirePurpose);
        if (s.requirePurpose) setNeedPurpose(true);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await signIn({ name, password, ...(purpose.trim() ? { purpose: purpose.trim() } : {}) });
      if (s.requiresPurpose && !purpose.trim()) setNeedPurpose(true);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 401) setError('The name or password is not right, or the account cannot sign in now (it locks after 5 failed attempts; an administrator can unlock it).');
        else if (err.status === 400 && /purpose/i.test(err.message)) {
          setNeedPurpose(true);
          setError('This deployment asks for the purpose or case reference of every session.');
        } else setError(err.message);
      } else setError('The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-page" id="main">
      <form className="auth-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Parallax</h1>
        <p className="muted">Trade transparency analysis. Sign in with your account.</p>
        {notice && !error && <p className="notice" role="status">{notice}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <label>
          Name
          <input name="name" autoComplete="username" required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {needPurpose && (
          <label>
            Purpose of this session (required here)
            <input name="purpose" required value={purpose} onChange={(e) => setPurpose(e.target.value)} placeholder="e.g. case 2024-117, steel under-valuation" />
          </label>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : needPurpose && !asked ? 'Continue' : 'Sign in'}
        </button>
        <p className="muted small">
          No account? <Link to="/request-account">Request one</Link>; your supervisor approves it.
        </p>
      </form>
    </main>
  );
}
