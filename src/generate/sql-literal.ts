// Composition helpers for the generator's inlined constants (VALUES tables, word lists). The escaping
// itself is the store's one audited DuckDB literal module; this file only arranges its output.
import { numberLiteral, quoteString } from '../store/index.ts';

export type SqlScalar = string | number | null;

export const sqlString = quoteString;
export const sqlNumber = numberLiteral;

export function sqlScalar(value: SqlScalar): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? sqlNumber(value) : sqlString(value);
}

/** A VALUES body `(a, b), (c, d)` for small, hand-written dimension tables. */
export function sqlValues(rows: readonly (readonly SqlScalar[])[]): string {
  if (rows.length === 0) throw new Error('generator: empty VALUES list');
  return rows.map((row) => `(${row.map(sqlScalar).join(', ')})`).join(',\n');
}

/** A list literal `['a', 'b']` for picking words by index inside SQL expressions. */
export function sqlList(items: readonly string[]): string {
  return `[${items.map(sqlString).join(', ')}]`;
}
