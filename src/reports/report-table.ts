/**
 * A measures result as a table for export: the one shape CSV, XLSX and PDF are written from, so the three
 * formats always show the same cells.
 *
 * Invariants:
 * - Pure. Suppressed cells are the text `suppressed` (access.md: shown as suppressed, not as zero) and a
 *   suppressed total is too; empty cells (no data, no comparison) are null.
 * - Columns keep the result's units so writers can format numbers (money, counts, ratios, changes) without
 *   guessing from values.
 * - A layout may pick and order columns by id; an unknown id is an error naming it.
 */
import { ExploreSpecError } from '../explore/index.ts';
import { SOURCES, type MeasuresResult, type MeasureSourceId } from '../measures/index.ts';

export type TableValue = string | number | null;

export interface TableColumn {
  readonly id: string;
  readonly label: string;
  readonly kind: 'dimension' | 'measure' | 'change' | 'flag';
  readonly unit?: 'USD' | 'count' | 'ratio' | 'change';
}

export interface ReportTableData {
  readonly title: string;
  /** Lines under the title: what was run, for whom, when. */
  readonly subtitle: readonly string[];
  readonly columns: readonly TableColumn[];
  readonly rows: readonly TableValue[][];
  readonly total: readonly TableValue[] | null;
  readonly notes: readonly string[];
}

export const SUPPRESSED = 'suppressed';

const CHANGE_LABEL: Record<string, string> = { mom: 'change on previous month', qoq: 'change on previous quarter', yoy: 'change on year before' };

/** "Import value and declaration lines by port or office and country of origin, per year, 2024": what a result shows. */
function describeResult(r: MeasuresResult, columns: readonly TableColumn[]): string {
  const list = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : (xs[0] ?? ''));
  const lower = (s: string) => (s.length > 1 && s[1] !== s[1]!.toUpperCase() ? s[0]!.toLowerCase() + s.slice(1) : s);
  const measures = r.measures.map((m, i) => (i === 0 ? m.name : lower(m.name)));
  const dims = columns.filter((c) => c.kind === 'dimension' && c.id !== 'period').map((c) => lower(c.label));
  const range = r.from && r.to && r.from !== r.to ? `${r.from} to ${r.to}` : (r.from ?? r.to ?? null);
  return [`${list(measures)}${dims.length ? ` by ${list(dims)}` : ''}`, ...(r.period ? [`per ${r.period}`] : []), ...(range ? [range] : [])].join(', ');
}

/** An ISO timestamp as people read it in a header ("2025-01-02 14:05 UTC"); anything else unchanged. */
export function readableTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) return iso;
  return `${m[1]} ${m[2]} ${m[3] === 'Z' || m[3] === '+00:00' ? 'UTC' : m[3]}`;
}

export function reportTable(
  r: MeasuresResult,
  opts: { title?: string | undefined; columns?: readonly string[] | undefined; changes?: boolean | undefined; where?: string | undefined; ranBy: string; ranAt: string },
): ReportTableData {
  const dims = SOURCES[r.source as MeasureSourceId].dimensions;
  const all: TableColumn[] = [
    ...r.by.map((id) => ({ id, label: dims.find((d) => d.id === id)?.label ?? id, kind: 'dimension' as const })),
    ...(r.period ? [{ id: 'period', label: r.period[0]!.toUpperCase() + r.period.slice(1), kind: 'dimension' as const }] : []),
  ];
  /** USD measures and how many rows each left out for want of an exchange rate (over the whole table). */
  const leftOut = r.measures
    .filter((m) => m.without_rate)
    .map((m) => ({ m, col: m.without_rate!, n: Math.max(Number(r.totals[m.without_rate!] ?? 0), r.rows.reduce((a, c) => a + Number(c[m.without_rate!] ?? 0), 0)) }));
  for (const m of r.measures) {
    all.push({ id: m.id, label: m.name, kind: 'measure', unit: m.unit as TableColumn['unit'] });
    if (opts.changes !== false) for (const c of r.changes) all.push({ id: `${m.id}_${c}`, label: `${m.name}: ${CHANGE_LABEL[c] ?? c}`, kind: 'change', unit: 'change' });
    if (m.without_rate) all.push({ id: m.without_rate, label: `${m.name}: lines left out (no USD rate)`, kind: 'measure', unit: 'count' });
  }
  if (r.period) all.push({ id: 'incomplete', label: 'Incomplete period', kind: 'flag' });
  // A left-out column is shown when it has something to say (a layout may always name it).
  let columns = all.filter((c) => !leftOut.some((l) => l.col === c.id && l.n === 0));
  if (opts.columns?.length) {
    columns = opts.columns.map((id) => {
      const c = all.find((x) => x.id === id);
      if (!c) throw new ExploreSpecError(`layout.columns: unknown column "${id}": use ${all.map((x) => x.id).join(', ')}`);
      return c;
    });
  }
  const rows = r.rows.map((cell) =>
    columns.map((c): TableValue => {
      const v = cell[c.id];
      if (c.kind === 'flag') return v ? 'yes' : null;
      if (c.kind === 'dimension') return v === null || v === undefined ? '(none)' : String(v);
      if (cell['suppressed'] && (c.kind === 'measure' || c.kind === 'change')) return SUPPRESSED;
      return typeof v === 'number' ? v : null;
    }),
  );
  const hasTotals = r.rows.length > 1 && columns.some((c) => c.kind === 'measure');
  const total = hasTotals
    ? columns.map((c, i): TableValue => {
        if (c.kind === 'measure') return r.totals.suppressed ? SUPPRESSED : (r.totals[c.id] ?? null);
        return i === 0 ? 'Total' : null;
      })
    : null;
  const notes = [
    ...leftOut
      .filter((l) => l.n > 0)
      .map((l) => `${l.m.name} is in US dollars at monthly exchange rates; it leaves out the lines whose currency and month have no rate (column "${l.m.name}: lines left out").`),
    ...(r.changes.length && opts.changes !== false ? ['Change = (this period - compared period) / compared period; empty when either is missing or zero.'] : []),
    // Only when a period shown is marked: an open "to" is no reason to warn about periods that are complete.
    ...(r.period && r.rows.some((x) => x['incomplete'] === true)
      ? [`Incomplete: the loaded data (${r.coverage.first ?? '-'} to ${r.coverage.last ?? '-'}) does not cover the periods marked incomplete.`]
      : []),
    ...(r.top ? [`Top ${r.top} by ${r.measures[0]!.name}; the rest are grouped as (others).`] : []),
    ...(r.level === 'aggregate'
      ? [`Aggregate-only access: ${r.suppressed_cells} cell(s) suppressed (fewer than 3 parties, one party over 80 %, or needed to protect another).`]
      : []),
  ];
  return {
    title: opts.title ?? describeResult(r, all),
    subtitle: [
      `Measures: ${r.measures.map((m) => m.id).join(', ')}${r.by.length ? `; by ${r.by.join(', ')}` : ''}${r.period ? `; per ${r.period}` : ''}${r.from || r.to ? `; ${r.from ?? '...'} to ${r.to ?? '...'}` : ''}`,
      ...(opts.where?.trim() ? [`Filter: ${opts.where.trim()}`] : []),
      `Run by ${opts.ranBy} at ${readableTime(opts.ranAt)}, on the data that user may read.`,
    ],
    columns,
    rows,
    total,
    notes,
  };
}
