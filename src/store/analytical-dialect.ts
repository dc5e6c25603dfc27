/**
 * The seam between the SQL we compose and the engine that runs it.
 *
 * Invariants:
 * - Only constructs that differ between engines live here (medians, period labels, file readers). Everything else is written once, in the Postgres-flavoured SQL that Kysely compiles and
 *   that DuckDB accepts; a ClickHouse dialect implements this interface and its own Kysely compiler.
 * - Methods return SQL fragments over *already safe* expressions: callers pass column expressions they
 *   built, never user text. User values are bound parameters.
 */
import { quoteString } from './duckdb-literal.ts';

export type PeriodGrain = 'month' | 'quarter' | 'year';

export interface CsvReadOptions {
  /** Absolute file path(s); compressed .gz is detected by the engine. */
  readonly paths: readonly string[];
  readonly delimiter?: string;
  readonly header: boolean;
  /** Column names when the file has no header row, in file order. */
  readonly columnNames?: readonly string[];
  readonly skipLines?: number;
  readonly quote?: string;
  readonly encoding?: 'utf-8' | 'latin-1' | 'utf-16';
  /** Table that receives malformed lines (wrong column count, bad quoting, bad encoding). */
  readonly rejectsTable: string;
  readonly rejectsScan: string;
}

export interface AnalyticalDialect {
  readonly name: string;
  median(expr: string): string;
  /** Continuous (interpolated) quantile, q in [0, 1]; detectors' quartiles are defined by it. */
  quantile(expr: string, q: number): string;
  /** The continuous quantiles qs of expr as one list (1-indexed), computed from one sort of the group. */
  quantiles(expr: string, qs: readonly number[]): string;
  /**
   * The same continuous quantiles of the values of a list expression (a scalar, not an aggregate): rolling
   * windows gather a window's values as one list and take the quartiles of it in one pass.
   */
  listQuantiles(listExpr: string, qs: readonly number[]): string;
  /** First day of the period containing the date expression. */
  periodStart(dateExpr: string, grain: PeriodGrain): string;
  /** Human label: 2024-03, 2024-Q1, 2024. */
  periodLabel(dateExpr: string, grain: PeriodGrain): string;
  /**
   * A table expression that reads delimited text as VARCHAR columns in file order (a table created from it
   * numbers its rows in file order), sending malformed lines to the rejects table.
   */
  readCsvAsText(opts: CsvReadOptions): string;
  readParquet(paths: readonly string[]): string;
}

export const duckdbDialect: AnalyticalDialect = {
  name: 'duckdb',
  median: (e) => `median(${e})`,
  quantile: (e, q) => {
    // q is composed by our code, never user text; a bad number must not become SQL.
    if (!(q >= 0 && q <= 1)) throw new RangeError('quantile must be within [0, 1]');
    return `quantile_cont(${e}, ${q})`;
  },
  quantiles: (e, qs) => {
    if (!qs.length || !qs.every((q) => q >= 0 && q <= 1)) throw new RangeError('quantiles must be within [0, 1]');
    return `quantile_cont(${e}, [${qs.join(', ')}])`;
  },
  listQuantiles: (e, qs) => {
    if (!qs.length || !qs.every((q) => q >= 0 && q <= 1)) throw new RangeError('quantiles must be within [0, 1]');
    // list_aggregate runs the aggregate itself over the list, so the numbers are quantile_cont's exactly.
    return `list_aggregate(${e}, 'quantile_cont', [${qs.join(', ')}])`;
  },
  periodStart: (d, g) => `CAST(date_trunc('${g}', ${d}) AS DATE)`,
  periodLabel: (d, g) =>
    g === 'month'
      ? `strftime(${d}, '%Y-%m')`
      : g === 'quarter'
        ? `(year(${d})::VARCHAR || '-Q' || quarter(${d})::VARCHAR)`
        : `year(${d})::VARCHAR`,
  readCsvAsText(o) {
    const opts: string[] = [
      `header = ${o.header ? 'true' : 'false'}`,
      'all_varchar = true',
      // The sniffer must not guess: a profile states its layout, so a surprising file fails loudly.
      'auto_detect = false',
      'store_rejects = true',
      `rejects_table = ${quoteString(o.rejectsTable)}`,
      `rejects_scan = ${quoteString(o.rejectsScan)}`,
      // A 2 GB line must fail as one rejected line, not exhaust memory.
      'max_line_size = 1048576',
      'strict_mode = true',
      'null_padding = false',
      `delim = ${quoteString(o.delimiter ?? ',')}`,
      `quote = ${quoteString(o.quote ?? '"')}`,
      `escape = ${quoteString(o.quote ?? '"')}`,
      `encoding = ${quoteString(o.encoding ?? 'utf-8')}`,
    ];
    if (o.skipLines) opts.push(`skip = ${Number(o.skipLines)}`);
    if (o.columnNames) {
      opts.push(`columns = {${o.columnNames.map((c) => `${quoteString(c)}: 'VARCHAR'`).join(', ')}}`);
    }
    const paths = `[${o.paths.map(quoteString).join(', ')}]`;
    return `read_csv(${paths}, ${opts.join(', ')})`;
  },
  readParquet: (paths) => `read_parquet([${paths.map(quoteString).join(', ')}])`,
};
