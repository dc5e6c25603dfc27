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
import type { Anomaly, Page, RunChange, RunComparison, RunSummary } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useSession } from '../session/session.tsx';
import { useRouter, withQuery } from '../shell/router.tsx';
import { VirtualTable, type VtColumn } from '../table/virtual-table.tsx';
import { LINE_FILTERS, lineFilterProblem, readLineFilters, type LineFilters } from './anomaly-filters.ts';
import { AnomalyPanel } from './anomaly-panel.tsx';
import { detectorTitle, zeroHint } from './detector-names.ts';
import { EmptyState } from '../shell/empty-state.tsx';

const LOAD = 2000;

/** The user's data scope in words, for empty states ("trade lines of MX"). */
function scopeText(s: ReturnType<typeof useSession>): string {
  const st = s.state;
  if (st.status !== 'signed-in') return 'all data';
  return st.session.scope.grants.map((g) => `${g.category}${g.providers === '*' ? '' : ` of ${g.providers.join(', ')}`}`).join('; ') || 'no data';
}
const CHANGES: { id: RunChange; label: string }[] = [
  { id: 'new', label: 'New' },
  { id: 'changed', label: 'Changed score' },
  { id: 'gone', label: 'Gone' },
  { id: 'same', label: 'Unchanged' },
];

export function AnomaliesPage() {
  const session = useSession();
  const { api } = session;
  const { location, navigate } = useRouter();
  const selected = decodeURIComponent(location.path.split('/')[2] ?? '') || null;
  const q = location.query;
  const run = q.get('run') ?? '';
  const detector = q.get('detector') ?? '';
  const minScore = q.get('min_score') ?? '';
  const against = q.get('against') ?? '';
  const change = (against ? (q.get('change') ?? 'new') : '') as RunChange | '';
  const [comparison, setComparison] = useState<RunComparison | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [page, setPage] = useState<Page<Anomaly> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const applied = useMemo(() => readLineFilters(q), [q]);
  const [draft, setDraft] = useState<LineFilters>(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const [score, setScore] = useState(minScore);
  const provider = session.state.status === 'signed-in' ? session.state.session.user.provider : null;
  useEffect(() => setDraft(applied), [applied]);
  const panelRef = useRef<HTMLElement>(null);
  // Stacked layout (tablet): bring the explanation into view when an anomaly is chosen.
  useEffect(() => {
    if (selected && panelRef.current && window.innerWidth <= 1100) panelRef.current.scrollIntoView({ block: 'start' });
  }, [selected]);

  useEffect(() => {
    api.runs().then(setRuns, () => setRuns([]));
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
  const runList = runs ?? [];
  // Gone anomalies are listed from the compared run; the run the user chose is still the one in the select.
  const listedRunId = change === 'gone' ? (comparison?.run ?? run) : (page?.run_id ?? run);
  const currentRun = runList.find((r) => r.run_id === (listedRunId || runList[0]?.run_id));
  const shownRun = currentRun?.run_id ?? '';
  // Runs to compare with: those before the shown one (runs are listed newest first).
  const earlier = runList.slice(runList.findIndex((r) => r.run_id === shownRun) + 1);
  const counts = comparison && (detector ? comparison.detectors.find((d) => d.detector === detector) : comparison.totals);
  // Only detectors whose anomalies this user may read (a customs officer is not offered payment-mismatch).
  const detectorCounts = currentRun?.detector_counts ?? null;
  const detectors = detectorCounts ? currentRun!.detectors.filter((d) => d in detectorCounts) : [...new Set((page?.rows ?? []).map((a) => a.detector))];
  const hint = detector && detectorCounts?.[detector] === 0 ? zeroHint(detector) : null;
  const quiet = detectorCounts ? detectors.filter((d) => detectorCounts[d] === 0 && zeroHint(d)) : [];
  // No run is visible at all (no data of this scope analysed yet): nothing to filter, say what happens next.
  const noRun = runs !== null && runList.length === 0 && !loading && page?.run_id == null;
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
      { id: 'detector', label: 'Detector', width: 130, text: (a) => a.detector, title: (a) => detectorTitle(a.detector) },
      {
        id: 'subject',
        label: 'Subject',
        width: 170,
        text: (a) =>
          typeof a.evidence['payment_id'] === 'string'
            ? `payment ${a.evidence['payment_id']}`
            : a.subject.declaration_id
            ? `${a.subject.declaration_id}${a.subject.line_no !== null ? `/${a.subject.line_no}` : ''}`
            : typeof a.evidence['role'] === 'string'
              ? `${/^[aeiou]/.test(String(a.evidence['role'])) ? 'an' : 'a'} ${a.evidence['role']}${typeof a.evidence['month'] === 'string' ? `, ${a.evidence['month']}` : ''}`
              : a.subject.kind === 'pair' && a.evidence['pair']
                ? `mirror pair ${String((a.evidence['pair'] as Record<string, unknown>)['importer'] ?? '')}–${String((a.evidence['pair'] as Record<string, unknown>)['exporter'] ?? '')}`
                : a.subject.kind,
      },
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
            Run {currentRun.run_id} of {currentRun.started_at.slice(0, 16)} by {currentRun.principal}: {formatInt(currentRun.anomalies)} anomalies you can see, from {detectors.length} detectors
          </span>
        )}
      </div>
      {!noRun && (
      <div className="toolbar" role="search" aria-label="Filter anomalies">
        <label>
          Run
          <select value={run} onChange={(e) => setParam('run', e.target.value)}>
            <option value="">Latest</option>
            {runList.map((r) => (
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
                {detectorTitle(d)} ({d}){detectorCounts ? `: ${formatInt(detectorCounts[d] ?? 0)}` : ''}
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
      )}
      {(error ?? problem) && (
        <p className="error" role="alert">
          {error ?? problem}
        </p>
      )}
      <div className="status-line" aria-live="polite" data-testid="anomalies-status" data-total={page?.total ?? ""}>
        {loading && <span>Loading…</span>}
        {page && !noRun && (
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
      {hint && (
        <p className="notice" data-testid="detector-hint">
          {detectorTitle(detector)} flagged nothing in this run. {hint}
        </p>
      )}
      {!detector && quiet.length > 0 && (
        <p className="muted small" data-testid="quiet-detectors">
          Flagged nothing in this run: {quiet.map((d) => `${detectorTitle(d)} (${zeroHint(d)})`).join(' ')}
        </p>
      )}
      {noRun ? (
        <EmptyState testId="anomalies-empty" title="No analysis run covers your data yet">
          {!session.hasCategory('trade', 'row')
            ? 'Your role reads no trade lines, so no anomaly can be shown to you.'
            : provider
              ? `Your scope is ${scopeText(session)}. Anomalies of your agency's lines appear here once its uploads have been loaded and an analysis has run over them; ask the host's administrator when the next analysis runs.`
              : `Your scope is ${scopeText(session)}. Load declarations (parallax ingest FILE --category trade --provider …), then run parallax analyze: its anomalies appear here.`}
        </EmptyState>
      ) : (
      <div className="split">
        <VirtualTable
          label="Anomalies, highest score first"
          columns={columns}
          rows={rows}
          height="var(--list-height)"
          selectedIndex={selectedIndex >= 0 ? selectedIndex : null}
          onActivate={(i) => open(i)}
          empty={
            loading
              ? 'Loading…'
              : filtered || minScore || detector || against
                ? 'No anomalies match these filters: clear a filter or choose another detector.'
                : 'This run flagged nothing you can see.'
          }
          testId="anomalies-table"
        />
        <section className="panel" aria-label="Explanation" ref={panelRef}>
          <div className="panel-body">
            {selected ? <AnomalyPanel id={selected} runs={runList} /> : <p className="muted">{rows.length ? 'Select an anomaly to see why it was flagged.' : 'The explanation of an anomaly appears here.'}</p>}
          </div>
        </section>
      </div>
      )}
    </div>
  );
}
