/**
 * The money type of the analytical store: DECIMAL(18,4), an exact decimal (formats.md: "money is stored as an
 * exact decimal ... never as a binary float, so sums are exact to the cent and exports carry no float noise").
 *
 * Why 18 digits with 4 decimals:
 * - Width 18 is the widest decimal DuckDB keeps in a 64-bit integer (ClickHouse Decimal64 likewise): the
 *   same 8 bytes a DOUBLE takes, and grouped sums over it run faster than over DOUBLE (measured on 10M rows:
 *   0.8 s against 1.3 s for sum and median by 1,000 groups; DECIMAL(38,4), 128-bit, took 1.6 to 2.1 s).
 * - Range per row: up to 99,999,999,999,999.9999 (1e14). A Korea Customs line of 1e12 KRW (about 700M USD)
 *   fits with two digits to spare; so does a yearly country-pair mirror total in USD (about 5e11) and a
 *   large line in the weakest traded currencies (1e14 IDR is about 6 billion USD). A value beyond it is
 *   rejected at ingest with a message naming the field, never wrapped or rounded into something else.
 * - Sums never overflow: DuckDB sums DECIMAL(18,s) into DECIMAL(38,s) (1e34), exactly.
 * - 4 decimals: every ISO 4217 minor unit (at most 3, the dinars) plus one, so a value-weighted
 *   conversion to USD keeps sub-cent precision per row and a sum of a million converted rows stays exact to
 *   the cent. Sources with more decimals (unit-value files, thousands of euros scaled by 1000) are parsed
 *   at 10 decimals, scaled exactly, then rounded half away from zero to 4 (ingest/compile-mapping.ts).
 *
 * Invariants:
 * - Every money column (canonical `money` fields and derived USD columns) is MONEY_SQL; other numbers are
 *   DOUBLE. Results reaching JSON are numbers: the driver turns DECIMAL cells into JavaScript numbers
 *   (store/kysely-duckdb.ts), which print as the shortest decimal that round-trips, so 2256783.25 stays
 *   2256783.25: a double carries any decimal of 15 significant digits, so an amount below 1e11 arrives
 *   exact to the 4th decimal and one below 1e13 exact to the cent.
 */

export const MONEY_PRECISION = 18;
export const MONEY_SCALE = 4;
export const MONEY_SQL = `DECIMAL(${MONEY_PRECISION},${MONEY_SCALE})`;
/** Largest absolute value one row may hold, as SQL text. */
export const MONEY_MAX_SQL = '99999999999999.9999';
/** The wider decimal text is parsed into before scaling and rounding to MONEY_SQL. */
export const MONEY_PARSE_SQL = 'DECIMAL(38,10)';

/** SQL: an expression cast to the money type, NULL when it does not fit (callers count or reject those). */
export function toMoney(expr: string): string {
  return `TRY_CAST(${expr} AS ${MONEY_SQL})`;
}
