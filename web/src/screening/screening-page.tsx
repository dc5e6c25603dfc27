/**
 * Screening: a name (with optional type and country) against the latest version of every watch list the
 * user may read; candidates ranked by score, each with its per-feature explanation (token pairs, phonetic
 * agreement, coverage, type and country adjustments, identifiers, penalties) so a match can be judged
 * rather than trusted.
 *
 * The name is sent as a query parameter of a GET and never stored by the app; the server's audit records
 * the options, not the name. An optional identifier (type and value, sent as `id=TYPE:VALUE`) is exact
 * evidence: a matching IMO or BIC lifts a candidate to a match whatever the name, and the name may be left
 * empty to screen by the identifier alone. The server validates the type; the list below mirrors its
 * vocabulary (src/screening/query-identifiers.ts).
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { EntryHits, ScreenResponse, ScreenResult } from '../api/types.ts';
import { MatchExplanation } from './match-explanation.tsx';
import { useSession } from '../session/session.tsx';
import { Link } from '../shell/router.tsx';

type Hit = EntryHits['hits'][number];

const TYPES = ['', 'person', 'company', 'vessel', 'aircraft'];
const ID_TYPES: readonly (readonly [string, string])[] = [
  ['imo', 'IMO number'],
  ['mmsi', 'MMSI'],
  ['swift_bic', 'SWIFT/BIC'],
  ['passport', 'Passport'],
  ['national_id', 'National ID'],
  ['tax_id', 'Tax ID'],
  ['registration_number', 'Registration number'],
  ['digital_currency_address', 'Digital currency address'],
  ['lei', 'LEI'],
  ['duns', 'D-U-N-S'],
  ['isin', 'ISIN'],
  ['bik', 'BIK (RU)'],
  ['call_sign', 'Call sign'],
  ['aircraft_serial_number', 'Aircraft serial number'],
  ['aircraft_tail_number', 'Aircraft tail number'],
  ['aircraft_mode_s', 'Aircraft Mode S code'],
  ['drivers_license', "Driver's license"],
  ['birth_certificate', 'Birth certificate'],
  ['email', 'Email'],
  ['website', 'Website'],
  ['phone', 'Phone'],
];

export function ScreeningPage() {
  const { api, can } = useSession();
  const canParties = can('parties:read');
  const [hits, setHits] = useState<Map<string, Hit[]> | null>(null);
  const [name, setName] = useState('');
  const [type, setType] = useState('');
  const [country, setCountry] = useState('');
  const [idType, setIdType] = useState('imo');
  const [idValue, setIdValue] = useState('');
  const [result, setResult] = useState<ScreenResponse | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The trading parties whose stored screening hits name each candidate entry (batch screening of loaded data).
  useEffect(() => {
    setHits(null);
    if (!result?.results.length || !canParties) return;
    const ac = new AbortController();
    const entries = [...new Set(result.results.map((r) => `${r.list}:${r.entry_id}`))].slice(0, 50);
    api.entryHits(entries, ac.signal).then(
      (h) => {
        const m = new Map<string, Hit[]>();
        for (const x of h.hits) m.set(`${x.list}:${x.entry_id}`, [...(m.get(`${x.list}:${x.entry_id}`) ?? []), x]);
        setHits(m);
      },
      () => undefined,
    );
    return () => ac.abort();
  }, [api, result, canParties]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() && !idValue.trim()) return;
    setBusy(true);
    setError(null);
    try {
      // The client passes every query key through; `id` is the server's TYPE:VALUE identifier parameter.
      const q: Parameters<typeof api.screen>[0] & { id?: string } = {
        name: name.trim(),
        type: type || undefined,
        country: country.trim() || undefined,
        limit: 20,
        id: idValue.trim() ? `${idType}:${idValue.trim()}` : undefined,
      };
      const r = await api.screen(q);
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
          <input value={name} onChange={(e) => setName(e.target.value)} required={!idValue.trim()} maxLength={500} placeholder="company, person or vessel name" data-testid="screen-name" />
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
        <label>
          Identifier
          <select value={idType} onChange={(e) => setIdType(e.target.value)} data-testid="screen-id-type">
            {ID_TYPES.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="sr-only">Identifier value</span>
          <input value={idValue} onChange={(e) => setIdValue(e.target.value)} maxLength={200} style={{ width: 150 }} placeholder="optional, e.g. 9187629" data-testid="screen-id-value" />
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
              {result.results.length} candidate{result.results.length === 1 ? '' : 's'} of {result.candidates_scored} scored; match threshold {result.threshold}; lists {result.list_versions.join(', ') || 'none loaded'}; algorithm{' '}
              {result.algorithm_version}
            </span>
          </div>
          <ScrollBox label="Screening candidates">
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
                  {canParties && <th>Parties trading</th>}
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
                    <FragmentRows key={k} r={r} isOpen={isOpen} toggle={() => setOpen(isOpen ? null : k)} parties={canParties ? (hits?.get(`${r.list}:${r.entry_id}`) ?? (hits ? [] : null)) : undefined} />
                  );
                })}
              </tbody>
            </table>
          </ScrollBox>
          {result.results.length === 0 && <p className="muted">No candidate on the lists.</p>}
        </>
      )}
    </div>
  );
}

const key = (r: ScreenResult) => `${r.list_version}/${r.entry_id}/${r.matched_name}`;

/** The parties of the loaded data matched to an entry: undefined without parties:read, null while loading. */
function FragmentRows({ r, isOpen, toggle, parties }: { r: ScreenResult; isOpen: boolean; toggle: () => void; parties?: Hit[] | null | undefined }) {
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
        {parties !== undefined && (
          <td data-testid="entry-parties">
            {parties === null ? (
              <span className="muted">…</span>
            ) : parties.length === 0 ? (
              <span className="muted">none in your data</span>
            ) : (
              <ul className="plain-list">
                {parties.slice(0, 5).map((h) => (
                  <li key={h.hit_id}>
                    <Link to={`/parties/${encodeURIComponent(h.party_id)}`}>{h.party_name}</Link>{' '}
                    <span className="muted small">
                      {h.score.toFixed(2)}
                      {h.decision ? `, ${h.decision.replace('_', ' ')}` : h.status !== 'open' ? `, ${h.status}` : ''}
                    </span>
                  </li>
                ))}
                {parties.length > 5 && <li className="muted small">and {parties.length - 5} more</li>}
              </ul>
            )}
          </td>
        )}
        <td>
          <button type="button" aria-expanded={isOpen} aria-controls={id} onClick={toggle}>
            {isOpen ? 'Hide' : 'Why'}
          </button>
        </td>
      </tr>
      {isOpen && (
        <tr id={id}>
          <td colSpan={parties !== undefined ? 8 : 7}>
            <MatchExplanation explanation={r.explanation} score={r.score} match={r.match} />
          </td>
        </tr>
      )}
    </>
  );
}
