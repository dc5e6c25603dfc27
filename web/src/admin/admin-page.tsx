/**
 * Administration: accounts and requests with the actions the workflow allows for each status and the
 * signed-in user's permissions: approve or reject a request (its named supervisor), activate an approved
 * one, unlock a locked account with a written reason, renew training and review dates; every account's
 * download quota use (quota-table.tsx), with the same unlock for an account its quota locked.
 *
 * The server enforces every rule (no self-service, status transitions, who may approve whom); buttons
 * here only follow the status so the screen offers sensible actions, and server refusals are shown as sent.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Account } from '../api/types.ts';
import { useSession } from '../session/session.tsx';
import { QuotaTable } from './quota-table.tsx';

const STATUSES = ['', 'requested', 'approved', 'active', 'locked', 'suspended', 'disabled', 'rejected'];

type Pending = { kind: 'unlock' | 'reject' | 'renew'; account: Pick<Account, 'id' | 'name'> } | null;

export function AdminPage() {
  const { api, can } = useSession();
  const [status, setStatus] = useState('');
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [text, setText] = useState('');
  // Bumped on every reload so the quota table re-reads after an action (an unlock empties a window).
  const [version, setVersion] = useState(0);

  const load = useCallback(() => {
    setVersion((v) => v + 1);
    api.accounts(status ? { status } : {}).then(
      (a) => {
        setAccounts(a);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? (e.status === 404 ? 'This server has no account management (no sign-in).' : e.message) : 'Accounts could not be loaded.'),
    );
  }, [api, status]);
  useEffect(() => {
    load();
  }, [load]);

  const act = async (label: string, f: () => Promise<Account>) => {
    setMessage(null);
    setError(null);
    try {
      const a = await f();
      setMessage(`${label}: ${a.name} is now ${a.status}.`);
      setPending(null);
      setText('');
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : `${label} failed.`);
    }
  };

  const today = new Date().toISOString().slice(0, 10);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Administration</h1>
        <span className="muted small">Account requests, approvals, activation, unlocks, renewals and download quotas. Every action is audited.</span>
      </div>
      <div className="toolbar">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={load}>
          Refresh
        </button>
      </div>
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {pending && (
        <form
          className="panel"
          aria-label={`${pending.kind} ${pending.account.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            const a = pending.account;
            if (pending.kind === 'unlock') void act('Unlocked', () => api.unlockAccount(a.id, text.trim()));
            else if (pending.kind === 'reject') void act('Rejected', () => api.rejectAccount(a.id, text.trim()));
            else void act('Renewed', () => api.renewAccount(a.id, { trainingAttestedAt: text.trim() || today }));
          }}
        >
          <div className="panel-body toolbar">
            <label className="grow">
              {pending.kind === 'renew' ? `Training attested on (YYYY-MM-DD) for ${pending.account.name}` : `Reason to ${pending.kind} ${pending.account.name} (kept in the audit trail)`}
              <input value={text} onChange={(e) => setText(e.target.value)} required={pending.kind !== 'renew'} placeholder={pending.kind === 'renew' ? today : 'e.g. identity confirmed by phone with the supervisor'} autoFocus />
            </label>
            <button type="submit" className="primary">
              {pending.kind === 'unlock' ? 'Unlock' : pending.kind === 'reject' ? 'Reject' : 'Renew'}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {accounts && (
        <div className="scroll-x">
          <table className="plain" data-testid="accounts-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Actions</th>
                <th>Full name</th>
                <th>Role</th>
                <th>Provider</th>
                <th>Agency</th>
                <th>Supervisor</th>
                <th>Status</th>
                <th>Review due</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={a.id} data-account={a.name}>
                  <td className="mono">{a.name}</td>
                  <td>
                    <div className="chips">
                      {a.status === 'requested' && can('accounts:approve') && (
                        <>
                          <button type="button" onClick={() => void act('Approved', () => api.approveAccount(a.id))}>
                            Approve
                          </button>
                          <button type="button" onClick={() => setPending({ kind: 'reject', account: a })}>
                            Reject
                          </button>
                        </>
                      )}
                      {a.status === 'approved' && can('accounts:activate') && (
                        <button type="button" onClick={() => void act('Activated', () => api.activateAccount(a.id, { trainingAttestedAt: today }))}>
                          Activate
                        </button>
                      )}
                      {a.status === 'locked' && can('accounts:unlock') && (
                        <button type="button" onClick={() => setPending({ kind: 'unlock', account: a })}>
                          Unlock
                        </button>
                      )}
                      {(a.status === 'suspended' || a.status === 'active') && can('accounts:renew') && (
                        <button type="button" onClick={() => setPending({ kind: 'renew', account: a })}>
                          Renew
                        </button>
                      )}
                    </div>
                  </td>
                  <td>{a.displayName}</td>
                  <td>{a.role}</td>
                  <td>{a.provider ?? ''}</td>
                  <td>{a.agency}</td>
                  <td>{a.supervisor ?? ''}</td>
                  <td>
                    <span className={a.status === 'locked' || a.status === 'suspended' ? 'badge match' : 'badge'}>{a.status}</span>
                    {a.lockReason && <div className="muted small">{a.lockReason}</div>}
                  </td>
                  <td className="nowrap">{a.reviewDueAt?.slice(0, 10) ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {accounts.length === 0 && <p className="muted">No accounts with this status.</p>}
        </div>
      )}
      <QuotaTable version={version} onUnlock={can('accounts:unlock') ? (a) => setPending({ kind: 'unlock', account: a }) : undefined} />
    </div>
  );
}
