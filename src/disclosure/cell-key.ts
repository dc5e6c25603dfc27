/**
 * Record keys and cell keys of the cell-key method (ABS TableBuilder; Destatis `cellKey`), as SQL.
 *
 * Invariants:
 * - A record's key is a fixed number in [0, 2^32) derived deterministically and secretly from its row id:
 *   DuckDB's 64-bit hash of (row_id, secret), reduced mod 2^32. Row ids never change (a correction is a new
 *   row with a new id), so a record keeps its key for life; without the secret (secret.ts) nobody can
 *   compute it. The hash is not a cryptographic PRF, but its outputs are never shown: a reader only sees
 *   noise picked through the perturbation table by sums of many keys.
 * - A cell's key is the sum of its records' keys mod 2^32: a function of the set of records alone, so the
 *   same records give the same key however the query that gathered them was phrased (filter, dimensions,
 *   route), and adding or removing one record moves the key to an unrelated value.
 * - The secret is a bound parameter; the SQL text is constant.
 */
import { sql, type RawBuilder } from 'kysely';

export const CELL_KEY_MODULUS = 4_294_967_296;

/** The record key of the row aliased `alias`. */
export function recordKeySql(secret: bigint, alias = 't'): RawBuilder<number> {
  return sql<number>`(hash(${sql.ref(`${alias}.row_id`)}, ${secret}::BIGINT) % 4294967296)`;
}

/** The cell key of the rows aggregated (an aggregate expression), a DOUBLE in [0, 2^32). */
export function cellKeySql(secret: bigint, alias = 't'): RawBuilder<number> {
  return sql<number>`(coalesce(sum(${recordKeySql(secret, alias)}), 0) % 4294967296)::DOUBLE`;
}
