/**
 * Audit: the trail of events, newest first (everyone's with audit:read-all, otherwise one's own, which
 * the server enforces), filtered and paged; and verification of the hash chain and signed checkpoints,
 * with what verification cannot detect stated beside the result; for auditors (audit:read-all) also the
 * disclosure ledger, as a second view of the page (?view=disclosures, so it is a link).
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { AuditPage as AuditPageData, AuditVerifyReport } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useSession } from '../session/session.tsx';
import { useRouter } from '../shell/router.tsx';
import { DisclosureLedger } from './disclosure-ledger.tsx';

const PAGE = 100;

export function AuditPage() {
  const { api, can } = useSession();
  const all = can('audit:read-all');
  const { location, navigate } = useRouter();
  const view = all && location.query.get('view') === 'disclosures' ? 'disclosures' : 'events';
  const [filter, setFilter] = useState({ principal: '', event: '', outcome: '' });
  const [applied, setApplied] = useState(filter);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<AuditPageData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<AuditVerifyReport | null>(null);
  const [verifying, setVerifying] = useState(false);

  const load = useCallback(() => {
    if (!can('audit:read-own') && !all) return;
    api
      .audit({ principal: applied.principal || undefined, event: applied.event || undefined, outcome: applied.outcome || undefined, limit: PAGE, offset })
      .then(setData, (e: unknown) => setError(e instanceof ApiError ? (e.status === 404 ? 'This server has no audit API.' : e.message) : 'The audit trail could not be loaded.'));
  }, [api, applied, offset, all, can]);
  useEffect(() => {
    load();
  }, [load]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setApplied(filter);
  };

  const runVerify = async () => {
    setVerifying(true);
    setError(null);
    try {
      setVerify(await api.auditVerify());
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Verification failed to run.');
    } finally {
      setVerifying(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Audit</h1>
        <span className="muted small">{all ? 'Every event of every user.' : 'Your own events.'}</span>
      </div>
      {can('audit:verify') && (
        <section className="panel" aria-labelledby="verify-title">
          <div className="panel-head">
            <h2 id="verify-title">Integrity of the trail</h2>
            <button type="button" className="primary" onClick={() => void runVerify()} disabled={verifying}>
              {verifying ? 'Verifying…' : 'Verify the chain'}
            </button>
          </div>
          {verify && (
            <div className="panel-body" data-testid="verify-result" role="status">
              <p>
                {verify.intact ? (
                  <strong className="up">Intact</strong>
                ) : (
                  <strong className="down">
                    Broken at record {verify.firstBad?.id}: {verify.firstBad?.message}
                  </strong>
                )}{' '}
                · {formatInt(verify.records)} records · {verify.checkpoints.validSignatures} valid signed checkpoints (key {verify.checkpoints.keyId ?? 'none'}) ·{' '}
                {formatInt(verify.afterLastCheckpoint)} records after the last checkpoint
              </p>
              {verify.problems.length > 0 && (
                <ul>
                  {verify.problems.slice(0, 20).map((p, i) => (
                    <li key={i}>
                      {p.kind}: {p.message}
                    </li>
                  ))}
                </ul>
              )}
              <div className="two-col">
                <div>
                  <h3>Checked</h3>
                  <ul className="small">
                    {verify.checked.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </div>
                <div>
                  <h3>Cannot be detected</h3>
                  <ul className="small">
                    {verify.cannotDetect.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </div>
              </div>
            </div>
          )}
        </section>
      )}
      {all && (
        <div className="tabs" role="group" aria-label="Audit view">
          <button type="button" aria-pressed={view === 'events'} onClick={() => navigate('/audit')}>
            Events
          </button>
          <button type="button" aria-pressed={view === 'disclosures'} onClick={() => navigate('/audit?view=disclosures')}>
            Disclosure ledger
          </button>
        </div>
      )}
      {view === 'disclosures' ? (
        <DisclosureLedger />
      ) : (
        <>
      <form className="toolbar" onSubmit={submit} role="search" aria-label="Filter audit events">
        {all && (
          <label>
            User
            <input value={filter.principal} onChange={(e) => setFilter({ ...filter, principal: e.target.value })} />
          </label>
        )}
        <label>
          Event
          <input value={filter.event} onChange={(e) => setFilter({ ...filter, event: e.target.value })} placeholder="sign-in, query, export…" />
        </label>
        <label>
          Outcome
          <select value={filter.outcome} onChange={(e) => setFilter({ ...filter, outcome: e.target.value })}>
            <option value="">any</option>
            <option value="allowed">allowed</option>
            <option value="denied">denied</option>
            <option value="error">error</option>
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <div className="status-line">
            <span>
              {formatInt(data.total)} events; showing {formatInt(data.offset + 1)}–{formatInt(data.offset + data.rows.length)}
            </span>
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Newer
            </button>
            <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>
              Older
            </button>
          </div>
          <ScrollBox label="Audit events">
            <table className="plain" data-testid="audit-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>When (UTC)</th>
                  <th>Event</th>
                  <th>User</th>
                  <th>Role</th>
                  <th>Outcome</th>
                  <th className="num">Rows</th>
                  <th>Detail</th>
                  <th>Purpose</th>
                  <th>Source</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r, i) => (
                  <tr key={String(r.id ?? i)}>
                    <td className="mono">{String(r.id ?? '')}</td>
                    <td className="mono nowrap">{String(r.at ?? '').replace('T', ' ').slice(0, 19)}</td>
                    <td>{r.event}</td>
                    <td>{r.principal}</td>
                    <td>{r.role ?? ''}</td>
                    <td>{r.outcome === 'allowed' ? r.outcome : <span className="badge match">{r.outcome}</span>}</td>
                    <td className="num">{r['rowCount'] == null ? '' : formatInt(Number(r['rowCount']))}</td>
                    <td>{r.detail ?? ''}</td>
                    <td>{String(r['purpose'] ?? '')}</td>
                    <td className="mono">{r.source ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        </>
      )}
        </>
      )}
    </div>
  );
}
