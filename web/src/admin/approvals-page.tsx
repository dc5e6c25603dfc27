/**
 * Approvals: the account requests that name the signed-in user as supervisor (access.md: request →
 * supervisor approval → administrator activation). Any role may be named a supervisor, so this page is
 * not the administration page: it shows only the requests waiting for this user, with approve and reject
 * (a reason, kept in the audit trail). The server checks that the approver is the named supervisor.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Account } from '../api/types.ts';
import { useApi } from '../session/session.tsx';

export function ApprovalsPage() {
  const api = useApi();
  const [requests, setRequests] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<Account | null>(null);
  const [reason, setReason] = useState('');

  const load = useCallback(() => {
    api.approvals().then(
      (a) => {
        setRequests(a);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message : 'Requests could not be loaded.'),
    );
  }, [api]);
  useEffect(() => {
    load();
  }, [load]);

  const act = async (label: string, f: () => Promise<Account>) => {
    setMessage(null);
    setError(null);
    try {
      const a = await f();
      setMessage(`${label}: ${a.name} is now ${a.status}${a.status === 'approved' ? '; an administrator activates the account next' : ''}.`);
      setRejecting(null);
      setReason('');
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : `${label} failed.`);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Approvals</h1>
        <span className="muted small">Account requests that name you as supervisor. Approve only people you supervise; every decision is audited.</span>
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
      {rejecting && (
        <form
          className="panel"
          aria-label={`reject ${rejecting.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void act('Rejected', () => api.rejectAccount(rejecting.id, reason.trim()));
          }}
        >
          <div className="panel-body toolbar">
            <label className="grow">
              Reason to reject {rejecting.name} (kept in the audit trail)
              <input value={reason} onChange={(e) => setReason(e.target.value)} required autoFocus />
            </label>
            <button type="submit" className="primary">
              Reject
            </button>
            <button type="button" onClick={() => setRejecting(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {requests && requests.length === 0 && <p className="muted">No requests are waiting for you.</p>}
      {requests && requests.length > 0 && (
        <ScrollBox label="Requests waiting for you">
          <table className="plain" data-testid="approvals-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Actions</th>
                <th>Full name</th>
                <th>Role</th>
                <th>Provider</th>
                <th>Agency</th>
                <th>Justification</th>
                <th>Requested (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((a) => (
                <tr key={a.id} data-account={a.name}>
                  <td className="mono">{a.name}</td>
                  <td>
                    <div className="chips">
                      <button type="button" onClick={() => void act('Approved', () => api.approveAccount(a.id))}>
                        Approve
                      </button>
                      <button type="button" onClick={() => setRejecting(a)}>
                        Reject
                      </button>
                    </div>
                  </td>
                  <td>{a.displayName}</td>
                  <td>{a.role}</td>
                  <td>{a.provider ?? ''}</td>
                  <td>{a.agency}</td>
                  <td>{a.justification ?? ''}</td>
                  <td className="mono nowrap">{a.requestedAt.replace('T', ' ').slice(0, 16)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </div>
  );
}
