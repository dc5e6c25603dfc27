/**
 * The one audited place where values are inlined into DuckDB SQL text.
 *
 * Everything that can be bound is bound ($1, $2 ...). A few things cannot: table-function options such as
 * `read_csv(columns = {...})`, COPY targets and identifiers derived from profile files. Those pass through
 * here and nowhere else.
 *
 * DuckDB string literals are single-quoted with '' as the only escape (no backslash escapes unless the
 * E'' form is used, which we never emit). Identifiers are double-quoted with "" doubling. NUL cannot be
 * represented in either, so it is refused rather than silently truncated.
 */

function refuseNul(text: string, what: string): void {
  if (text.includes('\u0000')) throw new Error(`${what} contains a NUL character and cannot be used in SQL`);
}

export function quoteString(text: string): string {
  refuseNul(text, 'string literal');
  return `'${text.replaceAll("'", "''")}'`;
}

export function quoteIdent(name: string): string {
  refuseNul(name, 'identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

/** A finite number as SQL text; NaN and infinities have no literal form and are refused. */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error('non-finite number cannot be inlined into SQL');
  return String(n);
}
