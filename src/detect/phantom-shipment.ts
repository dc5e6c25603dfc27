/**
 * phantom-shipment: a line that declares a material value for goods with no mass, or with a mass impossible
 * for the goods declared (FATF/Egmont 2021: "shipment of goods that do not exist"; a phantom shipment moves
 * the whole declared value with nothing behind it).
 *
 * Invariants:
 * - Judged: lines with a value above 0 and a known net mass. A mass is impossible when it is 0, or below the
 *   stated floor for the goods: `floor_ratio` x the median kilograms per quantity unit of its hs6 x flow x
 *   unit group (lines with both a quantity and a mass, at least `min_group` of them) x the line's quantity.
 *   An absent mass is not zero and is never judged; a group too small for a median has no floor (zero
 *   mass is still judged).
 * - Material: the value is at least `materiality` x the median line value of its hs6 x flow x currency group
 *   (every line with a value, with or without a mass; the group as seen, whatever its size): a free sample declared at a token value is not a phantom. Values
 *   are compared within one currency only.
 * - Score is monotone in how material the value is: with r = value / median line value of the group,
 *   score = 100 - 50 / (1 + r) (75 at the median, 95 at ten times it). The combined ranking calibrates every
 *   detector by its tail in the run (ranking.ts), so a rare phantom of material value ranks with the
 *   strongest price outliers of its family.
 * - Value at risk is the whole declared value: nothing was shipped for it.
 * - Groups are built from (and flags raised on) the rows the caller may see; partitioned by hs6 x flow like
 *   the price detectors, so an incremental run recomputes only touched partitions.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector, partitionKey } from './detector.ts';

const params = z
  .object({
    floor_ratio: z.number().min(0).max(1).default(0.02).describe('mass floor as a share of the median kg per quantity unit of the hs6 x flow x unit group (0: zero mass only)'),
    materiality: z.number().min(0).max(1000).default(0.1).describe('flag only values at or above this multiple of the median line value of the hs6 x flow x currency group'),
    min_group: z.number().int().min(3).max(1_000_000).default(8).describe('smallest group whose median kg per unit sets a floor'),
  })
  .strict();

const UNIT = "coalesce(nullif(upper(trim(t.quantity_unit)), ''), 'UNIT')";

export const phantomShipment = defineDetector({
  id: 'phantom-shipment',
  version: '1',
  summary: 'a material value declared with net mass 0, or a mass below the floor for the goods (phantom shipment)',
  params,
  partitioned: true,
  build(db, p, ctx) {
    const k = db.db as Kysely<any>;
    const d = db.dialect;
    const lines = k
      .selectFrom('trade_lines as t')
      .select([
        't.row_id',
        't.provider',
        't.declaration_id',
        't.line_no',
        't.flow',
        't.hs6',
        sql<number>`t.value::DOUBLE`.as('value'),
        sql<number>`t.net_mass_kg::DOUBLE`.as('mass'),
        sql<number>`t.quantity::DOUBLE`.as('qty'),
        sql.raw<string>(UNIT).as('unit'),
        sql<string>`coalesce(t.currency, 'USD')`.as('currency'),
      ])
      .where('t.value', '>', 0 as any)
      .$if(ctx?.touched !== undefined, (q) => q.where(sql.raw(partitionKey('t')), 'in', ctx!.touched!));
    const min = sql`${p.min_group}::INTEGER`;
    return k
      .with('l', () => lines)
      .with('vg', (qb) =>
        qb.selectFrom('l').select(['hs6', 'flow', 'currency', sql<number>`count(*)::INTEGER`.as('n'), sql.raw<number>(d.median('value')).as('med')]).groupBy(['hs6', 'flow', 'currency']),
      )
      .with('kg', (qb) =>
        qb
          .selectFrom('l')
          .where(sql<boolean>`qty > 0 AND mass > 0`)
          .select(['hs6', 'flow', 'unit', sql<number>`count(*)::INTEGER`.as('n'), sql.raw<number>(d.median('mass / qty')).as('kpu')])
          .groupBy(['hs6', 'flow', 'unit']),
      )
      .with('x', (qb) =>
        qb
          .selectFrom('l')
          .innerJoin('vg', (j) => j.onRef('vg.hs6', '=', 'l.hs6').onRef('vg.flow', '=', 'l.flow').onRef('vg.currency', '=', 'l.currency'))
          .leftJoin('kg', (j) => j.onRef('kg.hs6', '=', 'l.hs6').onRef('kg.flow', '=', 'l.flow').onRef('kg.unit', '=', 'l.unit').on('kg.n', '>=', min).on(sql<boolean>`l.qty > 0`))
          .selectAll('l')
          .select([
            sql<number>`vg.n`.as('vn'),
            sql<number>`vg.med`.as('vmed'),
            sql<number>`kg.n`.as('kn'),
            sql<number>`kg.kpu`.as('kpu'),
            sql<number>`${p.floor_ratio}::DOUBLE * kg.kpu * l.qty`.as('floor_kg'),
            sql<number>`l.value / vg.med`.as('r'),
          ]),
      )
      .selectFrom('x')
      .where(sql<boolean>`(mass = 0 OR mass < floor_kg) AND value >= ${p.materiality}::DOUBLE * vmed`)
      .select([
        'provider',
        sql<string>`'line'`.as('subject_kind'),
        'declaration_id',
        'line_no',
        'row_id',
        sql<number>`round(100 - 50 / (1 + r), 2)`.as('score'),
        sql<string>`CASE WHEN mass = 0
          THEN printf('Net mass 0 kg declared for a value of %.2f %s (%.1f× the median line value %.2f of %d %ss of %s): a phantom shipment',
            value, currency, r, vmed, vn, flow, hs6)
          ELSE printf('Net mass %.3f kg for %s %s declared at %.2f %s, below the floor %.3f kg (%s of the median %.4g kg per %s of %d %ss of %s): a phantom shipment',
            mass, printf('%g', qty), unit, value, currency, floor_kg, printf('%g%%', 100 * ${p.floor_ratio}::DOUBLE), kpu, unit, kn, flow, hs6) END`.as('reason'),
        sql<string>`json_object('group', json_object('level', 'hs6 x flow', 'hs6', hs6, 'flow', flow, 'unit', unit, 'currency', currency),
          'value', value, 'currency', currency, 'net_mass_kg', mass, 'quantity', qty, 'unit', unit,
          'kind', CASE WHEN mass = 0 THEN 'zero mass' ELSE 'mass below floor' END,
          'floor_kg', floor_kg, 'floor_ratio', ${p.floor_ratio}::DOUBLE, 'median_kg_per_unit', kpu, 'mass_group_n', kn,
          'n', vn, 'median_value', vmed, 'value_to_median', r, 'materiality', ${p.materiality}::DOUBLE,
          'direction', CASE WHEN flow = 'import' THEN 'outflow' ELSE 'inflow' END, 'value_at_risk', value)`.as('evidence'),
        sql<string[]>`list_value(row_id)`.as('row_ids'),
      ])
      .orderBy('row_id');
  },
});
