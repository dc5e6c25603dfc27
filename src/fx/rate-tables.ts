/**
 * Exchange-rate tables: the shipped one (US Federal Reserve H.10/G.5 monthly averages, reference/) and one a
 * user loads (`parallax ingest FILE --category reference --profile fx`), which wins where both have a rate.
 *
 * Invariants:
 * - Every rate is units of the currency per US dollar (the H.10 convention, and formats.md's "rate to USD"),
 *   kept per calendar month: a user table may give daily, weekly or monthly rates and each month gets the
 *   average of the rates dated in it (the monthly average rate of formats.md).
 * - The shipped table names countries; reference/fx-currencies.csv maps each to its ISO 4217 code (euro-area
 *   currencies keep their own codes for their own months, the euro starts in 1999). It is seeded, or
 *   replaced when the shipped files change, keyed by the SHA-256 of both files.
 * - A user table is checked whole before anything changes: missing columns, a date, currency or rate that is
 *   not one, a rate that is not positive, or a US dollar rate other than 1 is an InputError naming the file,
 *   the line and the field (never the value), and nothing is stored. A valid table replaces the previous
 *   loaded one and every stored row is converted again, in one transaction (convert.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { quoteString } from '../store/duckdb-literal.ts';
import { InputError } from '../ingest/input-error.ts';
import { engineReadError } from '../ingest/engine-error.ts';
import { SHIPPED_FX_SOURCE } from './fx-schema.ts';
import { convertAll, convertStale, type ConversionResult } from './convert.ts';

export const SHIPPED_FX_FILE = 'fx-monthly-frb-h10.csv';
export const SHIPPED_FX_CURRENCIES = 'fx-currencies.csv';
export const SHIPPED_FX_NAME = 'US Federal Reserve H.10/G.5 monthly averages (shipped)';

async function rows(c: DuckDBConnection, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(text, params as DuckDBValue[])).getRowObjectsJson() as Record<string, unknown>[];
}

/**
 * Loads the shipped rates when the store has none or the shipped files changed. Returns true when the rates in
 * force changed (the caller then converts stale batches, convert.ts).
 */
export async function seedShippedRates(c: DuckDBConnection, referenceDir: string): Promise<boolean> {
  const ratesFile = join(referenceDir, SHIPPED_FX_FILE);
  const codesFile = join(referenceDir, SHIPPED_FX_CURRENCIES);
  if (!existsSync(ratesFile) || !existsSync(codesFile)) return false;
  const sha = createHash('sha256').update(readFileSync(ratesFile)).update(readFileSync(codesFile)).digest('hex');
  const have = await rows(c, 'SELECT sha256 FROM ref_fx_sources WHERE source_id = $1', [SHIPPED_FX_SOURCE]);
  if (have[0]?.['sha256'] === sha) return false;
  await c.run('BEGIN TRANSACTION');
  try {
    await c.run('DELETE FROM ref_fx_rates WHERE source_id = $1', [SHIPPED_FX_SOURCE]);
    await c.run('DELETE FROM ref_fx_sources WHERE source_id = $1', [SHIPPED_FX_SOURCE]);
    await c.run(
      `INSERT INTO ref_fx_rates
       SELECT $1, m.currency, CAST(date_trunc('month', CAST(r."Date" AS DATE)) AS DATE) AS month, avg(CAST(r."Exchange rate" AS DOUBLE))
       FROM read_csv(${quoteString(ratesFile)}, header = true, auto_detect = false, delim = ',', quote = '"',
              columns = {'Date': 'VARCHAR', 'Country': 'VARCHAR', 'Exchange rate': 'VARCHAR'}) r
       JOIN read_csv(${quoteString(codesFile)}, header = true, auto_detect = false, delim = ',', quote = '"',
              columns = {'country': 'VARCHAR', 'currency': 'VARCHAR', 'note': 'VARCHAR'}) m ON m.country = r."Country"
       WHERE TRY_CAST(r."Exchange rate" AS DOUBLE) > 0
       GROUP BY ALL`,
      [SHIPPED_FX_SOURCE],
    );
    await insertSource(c, SHIPPED_FX_SOURCE, 'shipped', SHIPPED_FX_NAME, sha);
    await c.run('COMMIT');
  } catch (e) {
    await c.run('ROLLBACK');
    throw e;
  }
  return true;
}

async function insertSource(c: DuckDBConnection, id: string, kind: 'shipped' | 'loaded', name: string, sha: string): Promise<void> {
  await c.run(
    `INSERT INTO ref_fx_sources SELECT $1, $2, $3, $4, current_timestamp, min(month), max(month), count(DISTINCT currency), count(*)
     FROM ref_fx_rates WHERE source_id = $1`,
    [id, kind, name, sha],
  );
}

export interface FxSource {
  source_id: string;
  kind: 'shipped' | 'loaded';
  name: string;
  loaded_at: string;
  first_month: string | null;
  last_month: string | null;
  currencies: number;
  rates: number;
}

/** The rate sources in force, the loaded one first (it wins). */
export async function fxSources(c: DuckDBConnection): Promise<FxSource[]> {
  const r = await rows(
    c,
    `SELECT source_id, kind, name, CAST(loaded_at AS VARCHAR) AS loaded_at, strftime(first_month, '%Y-%m') AS first_month,
       strftime(last_month, '%Y-%m') AS last_month, currencies, rates FROM ref_fx_sources ORDER BY kind, source_id`,
  );
  return r.map((x) => ({ ...(x as unknown as FxSource), currencies: Number(x['currencies']), rates: Number(x['rates']) }));
}

/** Column names a user table may use for each field (compared case-insensitively). */
const COLUMN_NAMES = {
  date: ['date', 'month', 'period'],
  currency: ['currency', 'currency_code', 'iso4217'],
  rate: ['rate', 'rate_per_usd', 'units_per_usd', 'exchange_rate'],
} as const;

export interface FxLoadResult {
  readonly rates_read: number;
  readonly monthly_rates: number;
  readonly currencies: number;
  readonly first_month: string | null;
  readonly last_month: string | null;
  readonly conversion: ConversionResult;
}

/**
 * Checks a user's rate table and, if every line is valid, makes it the loaded table (replacing any earlier one)
 * and converts every stored row again. Runs on the caller's write connection.
 */
export async function loadFxTable(c: DuckDBConnection, file: string, batchId: string, sha256: string): Promise<FxLoadResult> {
  try {
    await c.run(`CREATE OR REPLACE TEMP TABLE fx_src AS SELECT * FROM read_csv(${quoteString(file)}, header = true, all_varchar = true, auto_detect = true, sample_size = -1)`);
  } catch (e) {
    throw engineReadError(file, e);
  }
  try {
    const present = (await rows(c, 'SELECT column_name FROM (DESCRIBE fx_src)')).map((r) => String(r['column_name']));
    const col = (field: keyof typeof COLUMN_NAMES): string => {
      const found = present.find((p) => (COLUMN_NAMES[field] as readonly string[]).includes(p.trim().toLowerCase()));
      if (!found) {
        throw new InputError(file, 1, field, 'required column is missing for the fx reference table', `The file needs the columns date, currency and rate (units of the currency per US dollar), with a header row`);
      }
      return `"${found.replaceAll('"', '""')}"`;
    };
    const [d, cur, rate] = [col('date'), col('currency'), col('rate')];
    // Typed once, then checked in file order: the first bad line is the one reported (the header is line 1).
    await c.run(
      `CREATE OR REPLACE TEMP TABLE fx_typed AS
       SELECT rowid + 2 AS line, nullif(trim(${d}), '') AS d_text, upper(trim(${cur})) AS currency, nullif(trim(${rate}), '') AS r_text,
         coalesce(TRY_CAST(trim(${d}) AS DATE), CAST(try_strptime(trim(${d}), '%Y-%m') AS DATE)) AS day,
         TRY_CAST(trim(${rate}) AS DOUBLE) AS rate
       FROM fx_src`,
    );
    const checks: { field: string; cond: string; problem: string }[] = [
      { field: 'date', cond: 'd_text IS NULL', problem: 'required value is missing' },
      { field: 'date', cond: 'day IS NULL', problem: 'not a date (expected YYYY-MM-DD or YYYY-MM)' },
      { field: 'currency', cond: "currency IS NULL OR NOT regexp_full_match(currency, '[A-Z]{3}')", problem: 'not an ISO 4217 currency code' },
      { field: 'rate', cond: 'r_text IS NULL', problem: 'required value is missing' },
      { field: 'rate', cond: 'rate IS NULL OR NOT isfinite(rate)', problem: 'not a number' },
      { field: 'rate', cond: 'rate <= 0', problem: 'must be greater than 0 (units of the currency per US dollar)' },
      { field: 'rate', cond: "currency = 'USD' AND rate <> 1", problem: 'the US dollar is 1 per US dollar' },
    ];
    const bad = await rows(
      c,
      `SELECT line, ${checks.map((k, i) => `CASE WHEN ${k.cond} THEN ${i} END`).reduce((a, b) => `coalesce(${a}, ${b})`)} AS failed
       FROM fx_typed WHERE ${checks.map((k) => `(${k.cond})`).join(' OR ')} ORDER BY line LIMIT 1`,
    );
    if (bad.length) {
      const k = checks[Number(bad[0]!['failed'])]!;
      throw new InputError(file, Number(bad[0]!['line']), k.field, k.problem, 'Fix the line and load the file again; nothing was changed');
    }
    const read = Number((await rows(c, 'SELECT count(*) AS n FROM fx_typed'))[0]?.['n'] ?? 0);
    if (!read) throw new InputError(file, null, null, 'the file holds no rates', 'Give one line per currency and date: date, currency, rate');

    await c.run('BEGIN TRANSACTION');
    try {
      await c.run(`DELETE FROM ref_fx_rates WHERE source_id IN (SELECT source_id FROM ref_fx_sources WHERE kind = 'loaded')`);
      await c.run(`DELETE FROM ref_fx_sources WHERE kind = 'loaded'`);
      await c.run(
        `INSERT INTO ref_fx_rates SELECT $1, currency, CAST(date_trunc('month', day) AS DATE), avg(rate) FROM fx_typed WHERE currency <> 'USD' GROUP BY ALL`,
        [batchId],
      );
      await insertSource(c, batchId, 'loaded', basename(file), sha256);
      const conversion = await convertAll(c);
      await c.run('COMMIT');
      const s = (await rows(c, `SELECT rates, currencies, strftime(first_month, '%Y-%m') AS f, strftime(last_month, '%Y-%m') AS l FROM ref_fx_sources WHERE source_id = $1`, [batchId]))[0] ?? {};
      return {
        rates_read: read,
        monthly_rates: Number(s['rates'] ?? 0),
        currencies: Number(s['currencies'] ?? 0),
        first_month: (s['f'] as string | null) ?? null,
        last_month: (s['l'] as string | null) ?? null,
        conversion,
      };
    } catch (e) {
      await c.run('ROLLBACK');
      throw e;
    }
  } finally {
    await c.run('DROP TABLE IF EXISTS temp.fx_src; DROP TABLE IF EXISTS temp.fx_typed');
  }
}

/**
 * At every open of a store: seed or refresh the shipped rates, then convert the batches whose provenance names
 * other rates (none after a layout upgrade: `scanTables`). One transaction for the conversion, so a reader never
 * sees a batch half converted. Cheap when nothing changed: one small read of batch_commits and batch_fx.
 */
export async function ratesAtOpen(c: DuckDBConnection, referenceDir: string, opts: { scanTables?: boolean } = {}): Promise<ConversionResult> {
  await seedShippedRates(c, referenceDir);
  await c.run('BEGIN TRANSACTION');
  try {
    const r = await convertStale(c, opts);
    await c.run('COMMIT');
    return r;
  } catch (e) {
    await c.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
