/**
 * Each batch's conversion provenance for listings (`parallax batches`, GET /api/batches): which exchange rates
 * converted its rows, when, and how many have none. Read through the scoped query layer (batch_fx rows carry
 * the batch's category and provider), so a caller sees the provenance of the batches it may see.
 */
import { sql } from 'kysely';
import { grantFor, type ScopedDb } from '../query/index.ts';

export interface BatchFx {
  /** The rate sources in force when the rows were (last) converted: `FRB-H10:<sha>` and a loaded table `B000123:<sha>`. */
  rates: string;
  rows_converted: number;
  rows_without_rate: number;
  currencies_without_rate: string[];
  converted_at: string;
}

/** The batches with their FX provenance (null for batches without money to convert: mirror statistics, reference). */
export async function withFxProvenance<B extends { batch_id: string }>(db: ScopedDb, batches: readonly B[]): Promise<(B & { fx: BatchFx | null })[]> {
  const ids = batches.map((b) => b.batch_id);
  // A scope without trade access reads no batch_fx (the table's own grant); its batches show no provenance.
  if (!grantFor(db.scope, 'trade')) return batches.map((b) => ({ ...b, fx: null }));
  const rows = ids.length
    ? ((await db.db
        .selectFrom('batch_fx as f')
        .select([
          'f.batch_id',
          'f.rates',
          sql<number>`f.rows_converted::INTEGER`.as('rows_converted'),
          sql<number>`f.rows_without_rate::INTEGER`.as('rows_without_rate'),
          'f.currencies_without_rate',
          sql<string>`CAST(f.converted_at AS VARCHAR)`.as('converted_at'),
        ])
        .where('f.batch_id', 'in', ids)
        .execute()) as (BatchFx & { batch_id: string })[])
    : [];
  const by = new Map(rows.map(({ batch_id, ...fx }) => [batch_id, fx]));
  return batches.map((b) => ({ ...b, fx: by.get(b.batch_id) ?? null }));
}
