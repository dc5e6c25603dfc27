/**
 * Screening: a name (with optional type and country) against the latest version of every watch list the
 * user may read; candidates ranked by score, each with its per-feature explanation (token pairs, phonetic
 * agreement, coverage, type and country adjustments, identifiers, penalties) so a match can be judged
 * rather than trusted.
 *
 * The name is sent as a query parameter of a GET and never stored by the app; the server's audit records
 * the options, not the name.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { ScreenResponse, ScreenResult } from '../api/types.ts';
import { MatchExplanation } from './match-explanation.tsx';
import { useApi } from '../session/session.tsx';

const TYPES = ['', 'person', 'company', 'vessel', 'aircraft'];

export function ScreeningPage() {
  const api = useApi();
  const [name, setName] = useState('');
  const [type, setType] = useState('');
  const [country, setCountry] = useState('');
  const [result, setResult] = useState<ScreenResponse | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.screen({ name: name.trim(), type: type || undefined, country: country.trim() || undefined, limit: 20 });
      setResult(r);
      setOpen(r.results[0] ? key(r.results[0]) : null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Screening failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Screening</h1>
        <span className="muted small">A name against the latest version of every watch list you may read.</span>
      </div>
      <form className="toolbar" onSubmit={submit} role="search" aria-label="Screen a name">
        <label className="grow">
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={500} placeholder="company, person or vessel name" data-testid="screen-name" />
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Country
          <input value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} style={{ width: 70 }} placeholder="AE" />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Screening…' : 'Screen'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <div className="status-line" aria-live="polite">
            <span>
              {result.results.length} candidates of {result.candidates_scored} scored; match threshold {result.threshold}; lists {result.list_versions.join(', ') || 'none loaded'}; algorithm{' '}
              {result.algorithm_version}
            </span>
          </div>
          <div className="scroll-x">
            <table className="plain" data-testid="screen-results">
              <caption className="muted small" style={{ textAlign: 'left' }}>
                Candidates, highest score first. Open a row for its explanation.
              </caption>
              <thead>
                <tr>
                  <th className="num">Score</th>
                  <th>Match</th>
                  <th>Entry</th>
                  <th>Matched name</th>
                  <th>Type</th>
                  <th>List</th>
                  <th>
                    <span className="sr-only">Explanation</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.results.map((r) => {
                  const k = key(r);
                  const isOpen = open === k;
                  return (
                    <FragmentRows key={k} r={r} isOpen={isOpen} toggle={() => setOpen(isOpen ? null : k)} />
                  );
                })}
              </tbody>
            </table>
          </div>
          {result.results.length === 0 && <p className="muted">No candidate on the lists.</p>}
        </>
      )}
    </div>
  );
}

const key = (r: ScreenResult) => `${r.list_version}/${r.entry_id}/${r.matched_name}`;

function FragmentRows({ r, isOpen, toggle }: { r: ScreenResult; isOpen: boolean; toggle: () => void }) {
  const id = `expl-${r.list_version}-${r.entry_id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    <>
      <tr>
        <td className="num">{r.score.toFixed(3)}</td>
        <td>{r.match ? <span className="badge match">match</span> : <span className="badge nomatch">below threshold</span>}</td>
        <td>
          {r.entry_name} <span className="muted small mono">{r.entry_id}</span>
        </td>
        <td>
          {r.matched_name}
          {r.weak_alias && <span className="badge"> weak alias</span>}
        </td>
        <td>{r.entry_type}</td>
        <td className="mono">
          {r.list} {r.list_version}
        </td>
        <td>
          <button type="button" aria-expanded={isOpen} aria-controls={id} onClick={toggle}>
            {isOpen ? 'Hide' : 'Why'}
          </button>
        </td>
      </tr>
      {isOpen && (
        <tr id={id}>
          <td colSpan={7}>
            <MatchExplanation explanation={r.explanation} score={r.score} match={r.match} />
          </td>
        </tr>
      )}
    </>
  );
}
