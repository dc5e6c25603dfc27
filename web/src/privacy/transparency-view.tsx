/**
 * The aggregate transparency report: per month, quarter or year, how the system was used, in counts only
 * (no user, no object); the current period is marked incomplete.
 */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { TransparencyPeriod, TransparencyReport } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';

type Grain = 'month' | 'quarter' | 'year';

const COLUMNS: [keyof TransparencyPeriod, string][] = [
  ['activeUsers', 'Active users'],
  ['signIns', 'Sign-ins'],
  ['failedSignIns', 'Failed sign-ins'],
  ['queries', 'Queries and views'],
  ['exports', 'Exports'],
  ['disclosures', 'Disclosures'],
  ['disclosedRows', 'Rows disclosed'],
  ['screenings', 'Screenings'],
  ['confirmedMatches', 'Confirmed matches'],
  ['analyses', 'Analyses'],
  ['loads', 'Loads'],
  ['accountChanges', 'Account and setting changes'],
  ['denials', 'Denials'],
  ['locks', 'Locks'],
  ['unlocks', 'Unlocks'],
  ['purges', 'Purges'],
  ['purgedRows', 'Rows purged'],
];

export function TransparencyView() {
  const api = useApi();
  const [grain, setGrain] = useState<Grain>('month');
  const [data, setData] = useState<TransparencyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.transparency({ grain }).then(
      (r) => {
        setData(r);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message : 'The transparency report could not be loaded.'),
    );
  }, [api, grain]);
  return (
    <section aria-labelledby="transparency-title">
      <div className="panel-head">
        <h2 id="transparency-title">Transparency report</h2>
        <label>
          Period
          <select value={grain} onChange={(e) => setGrain(e.target.value as Grain)}>
            <option value="month">month</option>
            <option value="quarter">quarter</option>
            <option value="year">year</option>
          </select>
        </label>
        <span className="muted small">Counts only: no user, record or purpose is shown.</span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <div className="scroll-x" tabIndex={0} role="region" aria-label="Transparency report table">
          <table className="plain" data-testid="transparency-table">
            <thead>
              <tr>
                <th>Period</th>
                {COLUMNS.map(([k, label]) => (
                  <th key={k} className="num">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.periods.map((p) => (
                <tr key={p.period}>
                  <td className="nowrap">
                    {p.period}
                    {!p.complete && <span className="muted small"> (incomplete)</span>}
                  </td>
                  {COLUMNS.map(([k]) => (
                    <td key={k} className="num">
                      {formatInt(p[k] as number)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                {COLUMNS.map(([k]) => (
                  <td key={k} className="num">
                    {k === 'activeUsers' ? '' : formatInt(data.totals[k as Exclude<keyof TransparencyPeriod, 'period' | 'complete' | 'activeUsers'>])}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
