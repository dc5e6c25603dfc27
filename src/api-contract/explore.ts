/**
 * HTTP contract of the explore pages: catalogue, explore results, drill-down lines, batches and quarantine.
 *
 * Invariants: pure types, no runtime import, so the web build (DOM, no node types) can import this file;
 * the server's route handlers are typed with these shapes (src/server/explore-routes.ts), so a change of a
 * response shape on one side fails `tsc` until the other follows.
 */

export type ExploreDatasetId = 'trade' | 'payments' | 'enforcement';
export type CellValue = string | number | boolean | null;
export type Row = Record<string, CellValue>;

export interface CatalogueDataset {
  /** The caller's access level to the dataset's category: party dimensions and fields only at row level. */
  level: 'row' | 'aggregate';
  dimensions: { id: string; label: string; party: boolean }[];
  measures: { id: string; label: string; unit: string }[];
  fields: { id: string; type: 'text' | 'number' | 'date' | 'bool' }[];
}

/** GET /api/catalogue: only the datasets in the caller's scope are present. */
export type Catalogue = Partial<Record<ExploreDatasetId, CatalogueDataset>>;

export interface ExploreColumn {
  id: string;
  label: string;
  kind: 'dimension' | 'measure';
  unit?: string;
}

/** GET /api/explore. */
export interface ExploreResult {
  dataset: ExploreDatasetId;
  columns: ExploreColumn[];
  /**
   * What the numbers leave out or do not total, in words: rows without a USD rate (also counted in the
   * dataset's `*_without_usd` measure column), no total of an amount in each row's own currency across currencies.
   */
  notes: string[];
  /** At aggregate-only access rows also carry `suppressed` (boolean) and `suppression` (reason or null). */
  rows: Row[];
  totals: Record<string, number | null>;
  total_groups: number;
  /** Cells hidden by small-cell or complementary suppression (aggregate-only access only). */
  suppressed_cells?: number;
  /** Aggregate-only access: every value and total is perturbed by the cell-key method (consistent noise). */
  perturbation?: 'cell-key';
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

/** GET /api/lines. */
export interface LinesResult {
  dataset: ExploreDatasetId;
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

/** One entry of GET /api/batches. */
export interface Batch {
  seq: number;
  batch_id: string;
  dataset: string;
  category: string;
  provider: string;
  profile: string;
  file_name: string;
  sha256: string;
  size_bytes: number;
  loaded_by: string;
  started_at: string;
  finished_at: string | null;
  status: 'loading' | 'committed' | 'failed';
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rejects_kept: number;
  superseded_rows: number;
  message: string | null;
  /**
   * Conversion provenance of a trade, payment or enforcement batch: the exchange-rate sources its USD columns
   * were computed with (`FRB-H10:<sha>` shipped, `B000123:<sha>` a loaded table, which wins), when, and the rows
   * without a rate (with their currencies). null for batches without amounts to convert.
   */
  fx: { rates: string; rows_converted: number; rows_without_rate: number; currencies_without_rate: string[]; converted_at: string } | null;
}

/** GET /api/batches/:id/quarantine. */
export interface QuarantinePage {
  batch_id: string;
  rows: { line: number; field: string | null; reason: string; raw: string | null }[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
}

/** GET /api/reference/names: names of reference codes of one kind. */
export interface ReferenceNames {
  kind: string;
  names: Record<string, string>;
}

/** GET /api/lines/links: what each of some lines links to (anomalies of the latest run, resolved parties). */
export interface LineLinks {
  /** The latest run the caller can see, or null. */
  run_id: string | null;
  anomalies: { row_id: string; anomaly_id: string; detector: string; score: number }[];
  parties: { row_id: string; role: string; party_id: string; name: string | null }[];
}
