/**
 * HTTP contract of parties, their graph and paths, analysts' decisions, and party re-resolution jobs.
 *
 * Invariants: pure types (the web imports this file); src/server/party-routes.ts returns these shapes,
 * checked by `tsc` where src/parties types its results precisely. The profile's lists (counterparties,
 * goods, anomalies, watch-list hits) are typed only as records by src/parties/party-queries.ts, so their
 * row shapes here are checked at run time by test/browser/api-contract.test.ts, not by the compiler.
 */
import type { Explanation } from './screening.ts';

/** One entry of GET /api/parties. */
export interface PartySummary {
  party_id: string;
  name: string;
  country: string | null;
  members: number;
  /** Goods: trade lines naming the party and their value in US dollars (monthly rates). */
  lines: number;
  value_usd: number;
  /** Money: payments naming the party and their amount in US dollars; 0 without financial access. */
  payments: number;
  payments_usd: number;
  /** Lines and payments without an exchange rate, left out of the USD totals. */
  without_usd: number;
}

export type DecisionKind = 'confirmed' | 'false_positive' | 'escalate';

/** POST /api/decisions (201), and each entry of GET /api/decisions: the last one is in force. */
export interface Decision {
  id: number;
  subject_kind: 'hit' | 'anomaly';
  subject_id: string;
  party_id: string | null;
  list_id: string | null;
  entry_id: string | null;
  entry_fingerprint: string | null;
  decision: DecisionKind;
  note: string | null;
  decided_by: string;
  decided_at: string;
  supersedes: number | null;
}

export interface WatchlistHit {
  hit_id: string;
  list: string;
  list_version: string;
  checked_version: string | null;
  entry_id: string;
  entry_type: string;
  entry_name: string;
  party_name: string;
  matched_name: string;
  weak_alias: boolean;
  score: number;
  status: string;
  retired_version: string | null;
  entry_fingerprint: string | null;
  explanation: Explanation;
  decisions: Decision[];
}

export interface PartyCounterparty {
  party_id: string;
  name: string | null;
  /** `trade:to`, `trade:from`, `payment:to`, `payment:from`. */
  relations: string[];
  /** Goods lines and their value, payments and their amount, in US dollars, apart. */
  lines: number;
  value_usd: number;
  payments: number;
  payments_usd: number;
}

export interface PartyGoods {
  role: 'import' | 'export';
  /** YYYY-Qn */
  period: string;
  hs2: string;
  lines: number;
  value_usd: number;
  lines_without_usd: number;
}

export interface PartyAnomaly {
  anomaly_id: string;
  detector: string;
  score: number;
  reason: string;
  declaration_id: string | null;
  line_no: number | null;
}

/** GET /api/parties/:id. */
export interface PartyProfile extends PartySummary {
  member_records: Record<string, unknown>[];
  /**
   * In US dollars: trade sides carry lines, value_usd, lines_without_usd, declarations; payment sides payments,
   * amount_usd, payments_without_usd.
   */
  totals: {
    trade: { as_importer: Record<string, number>; as_exporter: Record<string, number> };
    payments: { as_payer: Record<string, number>; as_payee: Record<string, number> } | null;
  };
  counterparties: PartyCounterparty[];
  goods_by_period: PartyGoods[];
  anomalies: PartyAnomaly[];
  /** null when the caller may not read watch lists. */
  watchlist_hits: WatchlistHit[] | null;
}

export interface GraphNode {
  id: string;
  kind: 'party' | 'more';
  name: string | null;
  depth: number;
  /** For a "+N more" node: how many neighbours it stands for. */
  count?: number;
}

export interface GraphEdge {
  source: string;
  target: string;
  kinds: ('trade' | 'payment' | 'more')[];
  lines: number;
  /** US dollars: the goods and payments of the kinds named, a weight for ranking neighbours. */
  value: number;
}

/** GET /api/parties/:id/graph. */
export interface PartyGraph {
  center: string;
  depth: number;
  cap: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
}

/** GET /api/path and /api/parties/path. */
export interface PartyPath {
  from: string;
  to: string;
  max_hops: number;
  found: boolean;
  hops: number | null;
  parties: { party_id: string; name: string | null }[];
  steps: { from: string; to: string; kinds: string[]; lines: number; value: number }[];
}

export interface ResolutionResult {
  resolution_id: string;
  records: number;
  parties: number;
  trade_members: number;
  payment_members: number;
  trade_edges: number;
  payment_edges: number;
  iterations: number;
  overrides: number;
  seconds: number;
}

/** GET /api/jobs/:id: a background party re-resolution. */
export interface ResolutionJob {
  job_id: string;
  kind: 'party-resolution';
  status: 'queued' | 'running' | 'done' | 'failed';
  started_by: string;
  override_id: number | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  seconds: number | null;
  resolution: ResolutionResult | null;
  error: string | null;
}

export interface MemberRef {
  source: string;
  provider: string;
  ref: string;
}

export interface PartyOverride {
  id: number;
  kind: 'merge' | 'split';
  a: MemberRef;
  b: MemberRef | null;
  party_a: string | null;
  party_b: string | null;
  note: string | null;
  decided_by: string;
  decided_at: string;
}

/** POST /api/parties/merge and /api/parties/:id/split: 202 with a job, or 201 with `job: null`. */
export interface OverrideRecorded {
  override: PartyOverride;
  job: ResolutionJob | null;
  resolution: null;
}
