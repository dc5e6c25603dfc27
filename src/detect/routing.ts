/**
 * routing: goods of origin O arrive from a departure country D != O over a route that is rare for their hs6,
 * at a value above the hs6 median (FATF transshipment indicators). Entrepot / free-trade-zone departures are
 * marked in the evidence and the reason.
 *
 * Invariants:
 * - Only import lines are judged: a route O -> D -> reporter is what the importing country's declaration
 *   shows; exports carry no departure country of their own.
 * - A line's route is (origin, departure); a line without a departure country is counted as shipped
 *   directly (departure = origin), so it adds to the hs6 total and never flags. Lines without origin or
 *   value are left out of both the route counts and the totals: their route is unknown.
 * - Routes are counted per reporter x hs6 (a route ends in the reporting country). share = lines of the
 *   route / import lines of the hs6; a line is flagged when O != D, share < `max_share` and, when
 *   `above_median` is on (default), its value is above the hs6 median line value: a rare route carrying
 *   small consignments is ordinary noise (samples, returns). With max_share 1 % an hs6 needs > 100 lines
 *   before anything in it can flag, so thin hs6 groups are never judged on a handful of lines.
 * - Score lies in [50, 100] and rises monotonically with rarity (25 points from the threshold to share 0),
 *   with value above the median (15 points, 1 - median / value) and by 10 for an entrepot departure.
 * - The entrepot list is a shipped default (`DEFAULT_ENTREPOTS`, a parameter) until reference data makes it
 *   replaceable per deployment; it only marks a flag, it never raises one.
 * - Output columns are ANOMALY_COLUMNS, subject kind 'line', ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';

/**
 * Entrepot and free-trade-zone hubs marked in the evidence: re-export hubs with large free zones or
 * transit ports (UAE, Hong Kong, Singapore, Panama, Netherlands, Belgium, Cyprus, Malta, Luxembourg,
 * Lebanon, Uruguay). A default only: the reference-data work will make this list replaceable.
 */
export const DEFAULT_ENTREPOTS: readonly string[] = ['AE', 'HK', 'SG', 'PA', 'NL', 'BE', 'CY', 'MT', 'LU', 'LB', 'UY'];

export const routingParams = z
  .object({
    max_share: z.number().gt(0).lt(1).default(0.01).describe('largest share of the route among the hs6 import lines that flags (default 1 %)'),
    above_median: z.boolean().default(true).describe('flag only lines whose value is above the hs6 median line value (default on)'),
    entrepots: z
      .array(z.string().regex(/^[A-Z]{2}$/))
      .max(300)
      .default([...DEFAULT_ENTREPOTS])
      .describe('ISO alpha-2 departures marked as entrepot / free-trade zone (default: AE HK SG PA NL BE CY MT LU LB UY)'),
  })
  .strict();

export const routing = defineDetector({
  id: 'routing',
  version: '1',
  summary: 'import of origin O shipped from D != O over a route with < 1 % of its hs6 import lines, value above the hs6 median; entrepots marked',
  params: routingParams,
  build(db, p) {
    const maxShare = sql`${p.max_share}::DOUBLE`;
    // The list is bound value by value; an empty list marks nothing.
    const hubs = p.entrepots.length ? sql`list_value(${sql.join(p.entrepots.map((c) => sql`${c}::VARCHAR`))})` : sql`[]::VARCHAR[]`;
    const valueTest = p.above_median ? sql<boolean>`value > med` : sql<boolean>`true`;
    return (db.db as Kysely<any>)
      .with('l', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.row_id',
            't.provider',
            't.declaration_id',
            't.line_no',
            't.hs6',
            sql<string>`coalesce(t.reporter, '')`.as('reporter'),
            't.origin_country as origin',
            sql<string>`coalesce(nullif(t.departure_country, ''), t.origin_country)`.as('departure'),
            sql<number>`t.value::DOUBLE`.as('value'),
            sql<string>`coalesce(t.currency, 'USD')`.as('currency'),
          ])
          .where('t.flow', '=', 'import')
          .where('t.origin_country', 'is not', null)
          .where('t.value', 'is not', null),
      )
      .with('w', (qb) =>
        qb
          .selectFrom('l')
          .selectAll()
          .select([
            sql<number>`count(*) OVER (PARTITION BY reporter, hs6, origin, departure)`.as('route_n'),
            sql<number>`count(*) OVER (PARTITION BY reporter, hs6)`.as('hs6_n'),
            sql<number>`${sql.raw(db.dialect.median('value'))} OVER (PARTITION BY reporter, hs6)`.as('med'),
          ]),
      )
      .with('x', (qb) =>
        qb
          .selectFrom('w')
          .selectAll()
          .select([
            sql<number>`route_n / hs6_n::DOUBLE`.as('share'),
            sql<boolean>`list_contains(${hubs}, departure)`.as('entrepot'),
          ])
          .where(sql<boolean>`departure <> origin AND route_n / hs6_n::DOUBLE < ${maxShare} AND ${valueTest}`),
      )
      .selectFrom('x')
      .select([
        'provider',
        sql<string>`'line'`.as('subject_kind'),
        'declaration_id',
        'line_no',
        'row_id',
        sql<number>`round(50 + 25 * (1 - share / ${maxShare})
          + 15 * greatest(0, CASE WHEN value > 0 THEN 1 - med / value ELSE 0 END)
          + CASE WHEN entrepot THEN 10 ELSE 0 END, 2)`.as('score'),
        sql<string>`printf('Goods of origin %s under hs6 %s arrive from %s%s: a route used by %d of %d import lines (%.2f %%); value %.2f %s is %.1f× the hs6 median %.2f',
          origin, hs6, departure, CASE WHEN entrepot THEN ' (entrepot / free-trade zone)' ELSE '' END,
          route_n, hs6_n, 100 * share, value, currency, CASE WHEN med > 0 THEN value / med END, med)`.as('reason'),
        sql<string>`json_object('reporter', reporter, 'hs6', hs6, 'origin', origin, 'departure', departure,
          'entrepot', entrepot, 'route_count', route_n, 'hs6_total', hs6_n, 'share', share, 'max_share', ${maxShare},
          'hs6_median_value', med, 'observed_value', value, 'currency', currency,
          'ratio_to_median', CASE WHEN med > 0 THEN value / med END)`.as('evidence'),
        sql<string[]>`list_value(row_id)`.as('row_ids'),
      ])
      .orderBy('row_id');
  },
});
