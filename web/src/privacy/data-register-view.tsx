/**
 * The data register: every source with its category, provider, direction, who can see it (as the policies
 * decide, role by role) and its retention, in the columns of a public data-flow inventory; downloadable as
 * CSV. Metadata only: the server never puts a row value in it.
 */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { DataRegister } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';
import { saveDownload } from '../export/save-download.ts';

export function DataRegisterView() {
  const api = useApi();
  const [data, setData] = useState<DataRegister | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.register().then(setData, (e: unknown) => setError(e instanceof ApiError ? e.message : 'The data register could not be loaded.'));
  }, [api]);
  const download = async () => {
    try {
      saveDownload(await api.registerCsv());
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The CSV could not be downloaded.');
    }
  };
  return (
    <section aria-labelledby="register-title">
      <div className="panel-head">
        <h2 id="register-title">Data register</h2>
        <button type="button" onClick={() => void download()} disabled={!data}>
          Download CSV
        </button>
        {data && <span className="muted small">policies {data.policyVersion}; generated {data.generatedAt.slice(0, 16).replace('T', ' ')} UTC</span>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && data.entries.length === 0 && <p className="muted">Nothing has been loaded yet.</p>}
      {data && data.entries.length > 0 && (
        <div className="scroll-x" tabIndex={0} role="region" aria-label="Data register table">
          <table className="plain" data-testid="register-table">
            <thead>
              <tr>
                <th>Source</th>
                <th>Direction</th>
                <th>Classification</th>
                <th>Owner</th>
                <th>Information provided</th>
                <th>Who can see it</th>
                <th>Retention</th>
                <th className="num">Records</th>
                <th>Reference</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e, i) => (
                <tr key={`${e.source}-${e.destination}-${i}`}>
                  <td>
                    <div>{e.source}</div>
                    <div className="muted small">to {e.destination}</div>
                  </td>
                  <td>{e.direction}</td>
                  <td>{e.classification}</td>
                  <td>{e.owner}</td>
                  <td className="small">{e.informationProvided.join(', ')}</td>
                  <td className="small">
                    {Object.entries(e.access).map(([role, level]) => (
                      <div key={role}>
                        {role} <span className="muted">({level === 'aggregate' ? 'totals only' : 'rows'})</span>
                      </div>
                    ))}
                  </td>
                  <td className="small">{e.retention}</td>
                  <td className="num">{formatInt(e.records)}</td>
                  <td className="small">{e.reference}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
