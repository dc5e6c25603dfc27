/**
 * Typed tables of the control store (Kysely `Database` interface).
 *
 * Invariant: types here are the portable subset both SQLite and PostgreSQL return the same way — text,
 * integers that fit in 53 bits, and ISO-8601 timestamps stored as text — so repository code never
 * branches on the engine.
 */
import type { Generated } from 'kysely';

export interface BatchTable {
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
}

export interface QuarantineTable {
  id: Generated<number>;
  batch_id: string;
  line: number;
  field: string | null;
  reason: string;
  raw: string | null;
}

/**
 * Append-only event log (access.md, NIST SP 800-53 AU-3). `hash` = SHA-256 over the previous record's hash
 * and this record's fields, so an edit, deletion, insertion or reordering breaks the chain.
 */
export interface AuditEventTable {
  id: Generated<number>;
  at: string;
  event: string;
  principal: string;
  role: string | null;
  source: string;
  object_ids: string | null;
  row_count: number | null;
  outcome: 'allowed' | 'denied' | 'error';
  detail: string | null;
  client: string | null;
  purpose: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/** A signed statement of the chain head (Ed25519; the private key lives outside the database). */
export interface AuditCheckpointTable {
  id: Generated<number>;
  at: string;
  last_event_id: number;
  head_hash: string;
  key_id: string;
  signature: string;
}

/** The accounting of disclosures: kept five years or the life of the record, whichever is longer. */
export interface DisclosureTable {
  id: Generated<number>;
  at: string;
  principal: string;
  nature: string;
  purpose: string | null;
  recipient: string;
  agreement: string | null;
  row_count: number | null;
  bytes: number | null;
  audit_event_id: number | null;
  retain_until: string;
}

export type AccountStatus = 'requested' | 'approved' | 'active' | 'suspended' | 'locked' | 'disabled' | 'rejected';

export interface UserTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  agency: string;
  supervisor: string | null;
  role: string;
  provider: string | null;
  justification: string | null;
  /** argon2id PHC string; never leaves the accounts module. */
  password_hash: string | null;
  status: AccountStatus;
  lock_reason: string | null;
  failed_signins: number;
  requested_at: string;
  approved_by: string | null;
  approved_at: string | null;
  activated_by: string | null;
  activated_at: string | null;
  training_attested_at: string | null;
  review_due_at: string | null;
  /** Downloads before this instant no longer count against the quota (set by an administrator's unlock). */
  quota_reset_at: string | null;
}

/** Sessions are stored by the SHA-256 of their token, so a copy of the table cannot be replayed. */
export interface SessionTable {
  id_hash: string;
  user_name: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  source: string;
  client: string | null;
  purpose: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

export interface DownloadTable {
  id: Generated<number>;
  user_name: string;
  at: string;
  route: string;
  row_count: number;
  bytes: number;
}

export type DecisionKind = 'confirmed' | 'false_positive' | 'escalate';

/** An analyst decision on a screening hit or an anomaly. Never updated or deleted; the latest per subject counts. */
export interface PartyDecisionTable {
  id: Generated<number>;
  subject_kind: 'hit' | 'anomaly';
  subject_id: string;
  party_id: string | null;
  list_id: string | null;
  entry_id: string | null;
  /** For hits: the entry's name-relevant fields as the decision saw them; a changed entry re-opens the hit. */
  entry_fingerprint: string | null;
  decision: DecisionKind;
  note: string | null;
  decided_by: string;
  decided_at: string;
  /** The decision this one replaces, if any. */
  supersedes: number | null;
}

/** An analyst's entity-resolution override; members are (source, provider, ref) as party_members holds them. */
export interface PartyOverrideTable {
  id: Generated<number>;
  kind: 'merge' | 'split';
  source_a: 'trade' | 'payment';
  provider_a: string;
  ref_a: string;
  source_b: 'trade' | 'payment' | null;
  provider_b: string | null;
  ref_b: string | null;
  party_a: string | null;
  party_b: string | null;
  note: string | null;
  decided_by: string;
  decided_at: string;
}

export interface ControlDatabase {
  batches: BatchTable;
  quarantine: QuarantineTable;
  audit_events: AuditEventTable;
  audit_checkpoints: AuditCheckpointTable;
  disclosures: DisclosureTable;
  users: UserTable;
  sessions: SessionTable;
  downloads: DownloadTable;
  party_decisions: PartyDecisionTable;
  party_overrides: PartyOverrideTable;
  reports: ReportTable;
  report_runs: ReportRunTable;
  retention_policies: RetentionPolicyTable;
  legal_holds: LegalHoldTable;
  purges: PurgeTable;
  sequences: SequenceTable;
}

/** High-water marks of identifiers that must never be handed out twice (batch sequence numbers). */
export interface SequenceTable {
  name: string;
  value: number;
}

/**
 * A dataset category's retention period as set by a security administrator (access.md, privacy by design).
 * A category without a row keeps the default (10 years from loading). `basis` says what the period counts
 * from: 'loaded' (the batch's load time: "10 years in the system") or 'record-date' (the row's own date).
 */
export interface RetentionPolicyTable {
  category: string;
  years: number;
  basis: 'loaded' | 'record-date';
  set_by: string;
  set_at: string;
  reason: string;
}

/** A legal hold blocks purges of what it names until released; never deleted, so holds stay on record. */
export interface LegalHoldTable {
  id: Generated<number>;
  target_kind: 'category' | 'provider' | 'batch';
  target: string;
  reason: string;
  placed_by: string;
  placed_at: string;
  released_by: string | null;
  released_at: string | null;
  release_reason: string | null;
}

/** One purge run: when, by whom, against which cut-offs, and what it removed (JSON counts, no row values). */
export interface PurgeTable {
  id: Generated<number>;
  at: string;
  principal: string;
  as_of: string;
  summary: string;
  rows_removed: number;
}

/** A saved report: a measures query spec and a layout (JSON text), run under whoever runs it. */
export interface ReportTable {
  id: Generated<number>;
  name: string;
  title: string;
  spec: string;
  layout: string;
  /** 'monthly' or null. */
  schedule: string | null;
  /** Comma-separated export formats a scheduled run writes. */
  formats: string;
  next_run_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ReportRunTable {
  id: Generated<number>;
  report_id: number;
  ran_at: string;
  ran_by: string;
  /** 'manual', 'export' or 'schedule'. */
  trigger: string;
  period_label: string | null;
  status: 'ok' | 'error';
  row_count: number | null;
  /** JSON array of archive-relative file paths. */
  files: string | null;
  message: string | null;
}
