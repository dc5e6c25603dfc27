/**
 * round-values: a party declares values divisible by 1,000 far more often than the norm of its hs6.
 *
 * Invariants:
 * - Subject is declaring party x hs6 (importer of imports, exporter of exports, as benford.ts); judged with
 *   >= `min_n` lines.
 * - The hs6 norm is the round share of all OTHER parties' lines of that hs6 (leave-one-out), so a party that
 *   dominates its hs6 does not raise its own norm and hide. It is smoothed to (round + 0.5) / (n + 1) so an
 *   hs6 where nobody else declares round values gives a small positive norm, not a zero that flags any
 *   single round value.
 * - Test: one-sided binomial, k round values of n against the norm q. We use the Chernoff (relative entropy)
 *   tail bound P(X >= k) <= exp(-n * KL(k/n || q)) for k/n > q, computed in SQL. It is an upper bound of the
 *   exact tail, so bound < `alpha` implies the exact p < alpha (conservative: no false flags from the
 *   approximation); a normal approximation would badly overstate significance at norms near 0.4 % and
 *   n = 20. The normal z is reported in the evidence for reading only.
 * - Score lies in [50, 100) and rises monotonically as the bound falls: 100 - 50 * ln(alpha) / ln(bound).
 * - row_id is the group's smallest line row id (unique per party x hs6 x role); row_ids are the group's round
 *   lines. Ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { PARTY_KEY, PARTY_ROLE } from './trading-party.ts';
import { defineDetector } from './detector.ts';

export const roundValuesParams = z
  .object({
    min_n: z.number().int().min(5).max(1_000_000).default(20).describe('fewest lines of a party x hs6 judged (spec: 20)'),
    alpha: z.number().gt(0).lt(1).default(0.001).describe('flag when the binomial tail bound is below this (spec: p < 0.001)'),
    unit: z.number().int().min(10).max(1_000_000_000).default(1000).describe('a value divisible by this is round (spec: 1,000)'),
  })
  .strict();

export const roundValues = defineDetector({
  id: 'round-values',
  version: '1',
  // A party is judged per HS6: the HS6 is part of what a finding is about.
  subject: ['$.role', '$.party', '$.hs6'],
  summary: "a party's share of values divisible by 1,000 in an hs6 is far above the hs6 norm (binomial p < 0.001, n >= 20)",
  params: roundValuesParams,
  build(db, p) {
    const alpha = sql`${p.alpha}::DOUBLE`;
    // KL(a || q) with the (1 - a) term 0 when a = 1.
    const kl = 'a * ln(a / q) + CASE WHEN a < 1 THEN (1 - a) * ln((1 - a) / (1 - q)) ELSE 0 END';
    return (db.db as Kysely<any>)
      .with('v', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.provider',
            't.row_id',
            't.hs6',
            sql.raw<string>(PARTY_KEY).as('party'),
            sql.raw<string>(PARTY_ROLE).as('role'),
            sql<boolean>`t.value % ${p.unit}::INTEGER = 0`.as('is_round'),
          ])
          .where(sql.raw<boolean>(`t.value > 0 AND (${PARTY_KEY}) IS NOT NULL`)),
      )
      .with('g', (qb) =>
        qb
          .selectFrom('v')
          .select([
            'provider',
            'party',
            'role',
            'hs6',
            sql<number>`count(*)`.as('n'),
            sql<number>`count(*) FILTER (WHERE is_round)`.as('k'),
            sql<number>`min(row_id)`.as('row_id'),
            sql<string[]>`list(row_id ORDER BY row_id) FILTER (WHERE is_round)`.as('row_ids'),
          ])
          .groupBy(['provider', 'party', 'role', 'hs6']),
      )
      .with('h', (qb) =>
        qb.selectFrom('v').select(['hs6', sql<number>`count(*)`.as('hn'), sql<number>`count(*) FILTER (WHERE is_round)`.as('hk')]).groupBy('hs6'),
      )
      .with('j', (qb) =>
        qb
          .selectFrom('g')
          .innerJoin('h', 'h.hs6', 'g.hs6')
          .selectAll('g')
          .select([
            sql<number>`h.hn - g.n`.as('on_'),
            sql<number>`h.hk - g.k`.as('ok'),
            sql<number>`g.k::DOUBLE / g.n`.as('a'),
            sql<number>`(h.hk - g.k + 0.5) / (h.hn - g.n + 1.0)`.as('q'),
          ])
          .where('g.n', '>=', sql<number>`${p.min_n}::INTEGER`),
      )
      .with('x', (qb) =>
        qb
          .selectFrom('j')
          .selectAll()
          .select([
            sql.raw<number>(`exp(-n * (${kl}))`).as('bound'),
            sql<number>`(k - n * q) / sqrt(n * q * (1 - q))`.as('z'),
          ])
          .where(sql<boolean>`a > q`),
      )
      .selectFrom('x')
      .select([
        'provider',
        sql<string>`'party'`.as('subject_kind'),
        sql<string>`NULL::VARCHAR`.as('declaration_id'),
        sql<number>`NULL::INTEGER`.as('line_no'),
        'row_id',
        sql<number>`CASE WHEN bound <= 0 THEN 100.0 ELSE round(least(100 - 50 * ln(${alpha}) / ln(bound), 99.99), 2) END`.as('score'),
        sql<string>`printf('%d of %d values declared by %s %s for hs6 %s are multiples of %d (%.1f %%) against %.2f %% for other parties of that hs6; binomial tail p <= %.2g',
          k, n, role, party, hs6, ${p.unit}::INTEGER, 100 * a, 100 * q, bound)`.as('reason'),
        sql<string>`json_object('party', party, 'role', role, 'hs6', hs6, 'n', n, 'round', k, 'unit', ${p.unit}::INTEGER,
          'share', a, 'norm_share', q, 'norm_n', on_, 'norm_round', ok, 'p_bound', bound, 'z', z, 'alpha', ${alpha},
          'test', 'one-sided binomial, Chernoff relative-entropy tail bound')`.as('evidence'),
        'row_ids',
      ])
      .where(sql<boolean>`bound < ${alpha}`)
      .orderBy('row_id');
  },
});
