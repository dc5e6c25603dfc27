/**
 * mirror-gap: what B says it imported from A differs from what A says it exported to B (IMF DOTS / GFI
 * mirror method), per importer x exporter x hs x period.
 *
 * Invariants:
 * - Pairs come from mirror-pairs.ts: importer CIF / f against exporter FOB, relative gap
 *   (M/f - X) / max(M/f, X). A pair is flagged when |gap| >= `min_gap` AND |M/f - X| >= `min_abs`: a large
 *   relative gap on a small flow is noise, a large absolute gap on a huge flow is normal reporting error.
 * - Score of a flagged pair lies in [50, 100) and rises monotonically with |gap| (40 points from the
 *   threshold to 100 %) and with the money gap (10 points, |M/f - X| / (|M/f - X| + min_abs)), so the
 *   ranking prefers larger and more lopsided gaps.
 * - Orphans (one side reported, the other absent) are listed when `orphans` is on (default) and the reported
 *   side, in FOB terms, reaches `min_abs` (the whole value is then the gap; smaller ones are noise). They get
 *   a fixed score of 40: a missing report is a lead, weaker than two reports that contradict each other.
 * - Direction from the importing country's side: M/f > X (import over-reported against the exporter) moves
 *   money out (outflow), M/f < X moves it in (inflow), as GFI classifies import misinvoicing.
 * - History z-score of the gap against the same pair's other periods is in the evidence when >= 5 periods
 *   are paired (NULL otherwise); it does not change the flag, which stays the spec's fixed thresholds.
 * - Output columns are ANOMALY_COLUMNS, subject kind 'pair' (no declaration), ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { GOODS, millions, pairJson, withMirrorPairs } from './mirror-pairs.ts';

/** Fixed score of an orphaned pair: below every flagged gap (>= 50). */
export const ORPHAN_SCORE = 40;

export const mirrorParams = z
  .object({
    f: z.number().min(1).max(2).default(1.06).describe('CIF/FOB factor dividing the importer value (IMF DOTS 1.06)'),
    min_gap: z.number().gt(0).lt(1).default(0.25).describe('smallest |relative gap| flagged'),
    min_abs: z.number().min(0).max(1e15).default(100_000).describe('smallest absolute gap flagged, in USD'),
  })
  .strict();

export const mirrorGapParams = mirrorParams
  .extend({
    orphans: z.boolean().default(true).describe('also list pairs reported by one side only (fixed score 40)'),
  })
  .strict();

export const mirrorGap = defineDetector({
  id: 'mirror-gap',
  version: '1',
  summary: 'importer CIF / 1.06 and exporter FOB reports of the same flow differ by >= 25 % and >= 100,000 USD, or one side is missing',
  params: mirrorGapParams,
  build(db, p) {
    const t = sql`${p.min_gap}::DOUBLE`;
    const minAbs = sql`${p.min_abs}::DOUBLE`;
    const flagged = sql<boolean>`(missing IS NULL AND abs(gap) >= ${t} AND abs_gap >= ${minAbs})`;
    const orphan = p.orphans
      ? sql<boolean>`(missing = 'export' AND mf >= ${minAbs}) OR (missing = 'import' AND x >= ${minAbs})`
      : sql<boolean>`false`;
    const moneyScale = sql`greatest(${minAbs}, 1.0)`;
    return withMirrorPairs(db.db as Kysely<any>, p.f)
      .selectFrom('mp')
      .select([
        'provider',
        sql<string>`'pair'`.as('subject_kind'),
        sql<string>`NULL::VARCHAR`.as('declaration_id'),
        sql<number>`NULL::INTEGER`.as('line_no'),
        'row_id',
        sql<number>`CASE WHEN missing IS NOT NULL THEN ${ORPHAN_SCORE}::DOUBLE
          ELSE round(50 + 40 * (abs(gap) - ${t}) / (1 - ${t}) + 10 * abs_gap / (abs_gap + ${moneyScale}), 2) END`.as('score'),
        sql<string>`CASE missing
          WHEN 'export' THEN printf('%s reports %s USD imports of %s from %s in %s (%s FOB at %s); %s reports no exports of them to %s: orphaned, exporter side missing',
            importer, ${sql.raw(millions('m'))}, ${sql.raw(GOODS)}, exporter, period, ${sql.raw(millions('mf'))}, ${p.f}::DOUBLE::VARCHAR, exporter, importer)
          WHEN 'import' THEN printf('%s reports %s USD exports of %s to %s in %s; %s reports no imports of them from %s: orphaned, importer side missing',
            exporter, ${sql.raw(millions('x'))}, ${sql.raw(GOODS)}, importer, period, importer, exporter)
          ELSE printf('%s reports %s USD imports of %s from %s in %s (%s FOB at %s); %s reports %s exports: gap %.0f %% (%s), %s side higher',
            importer, ${sql.raw(millions('m'))}, ${sql.raw(GOODS)}, exporter, period, ${sql.raw(millions('mf'))}, ${p.f}::DOUBLE::VARCHAR,
            exporter, ${sql.raw(millions('x'))}, 100 * abs(gap), ${sql.raw(millions('abs_gap'))}, CASE WHEN gap > 0 THEN 'importer' ELSE 'exporter' END)
          END`.as('reason'),
        sql<string>`json_object(${pairJson(p.f)}, 'orphan', missing IS NOT NULL, 'missing_side', missing,
          'min_gap', ${t}, 'min_abs', ${minAbs}, 'history_periods', hist_n,
          'history_z', CASE WHEN hist_n >= 5 AND hist_sd > 0 THEN (gap - hist_mean) / hist_sd END,
          'value_at_risk', coalesce(abs_gap, mf, x))`.as('evidence'),
        sql<string[]>`list_concat(import_ids, export_ids)`.as('row_ids'),
      ])
      .where(sql<boolean>`${flagged} OR ${orphan}`)
      .orderBy('row_id');
  },
});
