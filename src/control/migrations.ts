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
  };
}

export function migrationProvider(engine: ControlEngine): MigrationProvider {
  return { getMigrations: async () => migrations(engine) };
}
