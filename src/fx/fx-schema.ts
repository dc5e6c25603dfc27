/**
 * DDL for exchange rates and conversion provenance in the analytical store; run at open, idempotently.
 *
 * Invariants:
 * - `ref_fx_rates` holds monthly average rates (units of the currency per US dollar) per source: the shipped
 *   table (`kind = 'shipped'`, source id SHIPPED_FX_SOURCE) and at most one table a user loaded (`kind =
 *   'loaded'`, source id = its batch id). A reference table like countries or ports: shared look-ups with
 *   no provider.
 * - `fx_rates_in_force` is the one rate per currency and month every conversion uses: the loaded table's
 *   where it has one (it wins), else the shipped one's. Rows in a currency and month neither covers stay
 *   unconverted.
 * - `batch_fx` is each data batch's conversion provenance: which rates (`rates`, the generation of the
 *   sources in force, see convert.ts) converted it, when, and how many of its rows have no rate. It is
 *   rewritten whenever the batch is converted again, so it always describes the rows as they are.
 */

export const SHIPPED_FX_SOURCE = 'FRB-H10';

export const FX_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ref_fx_sources (source_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
     sha256 VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL, first_month DATE, last_month DATE, currencies INTEGER NOT NULL,
     rates INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_fx_rates (source_id VARCHAR NOT NULL, currency VARCHAR NOT NULL, month DATE NOT NULL,
     rate DOUBLE NOT NULL, PRIMARY KEY (source_id, currency, month))`,
  // IF NOT EXISTS: opening a store writes nothing when nothing changed; a changed definition is a layout step.
  `CREATE VIEW IF NOT EXISTS fx_rates_in_force AS
     SELECT DISTINCT ON (r.currency, r.month) r.currency AS fx_currency, r.month AS fx_month, r.rate AS fx_in_force, r.source_id AS fx_source
     FROM ref_fx_rates r JOIN ref_fx_sources s ON s.source_id = r.source_id
     ORDER BY r.currency, r.month, (s.kind = 'loaded') DESC`,
  `CREATE TABLE IF NOT EXISTS batch_fx (batch_id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, provider VARCHAR NOT NULL,
     category VARCHAR NOT NULL, rates VARCHAR NOT NULL, rows_converted BIGINT NOT NULL, rows_without_rate BIGINT NOT NULL,
     currencies_without_rate VARCHAR[] NOT NULL, converted_at TIMESTAMP NOT NULL)`,
];
