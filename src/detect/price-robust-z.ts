/**
 * price-robust-z: unit price far from its group in log space (robust z of Iglewicz & Hoaglin).
 *
 * Invariants:
 * - z = (ln p - median(ln p)) / (1.4826 · MAD), MAD = median |ln p - median(ln p)| of the group; flag
 *   |z| >= threshold (3.5). Log space because trade prices are heavy-tailed and multiplicative: x10 and /10
 *   are equally unusual. Only positive prices have a logarithm: a zero-value line is not judged here.
 * - Groups as price-iqr (hs6 x partner x flow x unit, falling back to hs6 x flow below `min_group`).
 *   A group with MAD 0 (half its lines share one price) has no scale and is not judged.
 * - Score is 50 at the threshold, 100 - 50 · threshold / |z| above it: monotone in |z|, capped at 100.
 * - Value at risk = |price - nearest normal bound| x quantity, the bound being the price at |z| = threshold.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { GROUP_JSON, GROUP_PHRASE, UNIT_PRICE, withPricedLines } from './priced-lines.ts';
import type { ScopedDb } from '../query/index.ts';

const params = z
  .object({
    threshold: z.number().gt(0).max(1000).default(3.5).describe('flag |z| at or above this (default 3.5, Iglewicz & Hoaglin)'),
    min_group: z.number().int().min(4).max(1_000_000).default(8).describe('smallest group compared at hs6 x partner x flow; smaller groups fall back to hs6 x flow'),
  })
  .strict();

/** Median and MAD of ln price per group, as CTEs `<name>m` (median) and `<name>` (median + MAD). */
function logStats(db: ScopedDb, q: any, keys: string[], name: string): any {
  const d = db.dialect;
  const on = (jn: any) => keys.reduce((j, k) => j.onRef(`m.${k}`, '=', `p.${k}`), jn);
  return q
    .with(`${name}m`, (qb: any) =>
      qb
        .selectFrom('p')
        .where('price', '>', 0)
        .select([...keys.map((k) => sql.ref(k).as(k)), sql<number>`count(*)::INTEGER`.as('n'), sql.raw<number>(d.median('ln(price)')).as('med')])
        .groupBy(keys),
    )
    .with(name, (qb: any) =>
      qb
        .selectFrom('p')
        .where('p.price', '>', 0)
        .innerJoin(`${name}m as m`, on)
        .select([...keys.map((k) => sql.ref(`m.${k}`).as(k)), 'm.n', 'm.med', sql.raw<number>(d.median('abs(ln(p.price) - m.med)')).as('mad')])
        .groupBy([...keys.map((k) => `m.${k}`), 'm.n', 'm.med']),
    );
}

export const priceRobustZ = defineDetector({
  id: 'price-robust-z',
  version: '1',
  summary: 'unit price with a robust z-score in log space of at least 3.5 against its group',
  params,
  partitioned: true,
  build(db, p, ctx) {
    const keys = ['hs6', 'flow', 'unit'];
    let q: any = withPricedLines(db.db as Kysely<any>, UNIT_PRICE, ctx?.touched);
    q = logStats(db, q, [...keys, 'partner'], 'gf');
    q = logStats(db, q, keys, 'gc');
    const min = sql`${p.min_group}::INTEGER`;
    const t = sql`${p.threshold}::DOUBLE`;
    const fine = sql`(gf.n >= ${min} AND p.partner <> '')`;
    const pick = (c: string) => sql`CASE WHEN ${fine} THEN ${sql.ref(`gf.${c}`)} ELSE ${sql.ref(`gc.${c}`)} END`;
    const withZ = q
      .with('j', (qb: any) =>
        qb
          .selectFrom('p')
          .leftJoin('gf', (jn: any) => jn.onRef('gf.hs6', '=', 'p.hs6').onRef('gf.flow', '=', 'p.flow').onRef('gf.unit', '=', 'p.unit').onRef('gf.partner', '=', 'p.partner'))
          .innerJoin('gc', (jn: any) => jn.onRef('gc.hs6', '=', 'p.hs6').onRef('gc.flow', '=', 'p.flow').onRef('gc.unit', '=', 'p.unit'))
          .where('p.price', '>', 0)
          .selectAll('p')
          .select([
            sql<string>`CASE WHEN ${fine} THEN 'hs6 x partner x flow' ELSE 'hs6 x flow' END`.as('level'),
            pick('n').as('n'),
            pick('med').as('med'),
            pick('mad').as('mad'),
          ]),
      )
      .with('x', (qb: any) =>
        qb
          .selectFrom('j')
          .selectAll()
          .select([
            sql<number>`(ln(price) - med) / (1.4826 * mad)`.as('z'),
            sql<number>`exp(med)`.as('med_price'),
            sql<number>`exp(med + sign(ln(price) - med) * ${t} * 1.4826 * mad)`.as('bound'),
          ])
          .where('n', '>=', min)
          .where(sql<boolean>`mad > 0 AND abs(ln(price) - med) >= ${t} * 1.4826 * mad`),
      );
    const ratio = "CASE WHEN price / med_price >= 1 THEN printf('%.1f', price / med_price) ELSE printf('%.2f', price / med_price) END";
    return withZ
      .selectFrom('x')
      .select([
        'provider',
        sql<string>`'line'`.as('subject_kind'),
        'declaration_id',
        'line_no',
        'row_id',
        sql<number>`round(least(100.0, 100 - 50 * ${t} / abs(z)), 2)`.as('score'),
        sql<string>`printf('Unit price %.2f %s/%s is %s× the median %.2f of %d %ss of %s%s; robust z %.2f in log space (MAD %.4f), beyond ±%.1f',
          price, currency, unit, ${sql.raw(ratio)}, med_price, n, flow, hs6, ${sql.raw(GROUP_PHRASE)}, z, mad, ${t})`.as('reason'),
        sql<string>`json_object('group', ${sql.raw(GROUP_JSON)}, 'n', n, 'median_log_price', med, 'median', med_price, 'mad', mad,
          'threshold', ${t}, 'observed', price, 'unit', unit, 'currency', currency, 'z', z, 'normal_bound', bound,
          'deviation', price - bound, 'ratio_to_median', price / med_price,
          'direction', CASE WHEN (price > med_price) = (flow = 'import') THEN 'outflow' ELSE 'inflow' END,
          'quantity', amount, 'value_at_risk', abs(price - bound) * amount)`.as('evidence'),
        sql<string[]>`list_value(row_id)`.as('row_ids'),
      ])
      .orderBy('row_id');
  },
});
