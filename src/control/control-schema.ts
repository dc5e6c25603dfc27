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

/** Append-only event log. The hash chain and signed checkpoints are added by the security work (access.md). */
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
}

export interface ControlDatabase {
  batches: BatchTable;
  quarantine: QuarantineTable;
  audit_events: AuditEventTable;
}
