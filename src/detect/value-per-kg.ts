/**
 * value-per-kg: implausible value per kilogram (FATF/Egmont 2021 indicators).
 *
 * Invariants: the price-iqr comparison on value / net mass; in addition a line declaring net mass 0 with a
 * positive value is a phantom shipment, scored 100, its whole value at risk. Lines without a net mass are not
 * judged: absent is not zero.
 */
import { sql, type Kysely } from 'kysely';
import { defineDetector, partitionKey } from './detector.ts';
import { fenceParams } from './price-iqr.ts';
import { VALUE_PER_KG } from './priced-lines.ts';
import { fenceQuery } from './tukey-fences.ts';

export const valuePerKg = defineDetector({
  id: 'value-per-kg',
  version: '2',
  summary: 'value per kg outside the Tukey fences of its group, or net mass 0 with a value (phantom shipment)',
  params: fenceParams,
  partitioned: true,
  build(db, p, ctx) {
    const phantom = (db.db as Kysely<any>)
      .selectFrom('trade_lines as t')
      .select([
        't.provider',
        sql<string>`'line'`.as('subject_kind'),
        't.declaration_id',
        't.line_no',
        't.row_id',
        sql<number>`100.0`.as('score'),
        sql<string>`printf('Net mass 0 kg declared for a value of %.2f %s: a phantom shipment', t.value, coalesce(t.currency, 'USD'))`.as('reason'),
        sql<string>`json_object('group', json_object('level', 'phantom', 'hs6', t.hs6, 'flow', t.flow), 'observed', 0.0,
          'unit', 'KG', 'currency', coalesce(t.currency, 'USD'), 'value', t.value, 'net_mass_kg', t.net_mass_kg,
          'direction', CASE WHEN t.flow = 'import' THEN 'outflow' ELSE 'inflow' END, 'value_at_risk', t.value)`.as('evidence'),
        sql<string[]>`list_value(t.row_id)`.as('row_ids'),
      ])
      .where(sql<boolean>`t.net_mass_kg = 0 AND t.value > 0`)
      .$if(ctx?.touched !== undefined, (q) => q.where(sql.raw(partitionKey('t')), 'in', ctx!.touched!));
    const fences = fenceQuery(db, { basis: VALUE_PER_KG, label: 'Value per kg', k: p.k, minGroup: p.min_group, windowMonths: p.window_months, touched: ctx?.touched }).clearOrderBy();
    return (db.db as Kysely<any>)
      .selectFrom(fences.unionAll(phantom).as('u'))
      .selectAll()
      .orderBy('row_id');
  },
});
