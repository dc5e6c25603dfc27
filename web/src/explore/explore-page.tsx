/**
 * Explore: pick dimensions, measures and a filter; see the grouped result as a virtualised table and as a
 * chart of the same rows; sort any column; open the lines behind any cell; export CSV through the server
 * (counted against the download quota and written to the disclosure ledger).
 *
 * Invariants:
 * - The query lives in the URL (dataset, by, measure, where, rows), so a result is a link an analyst can
 *   share and a reload shows the same thing.
 * - Results load in pages of up to 10,000 groups until the requested row count; sorting re-sorts in the
 *   browser only when every group is loaded, otherwise the server sorts (a partial result sorted locally
 *   would show the wrong top rows).
 * - Party dimensions and the payments dataset are offered only when the scope allows them; the API
 *   refuses them anyway.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Catalogue, ExploreColumn, ExploreResult, Row } from '../api/types.ts';
import { BarListChart } from '../charts/bar-list-chart.tsx';
import { TimeSeriesChart, type Series } from '../charts/time-series-chart.tsx';
import { periodLabel, type Grain } from '../charts/periods.ts';
import { formatInt, formatValue } from '../format/number-format.ts';
import { CompactNumber } from '../format/compact-number.tsx';
import { DIMENSION_KIND, useDimensionNames, withName } from '../reference/reference-names.tsx';
import { EmptyState, noDataHint } from '../shell/empty-state.tsx';
import { useSession } from '../session/session.tsx';
import { useRouter, withQuery } from '../shell/router.tsx';
import { VirtualTable, type VtColumn, type VtSort } from '../table/virtual-table.tsx';
import { ChipPicker } from './chip-picker.tsx';
import { ExportButton } from '../export/export-button.tsx';
import { LinesPanel } from './lines-panel.tsx';

const PAGE = 10_000;
const PERIODS = new Set(['month', 'quarter', 'year']);
const ROW_CHOICES = [1_000, 10_000, 100_000, 200_000];

interface Query {
  dataset: 'trade' | 'payments';
  by: string[];
  measures: string[];
  where: string;
  rows: number;
}

function readQuery(q: URLSearchParams): Query {
  const list = (k: string, d: string[]) => (q.get(k) ? q.get(k)!.split(',').filter(Boolean) : d);
  const rows = Number(q.get('rows'));
  return {
    dataset: q.get('dataset') === 'payments' ? 'payments' : 'trade',
    by: list('by', ['field_office']),
    // USD by default: the one value that totals across providers and currencies.
    measures: list('measure', ['value_usd', 'lines']),
    where: q.get('where') ?? '',
    rows: ROW_CHOICES.includes(rows) ? rows : 10_000,
  };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function ExplorePage() {
  const session = useSession();
  const { api } = session;
  const { location, navigate } = useRouter();
  const q = useMemo(() => readQuery(location.query), [location.query]);
  const [draft, setDraft] = useState<Query>(q);
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  const [result, setResult] = useState<ExploreResult | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [sort, setSort] = useState<VtSort | null>(null);
  const [loading, setLoading] = useState<{ loaded: number; of: number | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);
  const [view, setView] = useState<'chart' | 'none'>('chart');
  const [chartMeasure, setChartMeasure] = useState<string | null>(null);
  const [drill, setDrill] = useState<{ cell?: Record<string, unknown>; where?: string; title: string; linked?: boolean } | null>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    setDraft(q);
  }, [q]);
  useEffect(() => {
    api.catalogue().then(setCatalogue, () => setError('The catalogue could not be loaded.'));
  }, [api]);

  // Drill-down links from other pages: /explore?lines_where=...
  const linesWhere = location.query.get('lines_where');
  useEffect(() => {
    if (linesWhere) setDrill({ where: linesWhere, title: linesWhere, linked: true });
  }, [linesWhere]);

  const rowLevel = session.hasCategory(q.dataset === 'payments' ? 'financial' : 'trade', 'row');
  const canPayments = session.hasCategory('financial');
  const cat = catalogue?.[draft.dataset];
  const dimOptions = useMemo(() => (cat?.dimensions ?? []).filter((d) => !d.party || session.hasCategory(draft.dataset === 'payments' ? 'financial' : 'trade', 'row')), [cat, session, draft.dataset]);

  const run = useCallback(
    async (query: Query, s: VtSort | null) => {
      abort.current?.abort();
      const ac = new AbortController();
      abort.current = ac;
      setError(null);
      setLoading({ loaded: 0, of: null });
      const t0 = performance.now();
      try {
        const sortParam = s ? `${s.key}:${s.dir}` : undefined;
        const first = await api.explore(
          { dataset: query.dataset, by: query.by.join(','), measure: query.measures.join(','), where: query.where || undefined, sort: sortParam, limit: Math.min(PAGE, query.rows) },
          ac.signal,
        );
        let all = first.rows;
        let next = first.next_offset;
        setResult(first);
        setRows(all);
        while (next !== null && all.length < query.rows) {
          setLoading({ loaded: all.length, of: Math.min(first.total_groups, query.rows) });
          const page = await api.explore(
            { dataset: query.dataset, by: query.by.join(','), measure: query.measures.join(','), where: query.where || undefined, sort: sortParam, limit: Math.min(PAGE, query.rows - all.length), offset: next },
            ac.signal,
          );
          all = all.concat(page.rows);
          next = page.next_offset;
          setRows(all);
        }
        setResult({ ...first, rows: [], truncated: next !== null, next_offset: next });
        setElapsed(performance.now() - t0);
        performance.mark('explore-result-complete');
      } catch (e) {
        if (ac.signal.aborted) return;
        setError(e instanceof ApiError ? e.message : 'The result could not be loaded.');
        setResult(null);
        setRows([]);
      } finally {
        if (!ac.signal.aborted) setLoading(null);
      }
    },
    [api],
  );

  useEffect(() => {
    setSort(null);
    void run(q, null);
    return () => abort.current?.abort();
  }, [q, run]);

  const submit = () => {
    setDrill(null);
    navigate(withQuery('/explore', { dataset: draft.dataset, by: draft.by.join(','), measure: draft.measures.join(','), where: draft.where.trim(), rows: draft.rows }));
  };

  const complete = result !== null && !result.truncated && loading === null;
  const onSort = (key: string) => {
    const dir: 'asc' | 'desc' = sort?.key === key && sort.dir === 'desc' ? 'asc' : 'desc';
    const s = { key, dir };
    setSort(s);
    if (complete) {
      const sorted = [...rows].sort((a, b) => (dir === 'asc' ? compare(a[key], b[key]) : -compare(a[key], b[key])));
      setRows(sorted);
    } else void run(q, s);
  };

  const cols: ExploreColumn[] = result?.columns ?? [];
  const dims = cols.filter((c) => c.kind === 'dimension');
  const measures = cols.filter((c) => c.kind === 'measure');
  const dimIds = useMemo(() => dims.map((d) => d.id), [dims]);
  // Codes stay the values (drill-down, filters, export); their names are shown beside them.
  const nameOf = useDimensionNames(dimIds, rows);
  const vtColumns = useMemo<VtColumn<Row>[]>(
    () =>
      cols.map((c) => ({
        id: c.id,
        label: c.unit && c.unit !== 'count' ? `${c.label} (${c.unit})` : c.label,
        width: c.kind === 'measure' ? 150 : c.id.includes('name') || c.id === 'manufacturer' || c.id in DIMENSION_KIND ? 240 : 150,
        numeric: c.kind === 'measure',
        activatable: rowLevel,
        text: (r: Row) => (c.kind === 'dimension' ? withName(r[c.id], nameOf(c.id, r[c.id])) : formatValue(r[c.id], c.unit)),
      })),
    [cols, rowLevel, nameOf],
  );

  const openCell = (i: number) => {
    const r = rows[i];
    if (!r || !rowLevel) return;
    const cell: Record<string, unknown> = {};
    for (const d of dims) cell[d.id] = r[d.id] ?? null;
    setDrill({ cell, title: dims.map((d) => `${d.label} ${withName(r[d.id], nameOf(d.id, r[d.id]))}`).join(', ') || 'all lines' });
  };

  const cm = measures.find((m) => m.id === chartMeasure) ?? measures[0];

  return (
    <div className="page">
      <div className="page-head">
        <h1>Explore</h1>
        <span className="muted small">Grouped totals of the data in your scope. Select a cell to see its lines.</span>
      </div>
      {/* Lines opened from another page (an anomaly's line) come first: they are what the user came for. */}
      {drill?.linked && <LinesPanel dataset={q.dataset} where={drill.where} title={drill.title} onClose={() => setDrill(null)} />}
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label>
          Dataset
          <select value={draft.dataset} onChange={(e) => setDraft({ ...draft, dataset: e.target.value as Query['dataset'], by: [], measures: [] })}>
            <option value="trade">Trade lines</option>
            {canPayments && <option value="payments">Payments</option>}
          </select>
        </label>
        <ChipPicker label="Dimensions" options={dimOptions} selected={draft.by} onChange={(by) => setDraft({ ...draft, by })} testId="pick-dimensions" />
        <ChipPicker label="Measures" options={cat?.measures ?? []} selected={draft.measures} onChange={(measures) => setDraft({ ...draft, measures })} testId="pick-measures" />
        <label className="grow">
          Filter
          <input
            value={draft.where}
            onChange={(e) => setDraft({ ...draft, where: e.target.value })}
            placeholder="e.g. origin in (CN, VN) and year = 2024"
            list="filter-fields"
            spellCheck={false}
          />
        </label>
        <datalist id="filter-fields">
          {[...(cat?.dimensions ?? []).map((d) => d.id), ...(cat?.fields ?? []).map((f) => f.id)].map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <label>
          Rows
          <select value={draft.rows} onChange={(e) => setDraft({ ...draft, rows: Number(e.target.value) })}>
            {ROW_CHOICES.map((n) => (
              <option key={n} value={n}>
                up to {formatInt(n)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Run
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="status-line" aria-live="polite" data-testid="explore-status" data-loaded-rows={rows.length} data-complete={loading === null && result !== null ? 'true' : 'false'}>
        {result && (
          <span>
            {formatInt(rows.length)} of {formatInt(result.total_groups)} groups{result.truncated ? ' (more on the server: narrow the filter or load more rows)' : ''}
            {result.perturbation && ' · values slightly perturbed (cell-key method) to protect single records'}
          </span>
        )}
        {loading && <span>Loading{loading.of ? ` ${formatInt(loading.loaded)} of ${formatInt(loading.of)}` : '…'}</span>}
        {elapsed !== null && !loading && <span>{(elapsed / 1000).toFixed(2)} s</span>}
        {result &&
          measures.map((m) => (
            <span key={m.id}>
              Total {m.label.charAt(0).toLowerCase() + m.label.slice(1)}: {typeof result.totals[m.id] === 'number' ? <CompactNumber value={result.totals[m.id] as number} unit={m.unit} /> : formatValue(result.totals[m.id], m.unit)}
            </span>
          ))}
        <span style={{ marginLeft: 'auto' }} />
        <div className="tabs" role="group" aria-label="Chart">
          <button type="button" aria-pressed={view === 'chart'} onClick={() => setView(view === 'chart' ? 'none' : 'chart')}>
            Chart
          </button>
        </div>
        {measures.length > 1 && view === 'chart' && (
          <label>
            Chart measure
            <select value={cm?.id ?? ''} onChange={(e) => setChartMeasure(e.target.value)}>
              {measures.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <ExportButton
          label="Export CSV"
          disabled={!rows.length}
          fetch={() => api.exportExplore({ dataset: q.dataset, by: q.by.join(','), measure: q.measures.join(','), where: q.where || undefined, sort: sort ? `${sort.key}:${sort.dir}` : undefined, limit: Math.min(PAGE, q.rows) })}
        />
      </div>
      {result && result.notes.length > 0 && (
        <ul className="muted small" data-testid="explore-notes">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {view === 'chart' && result && cm && rows.length > 0 && <ResultChart rows={rows} dims={dims} measure={cm} nameOf={nameOf} />}
      {result && !loading && rows.length === 0 && !error && (
        <EmptyState testId="explore-empty" title={q.where ? 'No lines match this filter' : 'No data in your scope yet'}>
          {q.where
            ? 'Loosen or clear the filter, or check its values (country codes are two letters, HS codes digits).'
            : noDataHint(session.state.status === 'signed-in' ? session.state.session.user.provider : null, q.dataset === 'payments' ? 'Payment data' : 'Trade data')}
        </EmptyState>
      )}
      {!(result && !loading && rows.length === 0) && (
      <VirtualTable
        label="Explore result"
        columns={vtColumns}
        rows={rows}
        height={drill ? 320 : 'max(320px, calc(100vh - 500px))'}
        sort={sort}
        onSort={onSort}
        onActivate={(i) => openCell(i)}
        empty={loading ? 'Loading…' : 'No groups match.'}
        testId="explore-table"
      />
      )}
      {drill && !drill.linked && <LinesPanel dataset={q.dataset} cell={drill.cell} where={drill.cell ? q.where || undefined : drill.where} title={drill.title} onClose={() => setDrill(null)} />}
    </div>
  );
}

function ResultChart({ rows, dims, measure, nameOf }: { rows: readonly Row[]; dims: ExploreColumn[]; measure: ExploreColumn; nameOf: (dim: string, code: unknown) => string | undefined }) {
  const [log, setLog] = useState(false);
  const period = dims.find((d) => PERIODS.has(d.id));
  const data = useMemo(() => {
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    const label = (r: Row, ds: ExploreColumn[]) => ds.map((d) => withName(r[d.id], nameOf(d.id, r[d.id]))).join(' · ') || 'all';
    if (period) {
      const grain = period.id as Grain;
      const others = dims.filter((d) => d !== period);
      const groups = new Map<string, Map<string, number | null>>();
      const totals = new Map<string, number>();
      for (const r of rows) {
        const g = others.length ? label(r, others) : measure.label;
        let s = groups.get(g);
        if (!s) groups.set(g, (s = new Map()));
        const v = num(r[measure.id]);
        const p = periodLabel(String(r[period.id]), grain);
        s.set(p, v === null ? (s.get(p) ?? null) : (s.get(p) ?? 0) + v);
        totals.set(g, (totals.get(g) ?? 0) + Math.abs(v ?? 0));
      }
      const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([g]) => g);
      const series: Series[] = top.map((g) => ({ name: g, values: groups.get(g)! }));
      return { kind: 'line' as const, grain, series, others: groups.size - top.length };
    }
    const bars = [...rows]
      .filter((r) => typeof r[measure.id] === 'number')
      .sort((a, b) => (b[measure.id] as number) - (a[measure.id] as number))
      .slice(0, 12)
      // One dimension: code and name on the axis; several: codes on the axis, names in the tooltip.
      .map((r) => ({ label: dims.length > 1 ? dims.map((d) => String(r[d.id] ?? '(none)')).join(' · ') : label(r, dims), title: label(r, dims), value: r[measure.id] as number }));
    return { kind: 'bar' as const, bars };
  }, [rows, dims, measure, period, nameOf]);

  return (
    <section className="panel" aria-label={`Chart of ${measure.label}`} data-testid="explore-chart">
      <div className="panel-body">
        <label className="check inline-check">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
        {data.kind === 'line' ? (
          <>
            <TimeSeriesChart series={data.series} grain={data.grain} title={`${measure.label} by ${period!.label.toLowerCase()}`} unit={measure.unit} height={210} log={log} />
            {data.others > 0 && <p className="muted small">Top 6 series by total shown; {data.others} more in the table. Months without data are gaps in the lines.</p>}
          </>
        ) : (
          <BarListChart bars={data.bars} title={`${measure.label}: the ${data.bars.length} largest groups`} unit={measure.unit} rowHeight={18} log={log} />
        )}
      </div>
    </section>
  );
}
