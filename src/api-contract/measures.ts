/**
 * HTTP contract of trade measures and saved reports: the measure catalogue, measure queries, report
 * definitions, runs and their tables.
 *
 * Invariants: pure types (the web imports this file); src/server/measure-routes.ts and report-routes.ts
 * return these shapes, checked by `tsc`. Report tables are read-only arrays because the server builds them
 * once and every export format is written from the same table.
 */

export interface MeasureInfo {
  id: string;
  name: string;
  unit: string;
  /** trade, enforcement or mirror: one report reads one source. */
  source: string;
  categories: readonly string[];
  default_by: readonly string[];
}

export interface MeasureRanking {
  id: string;
  name: string;
  measure: string;
  by: string;
  n: number;
}

/** GET /api/measures. */
export interface MeasuresCatalogue {
  measures: MeasureInfo[];
  rankings: readonly MeasureRanking[];
  missing: readonly { id: string; why: string }[];
}

export type PeriodGrain = 'month' | 'quarter' | 'year';

/** GET /api/measures/query, and the `result` of a report run. */
export interface MeasuresResult {
  /**
   * `without_rate` (USD measures): the id of the column, in every row and in the totals, counting the rows the
   * measure left out because their currency and month have no exchange rate.
   */
  measures: { id: string; name: string; unit: string; without_rate?: string }[];
  source: string;
  by: string[];
  period: PeriodGrain | null;
  from: string | null;
  to: string | null;
  top: number | null;
  /** Change columns per measure, named `<measure>_<suffix>`. */
  changes: string[];
  /** First and last day of the loaded data of the providers in the slice; with a period only. */
  coverage: { first: string | null; last: string | null };
  rows: Record<string, string | number | boolean | null>[];
  totals: Record<string, number | null> & { suppressed?: boolean };
  level: 'row' | 'aggregate';
  suppressed_cells: number;
  /** Aggregate-only access to line-level sources: every value, change and total is perturbed (cell-key method). */
  perturbation?: 'cell-key';
}

export type ExportFormat = 'csv' | 'xlsx' | 'pdf';

/** A saved report's query (src/reports/report-spec.ts, reportQuerySchema), as stored. */
export interface ReportQuery {
  measures: string[];
  by: string[];
  where?: string;
  period?: PeriodGrain;
  from?: string;
  to?: string;
  window?: 'previous';
  top?: number;
}

/** The body of POST /api/reports: what the server fills in by default may be left out. */
export interface ReportInput {
  name: string;
  title: string;
  spec: Omit<ReportQuery, 'by'> & { by?: string[] };
  layout?: { columns?: string[]; changes?: boolean };
  schedule?: 'monthly' | null;
  formats?: ExportFormat[];
}

/** A stored report definition (GET /api/reports, POST /api/reports). */
export interface SavedReport {
  id: number;
  name: string;
  title: string;
  spec: ReportQuery;
  layout: { columns?: string[]; changes?: boolean };
  schedule: 'monthly' | null;
  formats: ExportFormat[];
  next_run_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export type TableValue = string | number | null;

export interface ReportColumn {
  id: string;
  label: string;
  kind: 'dimension' | 'measure' | 'change' | 'flag';
  unit?: 'USD' | 'count' | 'ratio' | 'change';
}

/** The table every export format is written from; suppressed cells are the text "suppressed". */
export interface ReportTable {
  title: string;
  subtitle: readonly string[];
  columns: readonly ReportColumn[];
  rows: readonly TableValue[][];
  total: readonly TableValue[] | null;
  notes: readonly string[];
}

/** GET /api/reports/:id/run. */
export interface ReportRunResult {
  report: { id: number; name: string; title: string };
  result: MeasuresResult;
  table: ReportTable;
}

export interface ReportRun {
  id: number;
  report_id: number;
  ran_at: string;
  ran_by: string;
  trigger: string;
  period_label: string | null;
  status: 'ok' | 'error';
  row_count: number | null;
  files: string[];
  message: string | null;
}

/** GET /api/reports. */
export interface ReportList {
  reports: SavedReport[];
}

/** GET /api/reports/:id. */
export interface ReportDetail {
  report: SavedReport;
  runs: ReportRun[];
}

/** GET /api/reports/:id/runs. */
export interface ReportRuns {
  runs: ReportRun[];
}

/** DELETE /api/reports/:id. */
export interface ReportDeleted {
  deleted: number;
}
