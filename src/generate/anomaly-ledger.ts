// The ledger that keeps labels honest. Every injection goes through it:
//   ov       - the rewrite of some lines (only the columns it sets), applied to `base` in one UPDATE;
//   touched  - every line ever rewritten, so no line carries two injected anomalies;
//   reserved - every party given a party-level anomaly, so party signals do not mix;
//   labels   - written by the injection in the same step as its rewrite.
// A label therefore exists exactly when its rewrite was applied, which is what labels.csv promises.
// base.free caches "neither touched nor of a reserved party", so the candidate searches over 10 million
// lines need no anti-join.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnomalyPlan, DetectorId } from './anomaly-plan.ts';
import { sqlString } from './sql-literal.ts';
import { scalar } from './sql-read.ts';

export interface InjectionContext {
  conn: DuckDBConnection;
  seed: number;
  rows: number;
  start: string;
  months: number;
  plan: AnomalyPlan;
}

export async function createLedger(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE ov (
    i BIGINT, kind VARCHAR, set_route BOOLEAN DEFAULT false,
    flow VARCHAR, date DATE, imp_pk INT, exp_pk INT, origin VARCHAR, departure VARCHAR, destination VARCHAR,
    port VARCHAR, mode VARCHAR, ch INT, hs_idx INT,
    qty DECIMAL(18,3), mass DECIMAL(18,3), value DECIMAL(18,2))`);
  await conn.run(`CREATE TABLE touched (i BIGINT, kind VARCHAR)`);
  await conn.run(`CREATE TABLE reserved (pk INT, kind VARCHAR)`);
  await conn.run(`CREATE TABLE labels (
    anomaly VARCHAR, subject_kind VARCHAR, i BIGINT, d BIGINT, line_no INT, pay_pn BIGINT, party_pk INT,
    partner VARCHAR, hs VARCHAR, period VARCHAR, detail VARCHAR)`);
}

/** Applies the pending rewrites in `ov` to `base`, records them as touched and empties `ov`. */
export async function applyOverrides(conn: DuckDBConnection): Promise<void> {
  if ((await scalar(conn, `SELECT count(*) - count(DISTINCT i) FROM ov`)) !== 0) {
    throw new Error('generator: two rewrites of one line in one step');
  }
  await conn.run(`UPDATE base SET
      flow = coalesce(o.flow, base.flow), date = coalesce(o.date, base.date),
      imp_pk = coalesce(o.imp_pk, base.imp_pk), exp_pk = coalesce(o.exp_pk, base.exp_pk),
      origin = CASE WHEN o.set_route THEN o.origin ELSE base.origin END,
      departure = CASE WHEN o.set_route THEN o.departure ELSE base.departure END,
      destination = CASE WHEN o.set_route THEN o.destination ELSE base.destination END,
      port = coalesce(o.port, base.port), mode = coalesce(o.mode, base.mode),
      ch = coalesce(o.ch, base.ch), hs_idx = coalesce(o.hs_idx, base.hs_idx),
      qty = coalesce(o.qty, base.qty), mass = coalesce(o.mass, base.mass), value = coalesce(o.value, base.value),
      anom = true, free = false
    FROM ov o WHERE base.i = o.i`);
  await conn.run(`INSERT INTO touched SELECT i, kind FROM ov`);
  await conn.run(`DELETE FROM ov`);
}

/** Lines that an injection may still rewrite: untouched and not belonging to a reserved party. */
export const FREE_LINES = `(SELECT * FROM base WHERE free)`;

/**
 * Importers with at least one line an injection may not rewrite. Party-level anomalies skip them, so
 * a party's whole history is rewritten consistently (its statistics are then exactly what was planned).
 */
export const IMPORTERS_WITH_BLOCKED_LINES = `(SELECT DISTINCT imp_pk FROM base WHERE NOT free)`;

/** Reserves the parties `pk` returned by `sourceSql` for `kind`; their lines are no longer free. */
export async function reserveParties(conn: DuckDBConnection, kind: DetectorId, sourceSql: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE newly_reserved AS SELECT DISTINCT pk FROM (${sourceSql})`);
  await conn.run(`INSERT INTO reserved SELECT pk, ${sqlString(kind)} FROM newly_reserved`);
  await conn.run(`UPDATE base SET free = false
    WHERE free AND (imp_pk IN (SELECT pk FROM newly_reserved) OR exp_pk IN (SELECT pk FROM newly_reserved))`);
}
