/**
 * Mirror pairs: what an importer reports against what its partner reports as exports, for the same goods and
 * period (IMF DOTS / GFI method), shared by mirror-gap and mirror-quantity.
 *
 * Invariants:
 * - Reads `mirror_stats` through the caller's ScopedDb only; pairs are formed within one provider (the same
 *   file can be loaded by two providers, and pairing across them would double-count).
 * - An importer row (reporter M, partner X, flow import) pairs with the exporter row (reporter X, partner M,
 *   flow export) of the same hs and period. The key has no uniqueness constraint (mirror_stats has no key),
 *   so each side is summed over its rows and every row id is kept: a pair is one subject whatever the split.
 * - The importer's value is CIF; it is brought to FOB by dividing by f (1.06 by default, IMF DOTS). A row
 *   declared FOB already is not divided, since dividing twice would invent a gap.
 * - Relative gap = (M/f - X) / max(M/f, X), in [-1, 1]; NULL when both sides are 0 (nothing to compare).
 * - A pair missing one side (full outer join) is an orphan; its missing side's numbers are NULL.
 * - `row_id` of a pair is the smallest row id of its rows: each row belongs to exactly one pair, so this is
 *   unique per detector output (run-analysis builds anomaly ids from it) and stable across runs.
 * - Quantities compare only when every row on both sides has one, and each side has a single unit which is
 *   the same on both sides (case-insensitive): kilograms against pieces say nothing.
 * - History: per importer x exporter x hs, the mean and sample standard deviation of the gap over the
 *   periods paired on both sides, so a detector can give a z-score when there are >= 5 periods.
 * - Every expression is fixed text written here; parameters are bound, never spliced.
 */
import { sql, type Kysely } from 'kysely';

const KEY = ['provider', 'reporter', 'partner', 'hs', 'period'] as const;

function side(db: Kysely<any>, flow: 'import' | 'export', f: number) {
  // Import values are brought to FOB row by row, so a mixed side is still converted correctly.
  const fob =
    flow === 'import'
      ? sql<number>`sum(s.value / CASE WHEN lower(s.valuation_basis) = 'fob' THEN 1.0 ELSE ${f}::DOUBLE END)`
      : sql<number>`sum(s.value)`;
  return db
    .selectFrom('mirror_stats as s')
    .select([
      ...KEY.map((k) => sql.ref(`s.${k}`).as(k)),
      sql<number>`sum(s.value)::DOUBLE`.as('v'),
      sql<number>`(${fob})::DOUBLE`.as('fob'),
      sql<string>`CASE WHEN bool_and(lower(s.valuation_basis) = 'fob') THEN 'fob'
        WHEN bool_or(lower(s.valuation_basis) = 'fob') THEN 'mixed' ELSE 'cif' END`.as('basis'),
      sql<number>`CASE WHEN count(s.quantity) = count(*) THEN sum(s.quantity)::DOUBLE END`.as('q'),
      sql<string>`CASE WHEN count(DISTINCT upper(trim(s.quantity_unit))) = 1 AND count(s.quantity_unit) = count(*)
        THEN min(upper(trim(s.quantity_unit))) END`.as('unit'),
      sql<string[]>`list(s.row_id ORDER BY s.row_id)`.as('ids'),
      sql<number>`min(s.row_id)`.as('first_id'),
    ])
    .where('s.flow', '=', flow)
    .groupBy(KEY.map((k) => `s.${k}`));
}

/**
 * Adds CTE `mp`: one row per pair or orphan with provider, importer, exporter, hs, period, m (CIF as
 * reported), mf (FOB), x, import_basis, gap, abs_gap, qm, qx, unit, qgap, import_ids, export_ids, row_id,
 * missing ('export', 'import' or NULL), hist_n, hist_mean, hist_sd.
 */
export function withMirrorPairs(db: Kysely<any>, f: number) {
  return db
    .with('mi', () => side(db, 'import', f))
    .with('mx', () => side(db, 'export', f))
    .with('mj', (qb) =>
      qb
        .selectFrom('mi as i')
        .fullJoin('mx as e', (jn) =>
          jn
            .onRef('e.provider', '=', 'i.provider')
            .onRef('e.reporter', '=', 'i.partner')
            .onRef('e.partner', '=', 'i.reporter')
            .onRef('e.hs', '=', 'i.hs')
            .onRef('e.period', '=', 'i.period'),
        )
        .select([
          sql<string>`coalesce(i.provider, e.provider)`.as('provider'),
          sql<string>`coalesce(i.reporter, e.partner)`.as('importer'),
          sql<string>`coalesce(i.partner, e.reporter)`.as('exporter'),
          sql<string>`coalesce(i.hs, e.hs)`.as('hs'),
          sql<string>`coalesce(i.period, e.period)`.as('period'),
          sql<number>`i.v`.as('m'),
          sql<number>`i.fob`.as('mf'),
          sql<number>`e.v`.as('x'),
          sql<string>`i.basis`.as('import_basis'),
          sql<number>`i.q`.as('qm'),
          sql<number>`e.q`.as('qx'),
          sql<string>`CASE WHEN i.unit = e.unit THEN i.unit END`.as('unit'),
          sql<string[]>`coalesce(i.ids, [])`.as('import_ids'),
          sql<string[]>`coalesce(e.ids, [])`.as('export_ids'),
          sql<number>`least(coalesce(i.first_id, e.first_id), coalesce(e.first_id, i.first_id))`.as('row_id'),
          sql<string>`CASE WHEN e.provider IS NULL THEN 'export' WHEN i.provider IS NULL THEN 'import' END`.as('missing'),
        ]),
    )
    .with('mg', (qb) =>
      qb
        .selectFrom('mj')
        .selectAll()
        .select([
          sql<number>`CASE WHEN greatest(mf, x) > 0 THEN (mf - x) / greatest(mf, x) END`.as('gap'),
          sql<number>`abs(mf - x)`.as('abs_gap'),
          sql<number>`CASE WHEN unit IS NOT NULL AND greatest(qm, qx) > 0 THEN (qm - qx) / greatest(qm, qx) END`.as('qgap'),
        ]),
    )
    .with('mp', (qb) =>
      qb
        .selectFrom('mg')
        .selectAll()
        .select([
          sql<number>`count(gap) OVER (PARTITION BY provider, importer, exporter, hs)`.as('hist_n'),
          sql<number>`avg(gap) OVER (PARTITION BY provider, importer, exporter, hs)`.as('hist_mean'),
          sql<number>`stddev_samp(gap) OVER (PARTITION BY provider, importer, exporter, hs)`.as('hist_sd'),
        ]),
    );
}

/** SQL text (over `mp`) for an amount in millions, "12.4 M", as the reason sentences print money. */
export const millions = (col: string) => `printf('%.1f M', ${col} / 1e6)`;

/** SQL text (over `mp`) naming the goods: the hs code, or "all goods" for TOTAL rows. */
export const GOODS = "CASE WHEN hs = 'TOTAL' THEN 'all goods' ELSE hs END";

/** Evidence members shared by both mirror detectors, over columns of `mp`; `f` is bound by the caller. */
export function pairJson(f: number) {
  return sql`'pair', json_object('importer', importer, 'exporter', exporter, 'hs', hs, 'period', period),
    'import_row_ids', import_ids, 'export_row_ids', export_ids, 'm', m, 'import_basis', import_basis,
    'f', ${f}::DOUBLE, 'm_over_f', mf, 'x', x, 'gap', gap, 'abs_gap', abs_gap,
    'direction', CASE WHEN mf > x THEN 'outflow' WHEN mf < x THEN 'inflow' END`;
}
