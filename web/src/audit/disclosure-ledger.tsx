/**
 * The disclosure ledger (accounting of disclosures, access.md): every export and report file that left
 * the system, with who took it, for which stated purpose, to whom, how many rows and bytes, and until when
 * the entry is kept. Read-only, for auditors (GET /api/disclosures needs audit:read-all); paged newest first,
 * filtered by who disclosed or who received.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { Disclosure } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';

const PAGE = 100;

export function DisclosureLedger() {
  const api = useApi();
  const [filter, setFilter] = useState({ principal: '', recipient: '' });
  const [applied, setApplied] = useState(filter);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ total: number; rows: Disclosure[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api.disclosures({ principal: applied.principal || undefined, recipient: applied.recipient || undefined, limit: PAGE, offset }).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message : 'The disclosure ledger could not be loaded.'),
    );
  }, [api, applied, offset]);
  useEffect(() => {
    load();
  }, [load]);

  // The ledger links an audit event only where the writer knew it; the column shows when some row has one.
  const linked = data?.rows.some((d) => d.auditEventId !== null) ?? false;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setApplied({ principal: filter.principal.trim(), recipient: filter.recipient.trim() });
  };

  return (
    <section aria-labelledby="disclosures-title">
      <h2 id="disclosures-title">Disclosure ledger</h2>
      <p className="muted small">Every export and report file that left the system: kept for the retention period shown, whatever happens to the session.</p>
      <form className="toolbar" onSubmit={submit} role="search" aria-label="Filter disclosures">
        <label>
          Disclosed by
          <input value={filter.principal} onChange={(e) => setFilter({ ...filter, principal: e.target.value })} />
        </label>
        <label>
          Recipient
          <input value={filter.recipient} onChange={(e) => setFilter({ ...filter, recipient: e.target.value })} />
        </label>
        <button type="submit">Apply</button>
        <button type="button" onClick={load}>
          Refresh
        </button>
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
              {formatInt(data.total)} disclosures{data.rows.length ? `; showing ${formatInt(offset + 1)}–${formatInt(offset + data.rows.length)}` : ''}
            </span>
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Newer
            </button>
            <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>
              Older
            </button>
          </div>
          <ScrollBox label="Disclosure ledger">
            <table className="plain" data-testid="disclosures-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>When (UTC)</th>
                  <th>Disclosed by</th>
                  <th>Nature</th>
                  <th>Purpose</th>
                  <th>Recipient</th>
                  <th className="num">Rows</th>
                  <th className="num">Bytes</th>
                  {linked && <th>Audit event</th>}
                  <th>Kept until</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((d) => (
                  <tr key={d.id} data-principal={d.principal}>
                    <td className="mono">{d.id}</td>
                    <td className="mono nowrap">{d.at.replace('T', ' ').slice(0, 19)}</td>
                    <td>{d.principal}</td>
                    <td>{d.nature}</td>
                    <td>{d.purpose ?? <span className="muted">none stated</span>}</td>
                    <td>{d.recipient}</td>
                    <td className="num">{d.rowCount === null ? '' : formatInt(d.rowCount)}</td>
                    <td className="num">{d.bytes === null ? '' : formatInt(d.bytes)}</td>
                    {linked && <td className="mono">{d.auditEventId ?? ''}</td>}
                    <td className="nowrap">{d.retainUntil.slice(0, 10)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {data.rows.length === 0 && <p className="muted">No disclosures recorded.</p>}
        </>
      )}
    </section>
  );
}
