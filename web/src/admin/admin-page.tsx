/**
 * Administration: accounts and requests with the actions the workflow allows for each status and the
 * signed-in user's permissions: approve or reject a request (its named supervisor), activate an approved
 * one, unlock a locked account with a written reason, renew training and review dates; every account's
 * download quota use (quota-table.tsx), with the same unlock for an account its quota locked.
 *
 * The server enforces every rule (no self-service, status transitions, who may approve whom); buttons
 * here only follow the status so the screen offers sensible actions, and server refusals are shown as sent.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Account } from '../api/types.ts';
import { useSession } from '../session/session.tsx';
import { QuotaTable } from './quota-table.tsx';

const STATUSES = ['', 'requested', 'approved', 'active', 'locked', 'suspended', 'disabled', 'rejected'];
const ADMIN_ROLES = new Set(['administrator', 'security-administrator', 'master-administrator']);

type Pending = { kind: 'unlock' | 'reject' | 'renew' | 'activate'; account: Pick<Account, 'id' | 'name'> } | null;

const LABEL: Record<NonNullable<Pending>['kind'], string> = { unlock: 'Unlock', reject: 'Reject', renew: 'Renew', activate: 'Activate' };

export function AdminPage() {
  const { api, can, state } = useSession();
  const me = state.status === 'signed-in' ? state.session.user.name : null;
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

  // A fresh field for every action asked for (a reason typed for one must not become another's date).
  useEffect(() => setText(''), [pending?.kind, pending?.account.id]);
  const today = new Date().toISOString().slice(0, 10);
  const isDate = pending?.kind === 'renew' || pending?.kind === 'activate';
  const canCreateAdmin = can('accounts:create-admin');
  const waitingActivation = (accounts ?? []).filter((a) => a.status === 'approved');
  const mine = waitingActivation.filter((a) => !ADMIN_ROLES.has(a.role) || canCreateAdmin);

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
      {can('accounts:activate') && accounts && (
        <section className="panel" aria-labelledby="duties-title" data-testid="admin-duties">
          <div className="panel-head">
            <h2 id="duties-title">What waits for you</h2>
          </div>
          <div className="panel-body small">
            {mine.length ? (
              <p>
                {mine.length} approved request{mine.length === 1 ? '' : 's'} wait{mine.length === 1 ? 's' : ''} for activation: {mine.map((a) => `${a.name} (${a.role})`).join(', ')}. Activate each once the
                person&apos;s training is attested, giving its date.
              </p>
            ) : (
              <p>No approved request waits for activation{status ? ' with this status filter' : ''}.</p>
            )}
            {canCreateAdmin ? (
              <p>
                As master administrator you activate administrative accounts (administrator, security administrator): the person requests one on the sign-in page&apos;s &ldquo;Request
                one&rdquo; link, naming you or another supervisor; once the supervisor approves, the request appears here to activate. You can also reject an approved request with a reason,
                and read the audit trail, the disclosure ledger, the data register and the transparency report.
              </p>
            ) : (
              waitingActivation.some((a) => ADMIN_ROLES.has(a.role)) && <p>Requests for administrative roles are activated by the master administrator.</p>
            )}
          </div>
        </section>
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
            else if (pending.kind === 'activate') void act('Activated', () => api.activateAccount(a.id, { trainingAttestedAt: text.trim() }));
            else void act('Renewed', () => api.renewAccount(a.id, { trainingAttestedAt: text.trim() }));
          }}
        >
          <div className="panel-body toolbar">
            <label className="grow">
              {isDate ? `Date ${pending.account.name} completed the required training (from the training record)` : `Reason to ${pending.kind} ${pending.account.name} (kept in the audit trail)`}
              {isDate ? (
                <input type="date" value={text} onChange={(e) => setText(e.target.value)} required max={today} autoFocus />
              ) : (
                <input value={text} onChange={(e) => setText(e.target.value)} required placeholder="e.g. identity confirmed by phone with the supervisor" autoFocus />
              )}
            </label>
            <button type="submit" className="primary">
              {LABEL[pending.kind]}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {accounts && (
        <ScrollBox label="Accounts">
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
                      {a.status === 'requested' && can('accounts:approve') && a.supervisor === me && (
                        <>
                          <button type="button" onClick={() => void act('Approved', () => api.approveAccount(a.id))}>
                            Approve
                          </button>
                          <button type="button" onClick={() => setPending({ kind: 'reject', account: a })}>
                            Reject
                          </button>
                        </>
                      )}
                      {a.status === 'approved' && can('accounts:activate') && (!ADMIN_ROLES.has(a.role) || canCreateAdmin) && (
                        <button
                          type="button"
                          onClick={() => setPending({ kind: 'activate', account: a })}
                        >
                          Activate…
                        </button>
                      )}
                      {a.status === 'approved' && can('accounts:activate') && ADMIN_ROLES.has(a.role) && !canCreateAdmin && <span className="muted small">master administrator activates</span>}
                      {(a.status === 'approved' || (a.status === 'requested' && a.supervisor !== me)) && can('accounts:activate') && (
                        <button type="button" onClick={() => setPending({ kind: 'reject', account: a })}>
                          Reject
                        </button>
                      )}
                      {a.status === 'requested' && a.supervisor !== me && <span className="muted small">waits for {a.supervisor ?? 'its supervisor'}&apos;s approval</span>}
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
        </ScrollBox>
      )}
      <QuotaTable version={version} onUnlock={can('accounts:unlock') ? (a) => setPending({ kind: 'unlock', account: a }) : undefined} />
    </div>
  );
}
