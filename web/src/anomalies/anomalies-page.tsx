/**
 * Anomalies: the ranked list of a stored analysis run (highest score first) with filters, and the
 * explanation of the selected anomaly beside it. The selected anomaly is in the URL (/anomalies/:id).
 *
 * Every filter is a server filter kept in the URL (anomaly-filters.ts): run, detector and minimum score
 * on the anomaly; country, HS prefix, party and period on the lines it names; and, against an earlier run,
 * only what is new, gone or changed (the comparison is the server's: GET /api/runs/compare for the counts,
 * GET /api/anomalies?against=&change= for the list). The page loads the highest 2,000 of the filtered list
 * and says how many match in all.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Anomaly, Page, RunChange, RunComparison, RunRecord } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';
import { useRouter, withQuery } from '../shell/router.tsx';
import { VirtualTable, type VtColumn } from '../table/virtual-table.tsx';
import { LINE_FILTERS, lineFilterProblem, readLineFilters, type LineFilters } from './anomaly-filters.ts';
import { AnomalyPanel } from './anomaly-panel.tsx';

const LOAD = 2000;
const CHANGES: { id: RunChange; label: string }[] = [
  { id: 'new', label: 'New' },
  { id: 'changed', label: 'Changed score' },
  { id: 'gone', label: 'Gone' },
  { id: 'same', label: 'Unchanged' },
];

export function AnomaliesPage() {
  const api = useApi();
  const { location, navigate } = useRouter();
  const selected = decodeURIComponent(location.path.split('/')[2] ?? '') || null;
  const q = location.query;
  const run = q.get('run') ?? '';
  const detector = q.get('detector') ?? '';
  const minScore = q.get('min_score') ?? '';
  const against = q.get('against') ?? '';
  const change = (against ? (q.get('change') ?? 'new') : '') as RunChange | '';
  const [comparison, setComparison] = useState<RunComparison | null>(null);
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [page, setPage] = useState<Page<Anomaly> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const applied = useMemo(() => readLineFilters(q), [q]);
  const [draft, setDraft] = useState<LineFilters>(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const [score, setScore] = useState(minScore);
  useEffect(() => setDraft(applied), [applied]);
  const panelRef = useRef<HTMLElement>(null);
  // Stacked layout (tablet): bring the explanation into view when an anomaly is chosen.
  useEffect(() => {
    if (selected && panelRef.current && window.innerWidth <= 1100) panelRef.current.scrollIntoView({ block: 'start' });
  }, [selected]);

  useEffect(() => {
    api.runs().then(setRuns, () => undefined);
  }, [api]);

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    api
      .anomalies(
        {
          run: run || undefined, detector: detector || undefined, min_score: minScore ? Number(minScore) : undefined,
          country: applied.country || undefined, hs: applied.hs || undefined, party: applied.party || undefined, period: applied.period || undefined,
          ...(against && change ? { against, change } : {}), limit: LOAD,
        },
        ac.signal,
      )
      .then((p) => {
        setPage(p);
        requestAnimationFrame(() => performance.mark('anomalies-interactive'));
      })
      .catch((e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'Anomalies could not be loaded.'))
      .finally(() => !ac.signal.aborted && setLoading(false));
    return () => ac.abort();
  }, [api, run, detector, minScore, applied, against, change]);

  useEffect(() => {
    if (!against) return setComparison(null);
    const ac = new AbortController();
    api.compareRuns({ base: against, run: run || undefined }, ac.signal).then(setComparison, (e: unknown) => {
      if (!ac.signal.aborted) setError(e instanceof ApiError ? e.message : 'The runs could not be compared.');
    });
    return () => ac.abort();
  }, [api, run, against]);

  const setParams = (changes: Record<string, string>) => {
    const next: Record<string, string> = { run, detector, min_score: minScore, against, change: against ? change : '', ...applied, ...changes };
    if (!next['against']) next['change'] = '';
    navigate(withQuery(selected ? `/anomalies/${encodeURIComponent(selected)}` : '/anomalies', next), { replace: true });
  };
  const setParam = (k: string, v: string) => setParams({ [k]: v });
  const applyLineFilters = () => {
    const trimmed = Object.fromEntries(LINE_FILTERS.map((k) => [k, k === 'country' ? draft[k].trim().toUpperCase() : draft[k].trim()])) as LineFilters;
    const p = lineFilterProblem(trimmed);
    setProblem(p);
    if (!p) setParams(trimmed);
  };
  const filtered = LINE_FILTERS.some((k) => applied[k]);

  const rows = page?.rows ?? [];
  // Gone anomalies are listed from the compared run; the run the user chose is still the one in the select.
  const listedRunId = change === 'gone' ? (comparison?.run ?? run) : (page?.run_id ?? run);
  const currentRun = runs.find((r) => r.run_id === (listedRunId || runs[0]?.run_id));
  const shownRun = currentRun?.run_id ?? '';
  // Runs to compare with: those before the shown one (runs are listed newest first).
  const earlier = runs.slice(runs.findIndex((r) => r.run_id === shownRun) + 1);
  const counts = comparison && (detector ? comparison.detectors.find((d) => d.detector === detector) : comparison.totals);
  const detectors = currentRun?.detectors ?? [...new Set((page?.rows ?? []).map((a) => a.detector))];
  const selectedIndex = rows.findIndex((a) => a.anomaly_id === selected);
  const queryString = location.query.toString();

  const columns = useMemo<VtColumn<Anomaly>[]>(
    () => [
      {
        id: 'score',
        label: 'Score',
        width: 110,
        numeric: true,
        text: (a) => a.score.toFixed(1),
        render: (a) => (
          <>
            <span className="score-bar" style={{ width: Math.round(a.score * 0.4) }} aria-hidden="true" />
            {a.score.toFixed(1)}
          </>
        ),
      },
      { id: 'detector', label: 'Detector', width: 130, text: (a) => a.detector },
      { id: 'subject', label: 'Subject', width: 170, text: (a) => (a.subject.declaration_id ? `${a.subject.declaration_id}${a.subject.line_no !== null ? `/${a.subject.line_no}` : ''}` : a.subject.kind) },
      { id: 'reason', label: 'Reason', width: 620, text: (a) => a.reason },
    ],
    [],
  );

  const open = (i: number) => {
    const a = rows[i];
    if (a) navigate(`/anomalies/${encodeURIComponent(a.anomaly_id)}${queryString ? `?${queryString}` : ''}`);
  };

  return (
    <div className="page anomalies-page">
      <div className="page-head">
        <h1>Anomalies</h1>
        {currentRun && (
          <span className="muted small">
            Run {currentRun.run_id}, {currentRun.started_at.slice(0, 16)}, {formatInt(currentRun.anomalies)} anomalies, detectors {currentRun.detectors.join(', ')}
          </span>
        )}
      </div>
      <div className="toolbar" role="search" aria-label="Filter anomalies">
        <label>
          Run
          <select value={run} onChange={(e) => setParam('run', e.target.value)}>
            <option value="">Latest</option>
            {runs.map((r) => (
              <option key={r.run_id} value={r.run_id}>
                {r.run_id} ({r.started_at.slice(0, 10)})
              </option>
            ))}
          </select>
        </label>
        <label>
          Compare with
          <select value={against} onChange={(e) => setParams({ against: e.target.value, change: e.target.value ? change || 'new' : '' })}>
            <option value="">No comparison</option>
            {earlier.map((r) => (
              <option key={r.run_id} value={r.run_id}>
                {r.run_id} ({r.started_at.slice(0, 10)})
              </option>
            ))}
          </select>
        </label>
        {against && (
          <label>
            Show
            <select value={change} onChange={(e) => setParam('change', e.target.value)}>
              {CHANGES.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                  {counts ? ` (${formatInt(counts[c.id])})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Detector
          <select value={detector} onChange={(e) => setParam('detector', e.target.value)}>
            <option value="">All</option>
            {detectors.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setParam('min_score', score);
          }}
        >
          <label>
            Minimum score
            <input type="number" min={0} max={100} step={1} value={score} onChange={(e) => setScore(e.target.value)} onBlur={() => score !== minScore && setParam('min_score', score)} style={{ width: 90 }} />
          </label>
        </form>
        <form
          className="toolbar-group"
          aria-label="Filter by the anomalies' lines"
          onSubmit={(e) => {
            e.preventDefault();
            applyLineFilters();
          }}
        >
          <label>
            Country
            <input value={draft.country} onChange={(e) => setDraft({ ...draft, country: e.target.value })} maxLength={2} style={{ width: 70 }} placeholder="CN" />
          </label>
          <label>
            HS code
            <input value={draft.hs} onChange={(e) => setDraft({ ...draft, hs: e.target.value })} style={{ width: 90 }} placeholder="7208" inputMode="numeric" maxLength={10} />
          </label>
          <label>
            Party
            <input value={draft.party} onChange={(e) => setDraft({ ...draft, party: e.target.value })} style={{ width: 150 }} maxLength={200} placeholder="name or party id" />
          </label>
          <label>
            Period
            <input value={draft.period} onChange={(e) => setDraft({ ...draft, period: e.target.value })} style={{ width: 100 }} placeholder="2024-03" maxLength={7} />
          </label>
          <button type="submit">Apply</button>
          {filtered && (
            <button type="button" onClick={() => setParams({ country: '', hs: '', party: '', period: '' })}>
              Clear
            </button>
          )}
        </form>
      </div>
      {(error ?? problem) && (
        <p className="error" role="alert">
          {error ?? problem}
        </p>
      )}
      <div className="status-line" aria-live="polite" data-testid="anomalies-status" data-total={page?.total ?? ""}>
        {loading && <span>Loading…</span>}
        {page && (
          <span>
            {formatInt(page.total)} anomalies match{page.truncated ? `; the highest ${formatInt(page.rows.length)} are listed` : ''}
            {filtered ? ` (lines filtered by ${LINE_FILTERS.filter((k) => applied[k]).map((k) => `${k} ${applied[k]}`).join(', ')})` : ''}
          </span>
        )}
        {comparison && counts && (
          <span data-testid="run-comparison">
            {' '}
            · {comparison.run} against {comparison.base}: {formatInt(counts.new)} new, {formatInt(counts.gone)} gone, {formatInt(counts.changed)} changed in score
            {change === 'gone' ? ` (listed from ${comparison.base})` : ''}
            {comparison.detectors.some((d) => d.settings_changed && (!detector || d.detector === detector)) ? '; some detector settings differ between the runs' : ''}
          </span>
        )}
      </div>
      <div className="split">
        <VirtualTable
          label="Anomalies, highest score first"
          columns={columns}
          rows={rows}
          height="var(--list-height)"
          selectedIndex={selectedIndex >= 0 ? selectedIndex : null}
          onActivate={(i) => open(i)}
          empty={loading ? 'Loading…' : page?.run_id === null ? 'No analysis run yet: run parallax analyze.' : 'No anomalies match.'}
          testId="anomalies-table"
        />
        <section className="panel" aria-label="Explanation" ref={panelRef}>
          <div className="panel-body">{selected ? <AnomalyPanel id={selected} runs={runs} /> : <p className="muted">Select an anomaly to see why it was flagged.</p>}</div>
        </section>
      </div>
    </div>
  );
}
