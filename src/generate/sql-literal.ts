// Every value that is spliced into generator SQL goes through this file, so quoting lives in one place:
// strings (file paths, names from the catalogues) double their single quotes, numbers must be finite.

export type SqlScalar = string | number | null;

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`generator: not a finite number: ${value}`);
  return String(value);
}

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
