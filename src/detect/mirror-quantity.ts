/**
 * mirror-quantity: the two sides of a mirror pair disagree on quantity although their values agree, or on
 * value although their quantities agree (GFI quantity weighting).
 *
 * Invariants:
 * - Same pairs as mirror-gap (mirror-pairs.ts), only pairs with both sides present and quantities in the same
 *   unit on both sides. Quantity gap = (qM - qX) / max(qM, qX); no CIF/FOB factor: freight changes value,
 *   not quantity.
 * - kind 'quantity': |quantity gap| >= min_gap while |value gap| < min_gap; the money at stake is the
 *   quantity gap priced at the pair's value, |qgap| x max(M/f, X), and must reach min_abs (same thresholds as
 *   mirror-gap, as the spec says). A unit price shifted between the two reports is what this catches.
 * - kind 'value' (the reverse, when `reverse` is on, default): |value gap| >= min_gap and |M/f - X| >= min_abs
 *   while |quantity gap| < min_gap: the same goods counted alike but priced apart. These pairs are also
 *   mirror-gap flags; this detector adds that the quantities agree.
 * - Score in [50, 100): 40 points for the disagreeing gap beyond the threshold, 10 for the money at stake.
 * - Output columns are ANOMALY_COLUMNS, subject kind 'pair', ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { mirrorParams } from './mirror-gap.ts';
import { GOODS, millions, pairJson, withMirrorPairs } from './mirror-pairs.ts';

export const mirrorQuantityParams = mirrorParams
  .extend({
    reverse: z.boolean().default(true).describe('also flag values that disagree while quantities agree'),
  })
  .strict();

export const mirrorQuantity = defineDetector({
  id: 'mirror-quantity',
  version: '1',
  summary: 'the two sides of a mirror pair disagree on quantity (>= 25 %) while values agree, or the reverse',
  params: mirrorQuantityParams,
  build(db, p) {
    const t = sql`${p.min_gap}::DOUBLE`;
    const minAbs = sql`${p.min_abs}::DOUBLE`;
    const reverse = sql`${p.reverse}::BOOLEAN`;
    const base = withMirrorPairs(db.db as Kysely<any>, p.f).with('mq', (qb) =>
      qb
        .selectFrom('mp')
        .selectAll()
        .select([
          sql<string>`CASE WHEN abs(qgap) >= ${t} AND abs(gap) < ${t} THEN 'quantity'
            WHEN abs(gap) >= ${t} AND abs(qgap) < ${t} THEN 'value' END`.as('kind'),
          sql<number>`CASE WHEN abs(qgap) >= ${t} AND abs(gap) < ${t} THEN abs(qgap) * greatest(mf, x) ELSE abs_gap END`.as('at_stake'),
        ])
        .where(sql<boolean>`missing IS NULL AND qgap IS NOT NULL AND gap IS NOT NULL`),
    );
    return base
      .selectFrom('mq')
      .select([
        'provider',
        sql<string>`'pair'`.as('subject_kind'),
        sql<string>`NULL::VARCHAR`.as('declaration_id'),
        sql<number>`NULL::INTEGER`.as('line_no'),
        'row_id',
        sql<number>`round(50 + 40 * (abs(CASE WHEN kind = 'quantity' THEN qgap ELSE gap END) - ${t}) / (1 - ${t})
          + 10 * at_stake / (at_stake + greatest(${minAbs}, 1.0)), 2)`.as('score'),
        sql<string>`CASE kind
          WHEN 'quantity' THEN printf('%s reports %.3f %s of %s imported from %s in %s, %s reports %.3f %s exported: quantity gap %.0f %% while values agree (%s FOB vs %s, gap %.0f %%)',
            importer, qm, unit, ${sql.raw(GOODS)}, exporter, period, exporter, qx, unit, 100 * abs(qgap),
            ${sql.raw(millions('mf'))}, ${sql.raw(millions('x'))}, 100 * abs(gap))
          ELSE printf('%s reports %s USD imports of %s from %s in %s (%s FOB at %s), %s reports %s exports: value gap %.0f %% while quantities agree (%.3f vs %.3f %s, gap %.0f %%)',
            importer, ${sql.raw(millions('m'))}, ${sql.raw(GOODS)}, exporter, period, ${sql.raw(millions('mf'))}, ${p.f}::DOUBLE::VARCHAR,
            exporter, ${sql.raw(millions('x'))}, 100 * abs(gap), qm, qx, unit, 100 * abs(qgap))
          END`.as('reason'),
        sql<string>`json_object(${pairJson(p.f)}, 'kind', kind, 'quantity_m', qm, 'quantity_x', qx, 'unit', unit,
          'quantity_gap', qgap, 'abs_quantity_gap', abs(qm - qx), 'min_gap', ${t}, 'min_abs', ${minAbs},
          'value_at_risk', at_stake)`.as('evidence'),
        sql<string[]>`list_concat(import_ids, export_ids)`.as('row_ids'),
      ])
      .where(sql<boolean>`(kind = 'quantity' OR (kind = 'value' AND ${reverse})) AND at_stake >= ${minAbs}`)
      .orderBy('row_id');
  },
});
