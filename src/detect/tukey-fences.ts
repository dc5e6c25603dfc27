/**
 * Tukey-fence comparison of a price with its group, shared by price-iqr and value-per-kg.
 *
 * Invariants:
 * - Groups are hs6 x partner x flow (x unit); a line whose fine group has fewer than `minGroup` lines is
 *   compared with hs6 x flow (x unit) instead, and is not judged at all when that is also too small:
 *   quartiles of a handful of lines flag noise.
 * - Quartiles are continuous (interpolated) quantiles from the dialect, so the hand-computed tests and the
 *   engine agree to the cent.
 * - Score is 50 at the fence and rises monotonically towards 100 with the distance beyond the fence in IQR
 *   units d: 100 - 50 / (1 + d). A group with IQR 0 gives 100 to any line outside it.
 * - Direction: an import priced above its group or an export priced below it moves money out (outflow);
 *   the reverse moves money in (inflow). Value at risk = |price - nearest quartile| x quantity.
 * - Output columns are ANOMALY_COLUMNS; rows are ordered by row_id for determinism.
 */
import { sql, type Kysely } from 'kysely';
import type { ScopedDb } from '../query/index.ts';
import { GROUP_JSON, GROUP_PHRASE, withPricedLines, type PriceBasis } from './priced-lines.ts';

export interface FenceOptions {
  readonly basis: PriceBasis;
  /** Reason sentence subject, e.g. "Unit price". */
  readonly label: string;
  readonly k: number;
  readonly minGroup: number;
}

function groupStats(db: ScopedDb, q: ReturnType<typeof withPricedLines>, keys: string[], name: string) {
  const d = db.dialect;
  return q.with(name, (qb) =>
    qb
      .selectFrom('p')
      .select([
        ...keys.map((k) => sql.ref(k).as(k)),
        sql<number>`count(*)::INTEGER`.as('n'),
        sql.raw<number>(d.quantile('price', 0.25)).as('q1'),
        sql.raw<number>(d.median('price')).as('med'),
        sql.raw<number>(d.quantile('price', 0.75)).as('q3'),
      ])
      .groupBy(keys),
  );
}

export function fenceQuery(db: ScopedDb, o: FenceOptions) {
  const keys = ['hs6', 'flow', 'unit'];
  let q = withPricedLines(db.db as Kysely<any>, o.basis);
  q = groupStats(db, q, [...keys, 'partner'], 'gf');
  q = groupStats(db, q, keys, 'gc');
  const min = sql`${o.minGroup}::INTEGER`;
  const fine = sql`(gf.n >= ${min} AND p.partner <> '')`;
  const pick = (c: string) => sql`CASE WHEN ${fine} THEN ${sql.ref(`gf.${c}`)} ELSE ${sql.ref(`gc.${c}`)} END`;
  const k = sql`${o.k}::DOUBLE`;
  const withGroups = q
    .with('j', (qb) =>
      qb
        .selectFrom('p')
        .leftJoin('gf', (jn) => jn.onRef('gf.hs6', '=', 'p.hs6').onRef('gf.flow', '=', 'p.flow').onRef('gf.unit', '=', 'p.unit').onRef('gf.partner', '=', 'p.partner'))
        .innerJoin('gc', (jn) => jn.onRef('gc.hs6', '=', 'p.hs6').onRef('gc.flow', '=', 'p.flow').onRef('gc.unit', '=', 'p.unit'))
        .selectAll('p')
        .select([
          sql<string>`CASE WHEN ${fine} THEN 'hs6 x partner x flow' ELSE 'hs6 x flow' END`.as('level'),
          pick('n').as('n'),
          pick('q1').as('q1'),
          pick('med').as('med'),
          pick('q3').as('q3'),
        ]),
    )
    .with('f', (qb) =>
      qb
        .selectFrom('j')
        .selectAll()
        .select([
          sql<number>`q3 - q1`.as('iqr'),
          sql<number>`q1 - ${k} * (q3 - q1)`.as('lf'),
          sql<number>`q3 + ${k} * (q3 - q1)`.as('uf'),
        ])
        .where('n', '>=', min),
    )
    .with('x', (qb) =>
      qb
        .selectFrom('f')
        .selectAll()
        .select([
          sql<boolean>`price > uf`.as('above'),
          sql<number>`CASE WHEN iqr > 0 THEN (CASE WHEN price > uf THEN price - uf ELSE lf - price END) / iqr END`.as('dev'),
          sql<number>`abs(price - CASE WHEN price > uf THEN q3 ELSE q1 END) * amount`.as('var'),
        ])
        .where(sql<boolean>`price > uf OR price < lf`),
    );
  const ratio = "CASE WHEN price / med >= 1 THEN printf('%.1f', price / med) ELSE printf('%.2f', price / med) END";
  return withGroups
    .selectFrom('x')
    .select([
      'provider',
      sql<string>`'line'`.as('subject_kind'),
      'declaration_id',
      'line_no',
      'row_id',
      sql<number>`CASE WHEN dev IS NULL THEN 100.0 ELSE round(100 - 50 / (1 + dev), 2) END`.as('score'),
      sql<string>`printf('%s %.2f %s/%s is %s× the median %.2f of %d %ss of %s%s; %s the %s fence %.2f',
        ${o.label}, price, currency, unit, ${sql.raw(ratio)}, med, n, flow, hs6, ${sql.raw(GROUP_PHRASE)},
        CASE WHEN above THEN 'above' ELSE 'below' END, CASE WHEN above THEN 'upper' ELSE 'lower' END,
        CASE WHEN above THEN uf ELSE lf END)`.as('reason'),
      sql<string>`json_object('group', ${sql.raw(GROUP_JSON)}, 'n', n, 'q1', q1, 'median', med, 'q3', q3, 'iqr', iqr,
        'k', ${k}, 'lower_fence', lf, 'upper_fence', uf, 'observed', price, 'unit', unit, 'currency', currency,
        'deviation', price - CASE WHEN above THEN uf ELSE lf END, 'deviation_iqr', dev, 'ratio_to_median', price / med,
        'direction', CASE WHEN above = (flow = 'import') THEN 'outflow' ELSE 'inflow' END,
        'quantity', amount, 'value_at_risk', var)`.as('evidence'),
      sql<string[]>`list_value(row_id)`.as('row_ids'),
    ])
    .orderBy('row_id');
}
