/**
 * value-per-kg: implausible value per kilogram (FATF/Egmont 2021 indicators).
 *
 * Invariants: the price-iqr comparison (Tukey fences, on the log scale by default) on value / net mass.
 * Lines without a positive net mass are not judged here: absent is not zero, and a line declaring a value
 * with no (or an impossible) mass is the phantom-shipment detector's (phantom-shipment.ts).
 */
import { defineDetector } from './detector.ts';
import { fenceParams } from './price-iqr.ts';
import { VALUE_PER_KG } from './priced-lines.ts';
import { fenceQuery } from './tukey-fences.ts';

export const valuePerKg = defineDetector({
  id: 'value-per-kg',
  version: '3',
  summary: 'value per kg outside the Tukey fences of its hs6 x partner x flow group',
  params: fenceParams,
  partitioned: true,
  build: (db, p, ctx) =>
    fenceQuery(db, { basis: VALUE_PER_KG, label: 'Value per kg', k: p.k, scale: p.scale, minGroup: p.min_group, windowMonths: p.window_months, touched: ctx?.touched }),
});
