/**
 * The priced lines every price detector compares: one row per current trade line with a usable price, and
 * the comparison groups those lines fall into.
 *
 * Invariants:
 * - Reads `trade_lines` through the caller's ScopedDb only, so groups are built from (and flags raised on)
 *   exactly the rows the caller may see. The comparison period is the data the caller sees, or, for the
 *   Tukey-fence detectors with `window_months`, a rolling window ending at each line's date (tukey-fences.ts).
 * - The unit is part of every group key: prices per NO, per KG and per M2 are not comparable, and a line
 *   priced per kilogram (no quantity) must not be compared with lines priced per piece.
 * - The group's partner is the origin for imports (falling back to the partner country) and the partner
 *   (destination) for exports, as the spec's "origin (or partner)". A line without one is compared only at
 *   the coarser hs6 x flow level.
 * - Prices are compared in one currency. Where every line of a price family (hs6 x flow x unit, which contains
 *   every group, fine or coarse, and every rolling window of its lines) is in one currency, prices stay in that
 *   currency, so a group of KRW lines is judged without exchange-rate noise. Where a family mixes currencies,
 *   every line of it is priced in US dollars (value_usd, fx/) and a line without a rate cannot be priced, so
 *   it is left out of the comparison rather than compared in the wrong unit. `currency` says which it was.
 * - Only positive prices are compared: lines declared at value 0 are data (zero_value) but have no unit
 *   price to compare, so price groups, their quartiles and the log-scale detectors never see a 0.
 * - Expressions here are fixed text written by us; no user value is spliced into SQL.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { partitionKey } from './detector.ts';

export interface PriceBasis {
  /** Price per unit, NULL when the line has no usable denominator. */
  readonly price: string;
  /** The same price in US dollars (from value_usd), NULL also when the line has no exchange rate. */
  readonly priceUsd: string;
  /** The denominator the price divides by (the quantity behind value at risk). */
  readonly amount: string;
  /** Unit label of the denominator, upper case. */
  readonly unit: string;
}

/** Unit price: value per statistical quantity, or per kilogram of net mass when the line has no quantity. */
export const UNIT_PRICE: PriceBasis = {
  price: 'CASE WHEN t.quantity > 0 THEN t.value / t.quantity WHEN t.net_mass_kg > 0 THEN t.value / t.net_mass_kg END',
  priceUsd: 'CASE WHEN t.quantity > 0 THEN t.value_usd / t.quantity WHEN t.net_mass_kg > 0 THEN t.value_usd / t.net_mass_kg END',
  amount: 'CASE WHEN t.quantity > 0 THEN t.quantity ELSE t.net_mass_kg END',
  unit: "CASE WHEN t.quantity > 0 THEN coalesce(nullif(upper(trim(t.quantity_unit)), ''), 'UNIT') ELSE 'KG' END",
};

/** Value per kilogram of net mass. */
export const VALUE_PER_KG: PriceBasis = {
  price: 'CASE WHEN t.net_mass_kg > 0 THEN t.value / t.net_mass_kg END',
  priceUsd: 'CASE WHEN t.net_mass_kg > 0 THEN t.value_usd / t.net_mass_kg END',
  amount: 't.net_mass_kg',
  unit: "'KG'",
};

/** Partner of the comparison group: origin for imports, destination partner for exports; '' when unknown. */
const PARTNER = "coalesce(CASE WHEN t.flow = 'import' THEN coalesce(t.origin_country, t.partner_country) ELSE t.partner_country END, '')";

/**
 * Adds CTE `p` (priced lines): row_id, provider, declaration_id, line_no, flow, hs6, partner, unit, price, amount,
 * currency, date; price and currency per the currency rule of the header. Helper CTEs `p_own` (each line's
 * price in its own currency and in USD) and `p_family` (whether a price family mixes currencies) are read once.
 */
export function withPricedLines(db: Kysely<any>, basis: PriceBasis, touched?: SelectQueryBuilder<any, any, any>) {
  return db
    .with('p_own', (qb) => {
      const q = qb
        .selectFrom('trade_lines as t')
        .select([
          't.row_id',
          't.provider',
          't.declaration_id',
          't.line_no',
          't.flow',
          't.hs6',
          sql.raw<string>(PARTNER).as('partner'),
          sql.raw<string>(basis.unit).as('unit'),
          sql.raw<number>(`(${basis.price})::DOUBLE`).as('price_own'),
          sql.raw<number>(`(${basis.priceUsd})::DOUBLE`).as('price_usd'),
          sql.raw<number>(`(${basis.amount})::DOUBLE`).as('amount'),
          sql.raw<string>("coalesce(t.currency, 'USD')").as('currency'),
          't.date',
        ])
        // A price of 0 (a line declared at value 0, flagged zero_value) is not compared: free of charge is a fact
        // of its own, not an extreme of the price distribution, and it has no place on a log scale.
        .where(sql.raw<boolean>(`(${basis.price}) > 0`));
      // An incremental run: only the partitions a new batch touched (a group never spans two partitions).
      return touched ? q.where(sql.raw(partitionKey('t')), 'in', touched) : q;
    })
    .with('p_family', (qb) =>
      qb
        .selectFrom('p_own')
        .select(['hs6', 'flow', 'unit', sql<boolean>`min(currency) <> max(currency)`.as('mixed')])
        .groupBy(['hs6', 'flow', 'unit']),
    )
    .with('p', (qb) =>
      qb
        .selectFrom('p_own as o')
        .innerJoin('p_family as f', (j) => j.onRef('f.hs6', '=', 'o.hs6').onRef('f.flow', '=', 'o.flow').onRef('f.unit', '=', 'o.unit'))
        .select([
          'o.row_id',
          'o.provider',
          'o.declaration_id',
          'o.line_no',
          'o.flow',
          'o.hs6',
          'o.partner',
          'o.unit',
          sql<number>`CASE WHEN f.mixed THEN o.price_usd ELSE o.price_own END`.as('price'),
          'o.amount',
          sql<string>`CASE WHEN f.mixed THEN 'USD' ELSE o.currency END`.as('currency'),
          'o.date',
        ])
        .where(sql<boolean>`(CASE WHEN f.mixed THEN o.price_usd ELSE o.price_own END) IS NOT NULL`),
    );
}

/** SQL text (over CTE columns of `j`) naming the group a line was compared with, for reason sentences. */
export const GROUP_PHRASE =
  "CASE WHEN level = 'hs6 x partner x flow' THEN (CASE WHEN flow = 'import' THEN ' from ' ELSE ' to ' END) || partner ELSE ' (all partners)' END";

/** The evidence object's `group` member, over columns of `j`. */
export const GROUP_JSON =
  "json_object('level', level, 'hs6', hs6, 'flow', flow, 'partner', CASE WHEN level = 'hs6 x partner x flow' THEN partner END, 'unit', unit)";
