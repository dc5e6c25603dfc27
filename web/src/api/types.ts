/**
 * Response shapes of the API as the server returns them (mirrors src/explore, src/detect, src/measures,
 * src/screening and the sign-in contract). Kept by hand beside the endpoint table; values the server may
 * omit are optional here so the pages handle their absence.
 */
export type CellValue = string | number | null;
export type Row = Record<string, CellValue>;

export interface CatalogueDataset {
  dimensions: { id: string; label: string; party: boolean }[];
  measures: { id: string; label: string; unit: string }[];
  fields: { id: string; type: 'text' | 'number' | 'date' | 'bool' }[];
}
export type Catalogue = Record<'trade' | 'payments', CatalogueDataset>;

export interface ExploreColumn {
  id: string;
  label: string;
  kind: 'dimension' | 'measure';
  unit?: string;
}

export interface ExploreResult {
  dataset: 'trade' | 'payments';
  columns: ExploreColumn[];
  rows: Row[];
  totals: Record<string, number | null>;
  total_groups: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export interface LinesResult {
  dataset: 'trade' | 'payments';
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export interface Anomaly {
  anomaly_id: string;
  run_id: string;
  detector: string;
  detector_version: string;
  params: Record<string, unknown>;
  provider: string;
  subject: { kind: string; declaration_id: string | null; line_no: number | null; row_id: string | null };
  score: number;
  reason: string;
  evidence: Record<string, unknown>;
  row_ids: string[];
  /** Only on GET /api/anomalies/:id: the parties on its rows, empty without named-party access. */
  parties?: AnomalyParty[];
}

export interface AnomalyParty {
  party_id: string;
  name: string | null;
  /** importer, exporter, payer, payee */
  roles: string[];
  /** How many of the anomaly's rows name the party. */
  rows: number;
}

export interface Page<T> {
  run_id: string | null;
  rows: T[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

export interface RunRecord {
  run_id: string;
  started_at: string;
  finished_at: string;
  detectors: string[];
  params: Record<string, unknown>;
  data_version: Record<string, string[]>;
  principal: string;
  anomalies: number;
}

export interface MeasureInfo {
  id: string;
  name: string;
  unit: string;
  /** trade, enforcement or mirror: one report reads one source. */
  source?: string;
  categories: string[];
  default_by: string[];
}

export interface MeasuresResult {
  measures: { id: string; name: string; unit: string }[];
  by: string[];
  period: 'month' | 'quarter' | 'year' | null;
  changes: string[];
  rows: Record<string, string | number | boolean | null>[];
  totals: Record<string, number | null> & { suppressed?: boolean };
  level: 'row' | 'aggregate';
  suppressed_cells: number;
}

export interface Explanation {
  name_similarity: number;
  token_pairs: { a: string; b: string; similarity: number; how: string }[];
  phonetic_agreement: number;
  coverage_shorter: number;
  coverage_both: number;
  joined_form: number;
  type: { query: string | null; entry: string; adjustment: number };
  country: { query: string | null; entry: readonly string[]; adjustment: number };
  identifiers: { matched: string[]; floor: number | null };
  penalties: { short_name: number; weak_alias: number };
}

export interface ScreenResult {
  score: number;
  match: boolean;
  entry_id: string;
  list: string;
  list_version: string;
  entry_type: string;
  entry_name: string;
  matched_name: string;
  weak_alias: boolean;
  explanation: Explanation;
  algorithm_version: string;
}

export interface ScreenResponse {
  algorithm_version: string;
  threshold: number;
  list_versions: string[];
  candidates_scored: number;
  results: ScreenResult[];
}

export interface Batch {
  batch_id: string;
  dataset: string;
  category: string;
  provider: string;
  status: string;
  rows_accepted: number;
  rows_rejected?: number;
  [k: string]: unknown;
}

/** The signed-in session (POST /api/session, GET /api/me). */
export interface Session {
  user: { name: string; displayName: string; role: string; provider: string | null };
  permissions: string[];
  scope: { grants: { category: string; providers: string[] | '*'; level: 'row' | 'aggregate' }[] };
  csrfToken: string;
  requiresPurpose: boolean;
  /** The purpose or case reference stated at sign-in; recorded on every audit event of the session. */
  purpose?: string | null;
}

export interface Account {
  id: number;
  name: string;
  displayName: string;
  agency: string;
  supervisor: string | null;
  role: string;
  provider: string | null;
  justification: string | null;
  status: 'requested' | 'approved' | 'active' | 'suspended' | 'locked' | 'disabled' | 'rejected' | string;
  lockReason: string | null;
  failedSignIns: number;
  requestedAt: string;
  approvedBy: string | null;
  activatedBy: string | null;
  trainingAttestedAt: string | null;
  reviewDueAt: string | null;
}

export interface AuditEvent {
  id?: number | string;
  at?: string;
  ts?: string;
  event: string;
  principal: string;
  role?: string | null;
  outcome: string;
  detail?: string | null;
  source?: string | null;
  [k: string]: unknown;
}

export interface AuditPage {
  total: number;
  limit: number;
  offset: number;
  rows: AuditEvent[];
}

export interface PartySummary {
  party_id: string;
  name: string;
  country: string | null;
  members: number;
  lines: number;
  value: number;
}

export interface Decision {
  id: number;
  subject_kind: 'hit' | 'anomaly';
  subject_id: string;
  decision: 'confirmed' | 'false_positive' | 'escalate';
  note: string | null;
  decided_by: string;
  decided_at?: string;
  [k: string]: unknown;
}

export interface WatchlistHit {
  hit_id: string;
  list: string;
  list_version: string;
  entry_id: string;
  entry_type: string;
  entry_name: string;
  party_name: string;
  matched_name: string;
  weak_alias: boolean;
  score: number;
  status: string;
  explanation: Explanation;
  decisions: Decision[];
}

export interface PartyProfile extends PartySummary {
  member_records: Record<string, unknown>[];
  totals: {
    trade: { as_importer: Record<string, number>; as_exporter: Record<string, number> };
    payments: { as_payer: Record<string, number>; as_payee: Record<string, number> } | null;
  };
  counterparties: { party_id: string; name: string | null; relations: string[]; lines: number; value: number }[];
  goods_by_period: { role: 'import' | 'export'; period: string; hs2: string; lines: number; value: number }[];
  anomalies: { anomaly_id: string; detector: string; score: number; reason: string; declaration_id: string | null; line_no: number | null }[];
  watchlist_hits: WatchlistHit[] | null;
}

export interface GraphNode {
  id: string;
  kind: 'party' | 'more';
  name: string | null;
  depth: number;
  count?: number;
}

export interface GraphEdge {
  source: string;
  target: string;
  kinds: ('trade' | 'payment' | 'more')[];
  lines: number;
  value: number;
}

export interface PartyGraph {
  center: string;
  depth: number;
  cap: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
}

/** A saved report's query (src/reports/report-spec.ts, reportQuerySchema). */
export interface ReportQuery {
  measures: string[];
  by: string[];
  where?: string;
  period?: 'month' | 'quarter' | 'year';
  from?: string;
  to?: string;
  window?: 'previous';
  top?: number;
}

export interface ReportInput {
  name: string;
  title: string;
  spec: ReportQuery;
  layout?: { columns?: string[]; changes?: boolean };
  schedule?: 'monthly' | null;
  formats?: ('csv' | 'xlsx' | 'pdf')[];
}

export interface SavedReport extends ReportInput {
  id: number;
  next_run_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export type TableValue = string | number | null;

/** The table every export format is written from; suppressed cells are the text "suppressed". */
export interface ReportTable {
  title: string;
  subtitle: string[];
  columns: { id: string; label: string; kind: 'dimension' | 'measure' | 'change' | 'flag'; unit?: 'USD' | 'count' | 'ratio' | 'change' }[];
  rows: TableValue[][];
  total: TableValue[] | null;
  notes: string[];
}

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

/** One entry of the disclosure ledger (GET /api/disclosures). */
export interface Disclosure {
  id: number;
  at: string;
  principal: string;
  nature: string;
  purpose: string | null;
  recipient: string;
  agreement: string | null;
  rowCount: number | null;
  bytes: number | null;
  auditEventId: number | null;
  retainUntil: string;
}
