/**
 * Download quotas on the administration page: for every activated account, the rows and bytes taken out in
 * its current 30-day window against its role's allowance, and whether the quota locked it (access.md).
 *
 * Invariants:
 * - Usage is read from the server (GET /api/accounts/quotas, one audited read); this table never computes
 *   a window or an allowance itself, so it shows exactly what the server enforces.
 * - Every bar has its figures and percentage in text next to it, and a quota lock is a worded badge, so
 *   nothing is said by colour alone.
 * - Unlocking goes through the page's own unlock form (written reason, audited): this table only asks for it.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { AccountQuota } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useSession } from '../session/session.tsx';

const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** Share of the allowance used; an allowance of 0 counts any use as full. */
function share(used: number, limit: number): number {
  if (limit <= 0) return used > 0 ? 1 : 0;
  return used / limit;
}

function percent(s: number): string {
  // A tiny non-zero use must not read as "0%": the administrator is looking for any use at all.
  return s > 0 && s < 0.001 ? '<0.1%' : pct.format(s);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? formatInt(v) : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

function Usage({ used, limit, label, format }: { used: number; limit: number; label: string; format: (n: number) => string }) {
  const s = share(used, limit);
  const level = s >= 1 ? 'full' : s >= 0.8 ? 'high' : 'ok';
  return (
    <div className="quota-usage" data-level={level}>
      <span aria-hidden="true" style={{ display: 'inline-block', width: 80, height: 8, background: 'var(--line-soft)', border: '1px solid var(--line)', borderRadius: 2, verticalAlign: 'middle', marginRight: 6 }}>
        <span style={{ display: 'block', height: '100%', width: `${Math.min(100, s * 100)}%`, background: level === 'ok' ? 'var(--accent)' : 'var(--flag)' }} />
      </span>
      <span className="nowrap">
        <span className="sr-only">{label}: </span>
        {format(used)} of {format(limit)} <span className={level === 'ok' ? 'muted' : ''}>({percent(s)})</span>
      </span>
    </div>
  );
}

export function QuotaTable({ version, onUnlock }: { version: number; onUnlock?: ((a: { id: number; name: string }) => void) | undefined }) {
  const { api } = useSession();
  const [rows, setRows] = useState<AccountQuota[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.accountQuotas().then(
      (r) => {
        if (!live) return;
        setRows(r);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof ApiError ? (e.status === 404 ? 'This server does not report download quotas.' : e.message) : 'Download quotas could not be loaded.');
      },
    );
    return () => {
      live = false;
    };
  }, [api, version]);

  // The accounts closest to (or past) their allowance first: those are the ones an administrator acts on.
  const sorted = rows && [...rows].sort((a, b) => Number(b.lockedByQuota) - Number(a.lockedByQuota) || Math.max(share(b.rows, b.limitRows), share(b.bytes, b.limitBytes)) - Math.max(share(a.rows, a.limitRows), share(a.bytes, a.limitBytes)) || a.name.localeCompare(b.name));

  return (
    <section className="panel" aria-labelledby="quota-heading">
      <div className="panel-head">
        <h2 id="quota-heading" style={{ margin: 0, fontSize: 15 }}>
          Download quotas
        </h2>
        <span className="muted small">Rows and bytes each account exported or paged through in its current 30-day window (since its last unlock), against its role's allowance.</span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {sorted && (
        <ScrollBox label="Download quotas">
          <table className="plain" data-testid="quota-table">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Rows used</th>
                <th scope="col">Bytes used</th>
                <th scope="col">Window since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((q) => (
                <tr key={q.id} data-account={q.name}>
                  <td>
                    <span className="mono">{q.name}</span>
                    {q.displayName !== q.name && <div className="muted small">{q.displayName}</div>}
                  </td>
                  <td>{q.role}</td>
                  <td>
                    <span className={q.status === 'locked' ? 'badge match' : 'badge'}>{q.status}</span>
                    {q.lockedByQuota && (
                      <div>
                        <span className="badge match" data-testid="locked-by-quota">
                          locked by quota
                        </span>
                      </div>
                    )}
                  </td>
                  <td>
                    <Usage used={q.rows} limit={q.limitRows} label="rows" format={formatInt} />
                  </td>
                  <td>
                    <Usage used={q.bytes} limit={q.limitBytes} label="bytes" format={formatBytes} />
                  </td>
                  <td className="nowrap">
                    <time dateTime={q.since}>{q.since.slice(0, 16).replace('T', ' ')} UTC</time>
                  </td>
                  <td>
                    {q.status === 'locked' && onUnlock && (
                      <button type="button" onClick={() => onUnlock({ id: q.id, name: q.name })} aria-label={`Unlock ${q.name}`}>
                        Unlock
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {sorted.length === 0 && <p className="muted pad-x">No activated accounts.</p>}
        </ScrollBox>
      )}
    </section>
  );
}
