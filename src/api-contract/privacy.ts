/**
 * HTTP contract of privacy by design: the data register, the transparency report, retention periods,
 * legal holds and purges.
 *
 * Invariants: pure types (the web imports this file); src/server/privacy-routes.ts returns these shapes,
 * checked by `tsc` against src/privacy's own result types. Nothing here carries a row value: the register
 * is metadata, the transparency report and the purge report are counts.
 */

export interface RegisterEntry {
  source: string;
  destination: string;
  fullName: string;
  classification: string;
  sharingType: string;
  owner: string;
  informationProvided: string[];
  reference: string;
  category: string;
  provider: string;
  direction: 'inbound' | 'outbound';
  access: Record<string, 'row' | 'aggregate'>;
  retention: string;
  records: number;
  firstAt: string | null;
  lastAt: string | null;
}

export interface DataRegister {
  generatedAt: string;
  policyVersion: string;
  entries: RegisterEntry[];
}

export interface TransparencyCounts {
  events: number;
  signIns: number;
  failedSignIns: number;
  queries: number;
  exports: number;
  disclosures: number;
  disclosedRows: number;
  screenings: number;
  confirmedMatches: number;
  decisions: number;
  analyses: number;
  loads: number;
  accountChanges: number;
  denials: number;
  errors: number;
  locks: number;
  unlocks: number;
  purges: number;
  purgedRows: number;
  other: number;
}

export interface TransparencyPeriod extends TransparencyCounts {
  period: string;
  complete: boolean;
  activeUsers: number;
}

export interface TransparencyReport {
  grain: 'month' | 'quarter' | 'year';
  from: string | null;
  to: string | null;
  generatedAt: string;
  periods: TransparencyPeriod[];
  totals: TransparencyCounts;
}

export interface RetentionPolicy {
  category: string;
  years: number;
  basis: 'loaded' | 'record-date';
  setBy: string | null;
  setAt: string | null;
  reason: string | null;
}

export interface LegalHold {
  id: number;
  kind: 'category' | 'provider' | 'batch';
  target: string;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

export interface PurgeDatasetReport {
  dataset: string;
  category: string;
  years: number;
  basis: 'loaded' | 'record-date';
  cutoff: string;
  rowsRemoved: number;
  rowsHeld: number;
  batches: Record<string, number>;
  batchesEmptied: string[];
}

export interface PurgeReport {
  asOf: string;
  dryRun: boolean;
  rowsRemoved: number;
  datasets: PurgeDatasetReport[];
  derived: { anomalies: number; partyReferences: number; partyEdges: number; watchlistHits: number; quarantinedLines: number };
  activeHolds: number;
  purgeId: number | null;
}

export interface PurgeRecord {
  id: number;
  at: string;
  principal: string;
  asOf: string;
  rowsRemoved: number;
  summary: unknown;
}

/** GET /api/retention: the settings, every hold (active and released) and the latest purges. */
export interface RetentionView {
  policies: RetentionPolicy[];
  holds: LegalHold[];
  purges: PurgeRecord[];
}
