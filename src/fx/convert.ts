/**
 * Conversion to US dollars: at load (the rates are joined into the INSERT, ingest/ingest-file.ts) and again
 * whenever the rates in force change, and each batch's conversion provenance.
 *
 * Why at load, not at query time: every explore total, measure, party total and detector reads value_usd,
 * many over 10M+ lines; a stored column costs one join per load instead of one per query, and keeps every
 * reader's SQL a plain column. The price is re-conversion when rates change, which is this module: one
 * UPDATE pass per table, in the caller's transaction, so rows are never seen half converted.
 *
 * Invariants:
 * - The rates in force have a *generation*: the ids and SHA-256 prefixes of the sources in ref_fx_sources
 *   (shipped table, and a loaded one if any). A batch is current when `batch_fx.rates` equals it. Loading
 *   a rate table re-converts every batch in the same transaction; opening a store re-converts the batches
 *   that are not current (a data directory upgraded from a version without USD columns, or a shipped table
 *   changed by an upgrade of Parallax), so no batch is ever read with rates other than those its
 *   provenance names.
 * - History rows (superseded, `<table>_history`) are converted with their batch, so what was replaced stays
 *   comparable in USD too.
 * - Counts of unconverted rows use UNCONVERTED (fx-columns.ts), the same test every total uses.
 * - Batch and dataset identifiers reach SQL as bound parameters or as names from the canonical schema.
 */
import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { DATASETS, type DatasetId } from '../schema/index.ts';
import { FX_COLUMNS, FX_DATASETS, FX_RATES_VIEW, UNCONVERTED } from './fx-columns.ts';

async function rows(c: DuckDBConnection, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(text, params as DuckDBValue[])).getRowObjectsJson() as Record<string, unknown>[];
}

/** The generation of the rates in force: changes whenever a rate table is shipped, loaded or replaced. */
export async function fxGeneration(c: DuckDBConnection): Promise<string> {
  const r = await rows(c, `SELECT coalesce(string_agg(source_id || ':' || left(sha256, 12), '+' ORDER BY kind DESC, source_id), 'none') AS g FROM ref_fx_sources`);
  return String(r[0]?.['g'] ?? 'none');
}

/** Writes (or rewrites) the conversion provenance of one batch from its current rows. */
export async function recordBatchFx(c: DuckDBConnection, dataset: DatasetId, batchId: string, generation: string): Promise<{ rows_without_rate: number; currencies_without_rate: string[] }> {
  const unconverted = UNCONVERTED[dataset];
  if (!unconverted) return { rows_without_rate: 0, currencies_without_rate: [] };
  await c.run('DELETE FROM batch_fx WHERE batch_id = $1', [batchId]);
  // A batch whose rows were all superseded or purged still gets a record (of zero rows), so it is current.
  await c.run(
    `INSERT INTO batch_fx
     SELECT $1, $2, coalesce(any_value(provider), ''), $3, $4, count(*) FILTER (WHERE NOT (${unconverted})), count(*) FILTER (WHERE ${unconverted}),
       coalesce(list_sort(list(DISTINCT coalesce(currency, '(none)')) FILTER (WHERE ${unconverted})), []::VARCHAR[]), current_timestamp
     FROM ${dataset} WHERE batch_id = $1`,
    [batchId, dataset, DATASETS[dataset].category, generation],
  );
  const r = await rows(c, 'SELECT rows_without_rate, currencies_without_rate FROM batch_fx WHERE batch_id = $1', [batchId]);
  return { rows_without_rate: Number(r[0]?.['rows_without_rate'] ?? 0), currencies_without_rate: (r[0]?.['currencies_without_rate'] as string[] | undefined) ?? [] };
}

export interface ConversionResult {
  /** Batches converted again, per dataset. */
  readonly batches: Partial<Record<DatasetId, number>>;
  /** Current rows converted again, and how many of them have no rate. */
  readonly rows: number;
  readonly rows_without_rate: number;
  readonly generation: string;
}

/**
 * Converts the rows of the given batches again at the rates in force, current and
 * history tables, and rewrites their provenance. Runs inside the caller's transaction.
 */
async function convertBatches(c: DuckDBConnection, dataset: DatasetId, ids: readonly string[], generation: string): Promise<{ batches: number; rows: number; withoutRate: number }> {
  const cols = FX_COLUMNS[dataset];
  await c.run('CREATE OR REPLACE TEMP TABLE fx_batches (batch_id VARCHAR PRIMARY KEY)');
  await c.run(`INSERT INTO fx_batches SELECT DISTINCT unnest($1::VARCHAR[])`, [listValue([...ids])]);
  const tables = DATASETS[dataset].key ? [dataset, `${dataset}_history`] : [dataset];
  const rate = cols.find((x) => x.name === 'fx_rate')!;
  for (const t of tables) {
    const inBatches = `batch_id IN (SELECT batch_id FROM fx_batches)`;
    // The rate first (one join per row), then every USD column from it, with the same expressions as the load.
    await c.run(
      `UPDATE ${t} SET fx_rate = ${rate.expr(`(CASE WHEN currency = 'USD' THEN 1.0 ELSE (SELECT fx_in_force FROM ${FX_RATES_VIEW}
         WHERE fx_currency = ${t}.currency AND fx_month = CAST(date_trunc('month', ${t}.date) AS DATE)) END)`)} WHERE ${inBatches}`,
    );
    const rest = cols.filter((x) => x.name !== 'fx_rate');
    if (rest.length) await c.run(`UPDATE ${t} SET ${rest.map((x) => `${x.name} = ${x.expr('fx_rate')}`).join(', ')} WHERE ${inBatches}`);
  }
  let total = 0;
  let without = 0;
  for (const id of ids) {
    const r = await recordBatchFx(c, dataset, id, generation);
    without += r.rows_without_rate;
  }
  const n = await rows(c, `SELECT count(*)::BIGINT AS n FROM ${dataset} WHERE batch_id IN (SELECT batch_id FROM fx_batches)`);
  total = Number(n[0]?.['n'] ?? 0);
  await c.run('DROP TABLE IF EXISTS temp.fx_batches');
  return { batches: ids.length, rows: total, withoutRate: without };
}

/** Re-converts every batch of every dataset: after a rate table was loaded. Inside the caller's transaction. */
export async function convertAll(c: DuckDBConnection): Promise<ConversionResult> {
  return convert(c, 'all', false);
}

/**
 * Converts the batches whose provenance names other rates than those in force (or none). `scanTables` also
 * looks for batches in the data tables themselves (once, after a layout upgrade).
 */
export async function convertStale(c: DuckDBConnection, opts: { scanTables?: boolean } = {}): Promise<ConversionResult> {
  return convert(c, 'stale', opts.scanTables ?? false);
}

async function convert(c: DuckDBConnection, which: 'all' | 'stale', scanTables: boolean): Promise<ConversionResult> {
  const generation = await fxGeneration(c);
  const batches: Partial<Record<DatasetId, number>> = {};
  let total = 0;
  let without = 0;
  for (const d of FX_DATASETS) {
    // Committed batches come from batch_commits (one small row per batch, written with its rows), so the check
    // at every open reads no data table; `scanTables` (after a layout upgrade) also finds batches loaded
    // before batch_commits existed.
    const known = scanTables
      ? `SELECT batch_id FROM batch_commits WHERE dataset = $2 UNION SELECT DISTINCT batch_id FROM ${d}`
      : 'SELECT batch_id FROM batch_commits WHERE dataset = $2';
    const stale = which === 'all' ? '$1 IS NOT NULL' : '(b.batch_id IS NULL OR b.rates <> $1)';
    const ids = (
      await rows(c, `SELECT k.batch_id FROM (${known}) k LEFT JOIN batch_fx b ON b.batch_id = k.batch_id WHERE ${stale} ORDER BY 1`, [generation, d])
    ).map((r) => String(r['batch_id']));
    if (!ids.length) continue;
    const r = await convertBatches(c, d, ids, generation);
    if (r.batches) batches[d] = r.batches;
    total += r.rows;
    without += r.withoutRate;
  }
  return { batches, rows: total, rows_without_rate: without, generation };
}
