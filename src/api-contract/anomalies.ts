/**
 * HTTP contract of stored analysis runs: anomalies (list and one with its parties), the combined ranking
 * and the runs.
 *
 * Invariants: pure types (the web imports this file); src/server/anomaly-routes.ts returns these shapes,
 * checked by `tsc`, and test/browser/api-contract.test.ts checks the key sets against src/detect's types.
 */

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
}

/** A party on an anomaly's rows (GET /api/anomalies/:id). */
export interface AnomalyParty {
  party_id: string;
  /** The party's name as its page shows it (its member on most lines). */
  name: string | null;
  /** importer, exporter, payer, payee */
  roles: string[];
  /** How many of the anomaly's rows name the party. */
  rows: number;
  /**
   * The source references (importer or exporter ids of the provider's files) that resolved to the party and
   * that the anomaly's rows or evidence name, so a reason quoting `IMP005037` can show the party instead.
   */
  refs: string[];
}

/** GET /api/anomalies/:id: empty `parties` without parties:read and row-level trade access. */
export interface AnomalyDetail extends Anomaly {
  parties: AnomalyParty[];
}

/** GET /api/anomalies/:id/group: the lines a price anomaly was compared with, read with the detector's definition. */
export interface ComparisonGroup {
  anomaly_id: string;
  detector: string;
  definition: {
    hs6: string;
    flow: string;
    unit: string;
    partner: string | null;
    level: string;
    from: string | null;
    to: string | null;
    window_months: number | null;
  };
  /** Lines of the group the caller can see now. */
  n: number;
  /** The group size the detector recorded when it ran. */
  n_at_run: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  /** Prices of the group's lines, ascending (a deterministic sample when `sampled`). */
  values: number[];
  sampled: boolean;
  /** An explore filter selecting the same lines. */
  where: string;
}

/** A page of a run's results, with the run it came from (null when no run is visible). */
export interface RunPage<T> {
  run_id: string | null;
  rows: T[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
  next_offset: number | null;
}

/** GET /api/anomalies. */
export type AnomalyPage = RunPage<Anomaly>;

export interface RankedLine {
  declaration_id: string | null;
  line_no: number | null;
  row_id: string;
  score: number;
  detectors: string[];
}

/** GET /api/ranking: with how the detector scores were combined (trained combinations used, by id). */
export type RankingPage = RunPage<RankedLine> & { combination: { method: 'trained' | 'unsupervised'; models: string[] } };

/** One entry of GET /api/runs. */
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

/** One entry of GET /api/runs: the run, and its anomalies per detector as the caller sees them. */
export interface RunSummary extends RunRecord {
  /**
   * Anomalies per detector counted through the caller's scope, for the detectors whose anomalies the caller
   * may read at all (a scope without payments has no payment-mismatch entry).
   */
  detector_counts: Record<string, number>;
}

/** A class of change of GET /api/anomalies?against=&change= (gone lists the anomalies of `against`). */
export type RunChange = 'new' | 'gone' | 'changed' | 'same';

/** One detector's line of GET /api/runs/compare. */
export interface DetectorComparison {
  detector: string;
  in_base: boolean;
  in_run: boolean;
  /** Version or parameters differ between the two runs: differences may come from the settings. */
  settings_changed: boolean;
  base: number;
  run: number;
  new: number;
  gone: number;
  changed: number;
  same: number;
}

/** GET /api/runs/compare: what is new, gone and changed in `run` against `base`. */
export interface RunComparison {
  base: string;
  run: string;
  base_started_at: string;
  run_started_at: string;
  batches_added: Record<string, string[]>;
  batches_dropped: Record<string, string[]>;
  detectors: DetectorComparison[];
  totals: { base: number; run: number; new: number; gone: number; changed: number; same: number };
}
