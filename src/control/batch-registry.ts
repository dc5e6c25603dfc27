/**
 * Batches and their quarantine in the control store.
 *
 * A batch moves loading -> committed (or failed). The analytical rows and a `batch_commits` marker are
 * written in one DuckDB transaction; the registry is updated after. Recovery (see ingest) reconciles the
 * two after a crash, so the registry never claims rows that are not there, nor hides rows that are.
 *
 * Invariants:
 * - A batch id is never handed out twice: a discarded record (an interrupted load settled by recovery, a
 *   refused file, a re-load of bytes already loaded) raises the `sequences` high-water mark in the same
 *   transaction that deletes it, and the next id is above both the mark and every record. Row ids derive from
 *   the batch sequence, so they are never reused either.
 * - Every attempt (a reserved batch) and every discard is an audit event (`ingest-attempt`,
 *   `ingest-discard` with the reason), appended after the control-store write, outside its transaction.
 */
import type { ControlStore } from './control-store.ts';
import type { BatchTable, QuarantineTable } from './control-schema.ts';
import type { Insertable } from 'kysely';
import type { AuditLog } from './audit-log.ts';

export type BatchRecord = BatchTable;

export interface QuarantineRow {
  line: number;
  field: string | null;
  reason: string;
  raw: string | null;
}

export function batchIdFor(seq: number): string {
  return `B${String(seq).padStart(6, '0')}`;
}

export function batchRegistry(store: ControlStore, o: { audit?: AuditLog } = {}) {
  const { db } = store;
  const audit = async (event: string, b: Pick<BatchRecord, 'batch_id' | 'loaded_by'>, detail: string) => {
    await o.audit?.append({ event, principal: b.loaded_by, role: null, source: 'ingest', outcome: 'allowed', objectIds: [b.batch_id], detail });
  };
  return {
    async findCommittedBySha(sha256: string, dataset: string): Promise<BatchRecord | undefined> {
      return db
        .selectFrom('batches')
        .selectAll()
        .where('sha256', '=', sha256)
        .where('dataset', '=', dataset)
        .where('status', '=', 'committed')
        .executeTakeFirst();
    },

    /** Every committed batch of these bytes for the dataset, whatever its provider, oldest first. */
    async committedBySha(sha256: string, dataset: string): Promise<BatchRecord[]> {
      return db.selectFrom('batches').selectAll().where('sha256', '=', sha256).where('dataset', '=', dataset).where('status', '=', 'committed').orderBy('seq').execute();
    },

    async listUnfinished(): Promise<BatchRecord[]> {
      return db.selectFrom('batches').selectAll().where('status', '=', 'loading').orderBy('seq').execute();
    },

    /** Reserve the next sequence number; the unique key makes a concurrent loser retry. */
    async begin(b: Omit<BatchRecord, 'seq' | 'batch_id' | 'status' | 'finished_at' | 'rows_read' | 'rows_accepted' | 'rows_rejected' | 'rejects_kept' | 'superseded_rows' | 'message'>): Promise<BatchRecord> {
      for (let attempt = 0; ; attempt++) {
        const max = await db.selectFrom('batches').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
        const mark = await db.selectFrom('sequences').select('value').where('name', '=', 'batch').executeTakeFirst();
        const seq = Math.max(Number(max?.m ?? 0), Number(mark?.value ?? 0)) + 1;
        const row: BatchRecord = {
          ...b,
          seq,
          batch_id: batchIdFor(seq),
          status: 'loading',
          finished_at: null,
          rows_read: 0,
          rows_accepted: 0,
          rows_rejected: 0,
          rejects_kept: 0,
          superseded_rows: 0,
          message: null,
        };
        try {
          await db.insertInto('batches').values(row).execute();
          await audit('ingest-attempt', row, `file=${JSON.stringify(b.file_name)} dataset=${b.dataset} category=${b.category} provider=${b.provider} profile=${b.profile} bytes=${b.size_bytes}`);
          return row;
        } catch (e) {
          if (attempt >= 5) throw e;
        }
      }
    },

    /** The SHA-256 is known only after the file has been read alongside the load. */
    async recordSha(batchId: string, sha256: string): Promise<void> {
      await db.updateTable('batches').set({ sha256 }).where('batch_id', '=', batchId).execute();
    },

    async addQuarantine(batchId: string, rows: readonly QuarantineRow[]): Promise<void> {
      const CHUNK = 500;
      for (let i = 0; i < rows.length; i += CHUNK) {
        const values: Insertable<QuarantineTable>[] = rows.slice(i, i + CHUNK).map((r) => ({ batch_id: batchId, ...r }));
        await db.insertInto('quarantine').values(values).execute();
      }
    },

    async finish(
      batchId: string,
      status: 'committed' | 'failed',
      counts: Partial<Pick<BatchRecord, 'rows_read' | 'rows_accepted' | 'rows_rejected' | 'rejects_kept' | 'superseded_rows' | 'message'>>,
    ): Promise<void> {
      await db
        .updateTable('batches')
        .set({ ...counts, status, finished_at: new Date().toISOString() })
        .where('batch_id', '=', batchId)
        .execute();
    },

    /**
     * Forget an attempt whose DuckDB transaction never committed, saying why (audited); its id stays used.
     */
    async discard(batchId: string, reason: string): Promise<void> {
      const b = await db.selectFrom('batches').select(['seq', 'batch_id', 'loaded_by']).where('batch_id', '=', batchId).executeTakeFirst();
      if (!b) return;
      await db.transaction().execute(async (tx) => {
        const mark = await tx.selectFrom('sequences').select('value').where('name', '=', 'batch').executeTakeFirst();
        if (!mark) await tx.insertInto('sequences').values({ name: 'batch', value: Number(b.seq) }).execute();
        else if (Number(mark.value) < Number(b.seq)) await tx.updateTable('sequences').set({ value: Number(b.seq) }).where('name', '=', 'batch').execute();
        await tx.deleteFrom('quarantine').where('batch_id', '=', batchId).execute();
        await tx.deleteFrom('batches').where('batch_id', '=', batchId).execute();
      });
      await audit('ingest-discard', b, reason);
    },

    async list(): Promise<BatchRecord[]> {
      return db.selectFrom('batches').selectAll().orderBy('seq').execute();
    },

    async get(batchId: string): Promise<BatchRecord | undefined> {
      return db.selectFrom('batches').selectAll().where('batch_id', '=', batchId).executeTakeFirst();
    },

    async quarantine(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: QuarantineRow[]; total: number }> {
      const total = await db
        .selectFrom('quarantine')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('batch_id', '=', batchId)
        .executeTakeFirst();
      const rows = await db
        .selectFrom('quarantine')
        .select(['line', 'field', 'reason', 'raw'])
        .where('batch_id', '=', batchId)
        .orderBy('line')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { rows: rows.map((r) => ({ ...r, line: Number(r.line) })), total: Number(total?.n ?? 0) };
    },
  };
}

export type BatchRegistry = ReturnType<typeof batchRegistry>;
