/**
 * The US-dollar columns every money-carrying dataset derives from its own currency (formats.md: value_usd at
 * the monthly rate of the row's month; never sum values of two currencies).
 *
 * Invariants:
 * - Pure SQL text over a dataset's canonical field names, written by us. A rate is units of the currency
 *   per US dollar, so amount_usd = amount / rate; USD is its own rate (1) in every month, with or without
 *   a table.
 * - `fx_rate` is the rate a row was converted at, NULL when its currency and month have no rate (or it has no
 *   currency): then every USD column of the row is NULL and the row counts as unconverted, never as 0.
 * - The same expressions serve the load (rate joined as FX_JOIN_RATE) and re-conversion (rate read from the
 *   row's own `fx_rate` after it is set), so a row reads the same whichever way it was converted.
 * - USD amounts are money (store/money.ts), rounded half away from zero to 4 decimals per row; an amount
 *   whose USD value would not fit the money type stays NULL and unconverted. Unit prices are ratios
 *   (DOUBLE): value / rate / quantity, or per kilogram of net mass when there is no quantity, as explore's
 *   unit price.
 */
import { MONEY_SQL, toMoney } from '../store/money.ts';
import type { DatasetId } from '../schema/index.ts';

export interface FxColumn {
  readonly name: string;
  readonly type: string;
  /** SQL over the row's fields, given SQL for its rate. */
  readonly expr: (rate: string) => string;
}

/** The monthly-rates relation joined at load (fx-schema.ts) and the name of its rate column. */
export const FX_RATES_VIEW = 'fx_rates_in_force';
export const FX_JOIN_RATE = 'fx_in_force';

/** The rate of a row at load: 1 for USD, else the joined monthly rate. */
export const RATE_AT_LOAD = `(CASE WHEN currency = 'USD' THEN 1.0 ELSE ${FX_JOIN_RATE} END)`;

const perUnit = 'coalesce(nullif(quantity, 0), nullif(net_mass_kg, 0))';

export const FX_COLUMNS: Readonly<Record<DatasetId, readonly FxColumn[]>> = {
  trade_lines: [
    { name: 'fx_rate', type: 'DOUBLE', expr: (r) => r },
    { name: 'value_usd', type: MONEY_SQL, expr: (r) => toMoney(`value / ${r}`) },
    { name: 'unit_price_usd', type: 'DOUBLE', expr: (r) => `(CAST(value AS DOUBLE) / ${r} / ${perUnit})` },
  ],
  payments: [
    { name: 'fx_rate', type: 'DOUBLE', expr: (r) => r },
    { name: 'amount_usd', type: MONEY_SQL, expr: (r) => toMoney(`amount / ${r}`) },
  ],
  // Mirror statistics are reported in US dollars (canonical.ts): nothing to convert.
  mirror_stats: [],
  enforcement_events: [
    { name: 'fx_rate', type: 'DOUBLE', expr: (r) => r },
    { name: 'value_usd', type: MONEY_SQL, expr: (r) => toMoney(`value / ${r}`) },
    { name: 'penalty_usd', type: MONEY_SQL, expr: (r) => toMoney(`penalty_amount / ${r}`) },
  ],
};

/** SQL over a row (alias-free): true when it carries money that has no USD value. */
export const UNCONVERTED: Readonly<Record<DatasetId, string | null>> = {
  trade_lines: 'value_usd IS NULL',
  payments: 'amount_usd IS NULL',
  mirror_stats: null,
  enforcement_events: '((value IS NOT NULL AND value_usd IS NULL) OR (penalty_amount IS NOT NULL AND penalty_usd IS NULL))',
};

export const FX_DATASETS = (Object.keys(FX_COLUMNS) as DatasetId[]).filter((d) => FX_COLUMNS[d].length > 0);

/** The join that brings a loaded row's monthly rate in as FX_JOIN_RATE (over a relation aliased `l`). */
export function fxJoinSql(alias: string): string {
  return `LEFT JOIN ${FX_RATES_VIEW} fx ON fx.fx_currency = ${alias}.currency AND fx.fx_month = CAST(date_trunc('month', ${alias}.date) AS DATE)`;
}
