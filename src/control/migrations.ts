/**
 * One ordered list of migrations for SQLite and PostgreSQL.
 *
 * Invariants: migrations are append-only (never edit one that has shipped); they use only Kysely's schema
 * builder with portable types, and the single engine difference (an auto-increment key) is expressed by
 * asking the builder for `serial` on PostgreSQL and `integer ... autoincrement` on SQLite.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

export type ControlEngine = 'sqlite' | 'postgres';

function migrations(engine: ControlEngine): Record<string, Migration> {
  const autoId = (db: Kysely<any>, table: string) =>
    db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('id', engine === 'postgres' ? 'serial' : 'integer', (c) =>
        engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );
  return {
    '0001_batches_quarantine': {
      async up(db) {
        await db.schema
          .createTable('batches')
          .ifNotExists()
          .addColumn('seq', 'integer', (c) => c.primaryKey())
          .addColumn('batch_id', 'text', (c) => c.notNull().unique())
          .addColumn('dataset', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('profile', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'bigint', (c) => c.notNull())
          .addColumn('loaded_by', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('rows_read', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('rows_accepted', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('rows_rejected', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('rejects_kept', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('superseded_rows', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('message', 'text')
          .execute();
        await db.schema.createIndex('batches_sha').ifNotExists().on('batches').columns(['sha256', 'dataset']).execute();
        await autoId(db, 'quarantine')
          .addColumn('batch_id', 'text', (c) => c.notNull())
          .addColumn('line', 'bigint', (c) => c.notNull())
          .addColumn('field', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('raw', 'text')
          .execute();
        await db.schema.createIndex('quarantine_batch').ifNotExists().on('quarantine').columns(['batch_id', 'line']).execute();
      },
    },
    '0002_audit_events': {
      async up(db) {
        await autoId(db, 'audit_events')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('principal', 'text', (c) => c.notNull())
          .addColumn('role', 'text')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('object_ids', 'text')
          .addColumn('row_count', 'bigint')
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('detail', 'text')
          .execute();
      },
    },
    '0003_audit_chain': {
      async up(db) {
        // AU-3 fields the first log lacked, and the hash chain (access.md: tamper-evident audit trail).
        for (const col of ['client', 'purpose', 'prev_hash', 'hash']) {
          await db.schema.alterTable('audit_events').addColumn(col, 'text').execute();
        }
        await autoId(db, 'audit_checkpoints')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('last_event_id', 'bigint', (c) => c.notNull())
          .addColumn('head_hash', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('signature', 'text', (c) => c.notNull())
          .execute();
        await autoId(db, 'disclosures')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('principal', 'text', (c) => c.notNull())
          .addColumn('nature', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text')
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('agreement', 'text')
          .addColumn('row_count', 'bigint')
          .addColumn('bytes', 'bigint')
          .addColumn('audit_event_id', 'bigint')
          .addColumn('retain_until', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0004_accounts_sessions_quotas': {
      async up(db) {
        await autoId(db, 'users')
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('agency', 'text', (c) => c.notNull())
          .addColumn('supervisor', 'text')
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('provider', 'text')
          .addColumn('justification', 'text')
          .addColumn('password_hash', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('lock_reason', 'text')
          .addColumn('failed_signins', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('requested_at', 'text', (c) => c.notNull())
          .addColumn('approved_by', 'text')
          .addColumn('approved_at', 'text')
          .addColumn('activated_by', 'text')
          .addColumn('activated_at', 'text')
          .addColumn('training_attested_at', 'text')
          .addColumn('review_due_at', 'text')
          .addColumn('quota_reset_at', 'text')
          .execute();
        await db.schema
          .createTable('sessions')
          .ifNotExists()
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('client', 'text')
          .addColumn('purpose', 'text')
          .addColumn('ended_at', 'text')
          .addColumn('end_reason', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').ifNotExists().on('sessions').columns(['user_name', 'ended_at']).execute();
        await autoId(db, 'downloads')
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('route', 'text', (c) => c.notNull())
          .addColumn('row_count', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('downloads_user').ifNotExists().on('downloads').columns(['user_name', 'at']).execute();
      },
    },
    '0005_party_decisions': {
      async up(db) {
        // Analyst decisions on screening hits and anomalies: append-only, a later decision supersedes.
        await autoId(db, 'party_decisions')
          .addColumn('subject_kind', 'text', (c) => c.notNull())
          .addColumn('subject_id', 'text', (c) => c.notNull())
          .addColumn('party_id', 'text')
          .addColumn('list_id', 'text')
          .addColumn('entry_id', 'text')
          .addColumn('entry_fingerprint', 'text')
          .addColumn('decision', 'text', (c) => c.notNull())
          .addColumn('note', 'text')
          .addColumn('decided_by', 'text', (c) => c.notNull())
          .addColumn('decided_at', 'text', (c) => c.notNull())
          .addColumn('supersedes', 'integer')
          .execute();
        await db.schema.createIndex('party_decisions_subject').ifNotExists().on('party_decisions').columns(['subject_kind', 'subject_id', 'id']).execute();
        // Entity-resolution overrides (merge two parties, split a member off), re-applied by every resolution.
        await autoId(db, 'party_overrides')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('source_a', 'text', (c) => c.notNull())
          .addColumn('provider_a', 'text', (c) => c.notNull())
          .addColumn('ref_a', 'text', (c) => c.notNull())
          .addColumn('source_b', 'text')
          .addColumn('provider_b', 'text')
          .addColumn('ref_b', 'text')
          .addColumn('party_a', 'text')
          .addColumn('party_b', 'text')
          .addColumn('note', 'text')
          .addColumn('decided_by', 'text', (c) => c.notNull())
          .addColumn('decided_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0006_reports': {
      async up(db) {
        // Saved report definitions (a measures query spec and a layout, as JSON text) and their runs; a run's
        // file lives in the data directory's report archive, its path relative to that archive.
        await autoId(db, 'reports')
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('spec', 'text', (c) => c.notNull())
          .addColumn('layout', 'text', (c) => c.notNull())
          .addColumn('schedule', 'text')
          .addColumn('formats', 'text', (c) => c.notNull())
          .addColumn('next_run_at', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await autoId(db, 'report_runs')
          .addColumn('report_id', 'integer', (c) => c.notNull())
          .addColumn('ran_at', 'text', (c) => c.notNull())
          .addColumn('ran_by', 'text', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('period_label', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('row_count', 'bigint')
          .addColumn('files', 'text')
          .addColumn('message', 'text')
          .execute();
        await db.schema.createIndex('report_runs_report').ifNotExists().on('report_runs').columns(['report_id', 'ran_at']).execute();
      },
    },
    '0007_audit_indexes': {
      async up(db) {
        // `GET /api/audit` filters by principal (own events) and time; verify looks checkpoints up by head.
        await db.schema.createIndex('audit_events_principal').ifNotExists().on('audit_events').columns(['principal', 'id']).execute();
        await db.schema.createIndex('audit_events_at').ifNotExists().on('audit_events').columns(['at']).execute();
        await db.schema.createIndex('audit_checkpoints_event').ifNotExists().on('audit_checkpoints').columns(['last_event_id']).execute();
      },
    },
    '0008_retention': {
      async up(db) {
        // Privacy by design (access.md): retention periods per category, legal holds, and the purge record.
        await db.schema
          .createTable('retention_policies')
          .ifNotExists()
          .addColumn('category', 'text', (c) => c.primaryKey())
          .addColumn('years', 'integer', (c) => c.notNull())
          .addColumn('basis', 'text', (c) => c.notNull())
          .addColumn('set_by', 'text', (c) => c.notNull())
          .addColumn('set_at', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .execute();
        await autoId(db, 'legal_holds')
          .addColumn('target_kind', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('placed_by', 'text', (c) => c.notNull())
          .addColumn('placed_at', 'text', (c) => c.notNull())
          .addColumn('released_by', 'text')
          .addColumn('released_at', 'text')
          .addColumn('release_reason', 'text')
          .execute();
        await autoId(db, 'purges')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('principal', 'text', (c) => c.notNull())
          .addColumn('as_of', 'text', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('rows_removed', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0009_batch_sequence': {
      async up(db) {
        // The highest batch sequence ever handed out, kept when an interrupted or refused batch record is
        // discarded, so a batch id (and the row ids derived from it) is never given to another file.
        await db.schema
          .createTable('sequences')
          .ifNotExists()
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
  };
}

export function migrationProvider(engine: ControlEngine): MigrationProvider {
  return { getMigrations: async () => migrations(engine) };
}
