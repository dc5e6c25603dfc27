/**
 * Reports: the saved reports, a builder for one (measures, dimensions, filter, period, from/to, top), its
 * result run under the signed-in user's scope, its recent runs, and exports as CSV, XLSX or PDF.
 *
 * Invariants:
 * - A report runs on the server under the caller's scope, never its author's; the table shown is the one
 *   the export files are written from (the server's report table), so what is on screen is what is sent.
 * - Suppressed cells arrive as the text "suppressed" and are shown as such, never as a number or zero.
 * - Exports go through the server (counted against the download quota, written to the disclosure ledger);
 *   the buttons act on the saved definition, so a changed but unsaved form is saved first.
 * - The selected report is in the URL (/reports/:name), so a report is a link.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { Catalogue, MeasureInfo, ReportColumn, ReportRun, ReportRunResult, SavedReport, TableValue } from '../api/types.ts';
import { ExportButton } from '../export/export-button.tsx';
import { formatChange, formatInt, formatValue } from '../format/number-format.ts';
import { useSession } from '../session/session.tsx';
import { Link, useRouter } from '../shell/router.tsx';
import { EmptyState } from '../shell/empty-state.tsx';
import { DIMENSION_KIND, useNames, withName } from '../reference/reference-names.tsx';
import { draftOf, draftProblem, EMPTY_DRAFT, inputOf, MIRROR_DIMENSIONS, PERIOD_DIMENSIONS, type Grain, type ReportDraft } from './report-draft.ts';

const PERIOD_HINT: Record<Exclude<Grain, ''>, string> = { month: '2024-03', quarter: '2024-Q1', year: '2024' };

export function ReportsPage() {
  const { api, can, hasCategory } = useSession();
  const { location, navigate } = useRouter();
  const selectedName = decodeURIComponent(location.path.split('/')[2] ?? '') || null;
  const [reports, setReports] = useState<SavedReport[] | null>(null);
  const [measures, setMeasures] = useState<MeasureInfo[]>([]);
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  const [draft, setDraft] = useState<ReportDraft>(EMPTY_DRAFT);
  const [saved, setSaved] = useState<SavedReport | null>(null);
  const [result, setResult] = useState<ReportRunResult | null>(null);
  const [runs, setRuns] = useState<ReportRun[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const canWrite = can('reports:write');
  const canExport = can('data:export');

  const loadList = useCallback(
    () =>
      api.reports().then(
        (r) => {
          setReports(r.reports);
          return r.reports;
        },
        (e: unknown) => {
          setError(e instanceof ApiError ? e.message : 'Saved reports could not be loaded.');
          return [] as SavedReport[];
        },
      ),
    [api],
  );
  useEffect(() => {
    void loadList();
    api.measures().then((m) => setMeasures(m.measures), () => undefined);
    api.catalogue().then(setCatalogue, () => undefined);
  }, [api, loadList]);

  // The report named in the URL fills the form (a new one when there is none).
  useEffect(() => {
    if (!reports) return;
    const r = selectedName ? reports.find((x) => x.name === selectedName) ?? null : null;
    setSaved(r);
    setDraft(r ? draftOf(r) : EMPTY_DRAFT);
    setResult(null);
    setRuns([]);
    if (r) api.reportRuns(r.id).then((x) => setRuns(x.runs), () => undefined);
  }, [reports, selectedName, api]);

  const source = measures.find((m) => m.id === draft.measures[0])?.source ?? null;
  const dimensions = useMemo(() => {
    if (source === 'mirror') return MIRROR_DIMENSIONS;
    const ds = source === 'enforcement' ? (catalogue as Record<string, { dimensions: { id: string; label: string }[] }> | null)?.['enforcement'] : catalogue?.trade;
    return (ds?.dimensions ?? []).filter((d) => !PERIOD_DIMENSIONS.has(d.id));
  }, [source, catalogue]);

  const dirty = !saved || JSON.stringify(inputOf(draftOf(saved), saved.formats)) !== JSON.stringify(inputOf(draft, saved.formats));
  const problem = draftProblem(draft);

  const save = async (): Promise<SavedReport | null> => {
    if (problem) {
      setError(problem);
      return null;
    }
    setError(null);
    const r = await api.saveReport(inputOf(draft, saved?.formats ?? ['csv', 'xlsx', 'pdf']));
    setSaved(r);
    await loadList();
    if (selectedName !== r.name) navigate(`/reports/${encodeURIComponent(r.name)}`, { replace: true });
    return r;
  };

  const act = async (label: string, f: () => Promise<void>) => {
    setBusy(label);
    setMessage(null);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : `${label} failed.`);
    } finally {
      setBusy(null);
    }
  };

  const onSave = (e: FormEvent) => {
    e.preventDefault();
    void act('Save', async () => {
      const r = await save();
      if (r) setMessage(`Saved ${r.name}.`);
    });
  };

  const onRun = () =>
    act('Run', async () => {
      const r = dirty && canWrite ? await save() : saved;
      if (!r) return;
      setResult(await api.runReport(r.id));
      setRuns((await api.reportRuns(r.id)).runs);
    });

  const toggle = (list: string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
  const dimensionLabel = (id: string) => (dimensions.find((d) => d.id === id)?.label ?? id).toLowerCase();
  const measureLabel = (id: string | undefined) => (measures.find((m) => m.id === id)?.name ?? 'first measure').toLowerCase();
  const measureSource = (id: string) => measures.find((m) => m.id === id)?.source ?? null;

  return (
    <div className="page reports-page">
      <div className="page-head">
        <h1>Reports</h1>
        <span className="muted small">Saved measures queries, run under your own scope; exports are counted against your download quota.</span>
      </div>
      <div className="reports-layout">
        <nav className="panel report-list" aria-label="Saved reports">
          <div className="panel-head">
            <h2>Saved</h2>
            {canWrite && (
              <Link to="/reports" className="small">
                New report
              </Link>
            )}
          </div>
          <ul data-testid="report-list">
            {(reports ?? []).map((r) => (
              <li key={r.id}>
                <Link to={`/reports/${encodeURIComponent(r.name)}`} aria-current={r.name === selectedName ? 'page' : undefined}>
                  {r.title}
                </Link>
                <div className="muted small">
                  {r.name} · {r.created_by}
                  {r.schedule ? ` · ${r.schedule}` : ''}
                </div>
              </li>
            ))}
            {reports && reports.length === 0 && <li className="muted">No saved reports yet.</li>}
          </ul>
        </nav>
        <div className="report-main">
          {!canWrite && !saved && (
            <EmptyState testId="reports-read-only" title={reports && reports.length ? 'Choose a saved report' : 'No saved report to run yet'}>
              Your role runs saved reports but does not define them: a report saved by an analyst appears on the left and runs on the data you may read.
              {reports && reports.length === 0 ? ' Ask an analyst or your administrator to save the report you need.' : ''}
            </EmptyState>
          )}
          {(canWrite || saved) && (
          <form className="panel" onSubmit={onSave} aria-label="Report definition" data-testid="report-builder">
            <div className="panel-body form-grid">
              <label>
                Name
                <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="steel-by-origin" required disabled={!canWrite} maxLength={64} />
              </label>
              <label>
                Title
                <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} placeholder="Steel imports by origin" required disabled={!canWrite} maxLength={200} />
              </label>
              <fieldset className="span-2">
                <legend>Measures</legend>
                <div className="check-grid">
                  {/* Measures that need data outside the user's scope would only fail when run. */}
                  {measures.filter((m) => m.categories.every((c) => hasCategory(c))).map((m) => (
                    <label key={m.id} className="check" data-id={m.id}>
                      <input
                        type="checkbox"
                        checked={draft.measures.includes(m.id)}
                        // One report reads one source: measures of another source are offered once the selection is cleared.
                        disabled={!canWrite || (source !== null && m.source !== source && !draft.measures.includes(m.id))}
                        onChange={() => {
                          const next = toggle(draft.measures, m.id);
                          const keepBy = next.length && measureSource(next[0]!) === source;
                          setDraft({ ...draft, measures: next, by: keepBy ? draft.by : [] });
                        }}
                      />
                      {m.name}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset className="span-2">
                <legend>Dimensions (up to 4, in order)</legend>
                <div className="check-grid">
                  {dimensions.map((d) => (
                    <label key={d.id} className="check" data-id={d.id}>
                      <input
                        type="checkbox"
                        checked={draft.by.includes(d.id)}
                        disabled={!canWrite || (!draft.by.includes(d.id) && draft.by.length >= 4)}
                        onChange={() => setDraft({ ...draft, by: toggle(draft.by, d.id) })}
                      />
                      {d.label}
                    </label>
                  ))}
                  {!dimensions.length && <span className="muted small">Pick a measure first.</span>}
                </div>
              </fieldset>
              <label className="span-2">
                Filter
                <input value={draft.where} onChange={(e) => setDraft({ ...draft, where: e.target.value })} placeholder="origin in (CN, VN) and hs2 = 72" disabled={!canWrite} maxLength={4000} />
              </label>
              <div className="toolbar span-2">
                <label>
                  Period
                  <select value={draft.period} onChange={(e) => setDraft({ ...draft, period: e.target.value as Grain, ...(e.target.value ? {} : { from: '', to: '' }) })} disabled={!canWrite}>
                    <option value="">none (whole range)</option>
                    <option value="month">month</option>
                    <option value="quarter">quarter</option>
                    <option value="year">year</option>
                  </select>
                </label>
                <label>
                  From
                  <input value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} placeholder={draft.period ? PERIOD_HINT[draft.period] : 'pick a period'} disabled={!canWrite || !draft.period} style={{ width: 110 }} maxLength={10} />
                </label>
                <label>
                  To
                  <input value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} placeholder={draft.period ? PERIOD_HINT[draft.period] : 'pick a period'} disabled={!canWrite || !draft.period} style={{ width: 110 }} maxLength={10} />
                </label>
                <label>
                  Top
                  <input value={draft.top} onChange={(e) => setDraft({ ...draft, top: e.target.value })} inputMode="numeric" placeholder="all" disabled={!canWrite} style={{ width: 80 }} maxLength={4} />
                </label>
              </div>
              <p className="muted small span-2" data-testid="report-hint">
                {draft.top && draft.by.length
                  ? `Top ${draft.top}: the ${draft.top} ${dimensionLabel(draft.by[0]!)} values with the largest ${measureLabel(draft.measures[0])} over the whole range, the rest summed as "(others)"${draft.period ? `, shown for each ${draft.period}` : ''}.`
                  : draft.period
                    ? `One row per ${draft.by.length ? `${draft.by.map(dimensionLabel).join(' and ')} and ` : ''}${draft.period}${draft.from || draft.to ? '' : ', over all the loaded data'}.`
                    : 'Pick a period to compare months, quarters or years; leave From and To empty for everything loaded.'}
              </p>
            </div>
            <div className="panel-head">
              {canWrite && (
                <button type="submit" className="primary" disabled={busy !== null}>
                  {busy === 'Save' ? 'Saving…' : 'Save'}
                </button>
              )}
              <button type="button" onClick={() => void onRun()} disabled={busy !== null || (!saved && !canWrite)}>
                {busy === 'Run' ? 'Running…' : 'Run'}
              </button>
              {saved && canExport && (
                <div className="chips" role="group" aria-label="Export the saved report">
                  {(['csv', 'xlsx', 'pdf'] as const).map((f) => (
                    <ExportButton key={f} label={`Export ${f.toUpperCase()}`} disabled={dirty} fetch={() => api.exportReport(saved.id, f)} />
                  ))}
                </div>
              )}
              {saved && dirty && <span className="muted small">Unsaved changes: exports use the saved definition.</span>}
            </div>
          </form>
          )}
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
          {result && <ReportResult r={result} />}
          {runs.length > 0 && (
            <section className="panel" aria-labelledby="runs-title">
              <div className="panel-head">
                <h2 id="runs-title">Recent runs</h2>
              </div>
              <ScrollBox label="Recent runs">
                <table className="plain" data-testid="report-runs">
                  <thead>
                    <tr>
                      <th>When (UTC)</th>
                      <th>By</th>
                      <th>Trigger</th>
                      <th>Period</th>
                      <th>Status</th>
                      <th className="num">Rows</th>
                    </tr>
                  </thead>
                  <tbody>
                    {runs.slice(0, 20).map((r) => (
                      <tr key={r.id}>
                        <td className="mono nowrap">{r.ran_at.replace('T', ' ').slice(0, 19)}</td>
                        <td>{r.ran_by}</td>
                        <td>{r.trigger}</td>
                        <td>{r.period_label ?? ''}</td>
                        <td>{r.status === 'ok' ? 'ok' : <span className="badge match">{r.status}</span>}</td>
                        <td className="num">{r.row_count === null ? '' : formatInt(r.row_count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollBox>
            </section>
          )}
        </div>
      </div>
    </div>
  );
}

function cellText(v: TableValue, unit: string | undefined): string {
  if (v === null) return '–';
  if (typeof v === 'string') return v;
  return unit === 'change' ? formatChange(v) : formatValue(v, unit);
}

interface Crosstab {
  dimension: ReportColumn;
  measure: ReportColumn;
  periods: string[];
  rows: { member: string; cells: Map<string, TableValue>; total: number }[];
}

/**
 * Members by period for one measure, when the report has a period and one dimension: a top-10 monthly report
 * reads as 11 rows (the ten and "(others)") across the months, not as hundreds of rows.
 */
function crosstabOf(t: ReportRunResult['table'], measureId: string): Crosstab | null {
  const dims = t.columns.filter((c) => c.kind === 'dimension');
  const period = t.columns.findIndex((c) => c.id === 'period');
  if (period < 0 || dims.length !== 2) return null;
  const di = t.columns.findIndex((c) => c.kind === 'dimension' && c.id !== 'period');
  const mi = t.columns.findIndex((c) => c.id === measureId);
  if (di < 0 || mi < 0) return null;
  const periods = [...new Set(t.rows.map((r) => String(r[period])))].sort();
  const members = new Map<string, Crosstab['rows'][number]>();
  for (const r of t.rows) {
    const k = String(r[di]);
    const m = members.get(k) ?? { member: k, cells: new Map(), total: 0 };
    const v = r[mi] ?? null;
    m.cells.set(String(r[period]), v);
    if (typeof v === 'number') m.total += v;
    members.set(k, m);
  }
  const rows = [...members.values()].sort((a, b) => (a.member === '(others)' ? 1 : b.member === '(others)' ? -1 : b.total - a.total));
  return { dimension: t.columns[di]!, measure: t.columns[mi]!, periods, rows };
}

/** The server's report table: dimensions, measures and change columns, the total row and the notes. */
function ReportResult({ r }: { r: ReportRunResult }) {
  const t = r.table;
  const measureCols = t.columns.filter((c) => c.kind === 'measure');
  const [view, setView] = useState<'crosstab' | 'rows'>('crosstab');
  const [measureId, setMeasureId] = useState(measureCols[0]?.id ?? '');
  const cross = useMemo(() => crosstabOf(t, measureId), [t, measureId]);
  const shown = cross && view === 'crosstab' ? cross : null;
  const memberName = useNames(cross ? DIMENSION_KIND[cross.dimension.id] : undefined, cross?.rows.map((x) => x.member) ?? []);
  const ref = useRef<HTMLElement>(null);
  // The definition fills the screen above: bring a fresh result into view.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'start' });
  }, [r]);
  const numeric = (k: string) => k === 'measure' || k === 'change';
  return (
    <section className="panel" aria-labelledby="result-title" data-testid="report-result" ref={ref}>
      <div className="panel-head">
        <h2 id="result-title">{t.title}</h2>
        <span className="muted small" data-testid="report-rows">
          {cross
            ? `${formatInt(cross.rows.length)} ${cross.dimension.label.toLowerCase()} value${cross.rows.length === 1 ? '' : 's'}${r.result.top ? ` (top ${r.result.top}${cross.rows.some((x) => x.member === '(others)') ? ' and "(others)"' : ''})` : ''} × ${formatInt(cross.periods.length)} ${r.result.period ?? 'period'}${cross.periods.length === 1 ? '' : 's'}: ${formatInt(t.rows.length)} rows in the exports`
            : `${formatInt(t.rows.length)} rows`}
          {r.result.suppressed_cells ? `; ${formatInt(r.result.suppressed_cells)} cells suppressed (too few parties or one dominant)` : ''}
          {r.result.perturbation ? '; values slightly perturbed (cell-key method)' : ''}
        </span>
        {cross && (
          <div className="tabs" role="group" aria-label="Result layout">
            <button type="button" aria-pressed={view === 'crosstab'} onClick={() => setView('crosstab')}>
              {cross.dimension.label} by {r.result.period}
            </button>
            <button type="button" aria-pressed={view === 'rows'} onClick={() => setView('rows')}>
              Rows as exported
            </button>
          </div>
        )}
        {shown && measureCols.length > 1 && (
          <label>
            Measure shown
            <select value={measureId} onChange={(e) => setMeasureId(e.target.value)}>
              {measureCols.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {t.subtitle.length > 0 && <p className="muted small pad-x">{t.subtitle.join(' · ')}</p>}
      {shown && (
        <ScrollBox label="Report by period" className="report-table-wrap">
          <table className="plain" data-testid="report-crosstab">
            <caption className="muted small caption-left">
              {shown.measure.label} by {shown.dimension.label.toLowerCase()} and {r.result.period}
            </caption>
            <thead>
              <tr>
                <th scope="col">{shown.dimension.label}</th>
                {shown.periods.map((p) => (
                  <th key={p} scope="col" className="num">
                    {p}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.rows.map((row) => (
                <tr key={row.member}>
                  <th scope="row">{withName(row.member, memberName(row.member))}</th>
                  {shown.periods.map((p) => {
                    const v = row.cells.get(p) ?? null;
                    return (
                      <td key={p} className={v === 'suppressed' ? 'num suppressed' : 'num'}>
                        {cellText(v, shown.measure.unit)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {!shown && (
      <ScrollBox label="Report rows" className="report-table-wrap">
        <table className="plain" data-testid="report-table">
          <thead>
            <tr>
              {t.columns.map((c) => (
                <th key={c.id} className={numeric(c.kind) ? 'num' : undefined} scope="col">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {t.rows.map((row, i) => (
              <tr key={i}>
                {row.map((v, j) => {
                  const c = t.columns[j]!;
                  return (
                    <td key={c.id} className={[numeric(c.kind) ? 'num' : '', v === 'suppressed' ? 'suppressed' : ''].join(' ').trim() || undefined}>
                      {cellText(v, c.unit)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          {t.total && (
            <tfoot>
              <tr>
                {t.total.map((v, j) => (
                  <th key={j} className={numeric(t.columns[j]!.kind) ? 'num' : undefined} scope={j === 0 ? 'row' : undefined}>
                    {v === null ? '' : cellText(v, t.columns[j]!.unit)}
                  </th>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      </ScrollBox>
      )}
      {t.rows.length === 0 && <p className="muted pad-x">Nothing in your scope matches this report: widen the period or the filter, or check that data for it is loaded.</p>}
      {t.notes.length > 0 && (
        <ul className="muted small notes">
          {t.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
