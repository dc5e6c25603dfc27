/**
 * benford: a party's declared values do not follow Benford's first-digit law (Cerioli et al., PNAS 2019).
 *
 * Invariants:
 * - Subject is the declaring party: the importer key of import lines, the exporter key of export lines
 *   (role in the evidence). A party is judged only with >= `min_n` values: the chi-square approximation and
 *   the digit shares of a few dozen values are noise.
 * - The first significant digit is read from the decimal text of the value (first non-zero digit), not from
 *   log10 arithmetic, so 1000.00 is a 1 and not a rounding-error 9.
 * - Both tests must fail for a flag (spec): chi-square goodness of fit with 8 degrees of freedom at p <
 *   `alpha`, AND Nigrini's mean absolute deviation of the nine digit shares > `min_mad`. The chi-square alone
 *   rejects every large party for trivial departures; MAD alone flags small parties by chance.
 * - The p-value is exact for the statistic: with an even number of degrees of freedom (8) the chi-square
 *   survival function is exp(-x/2) * sum_{i<4} (x/2)^i / i!, computed in SQL. CHI2_CRIT_P01_DF8 = 20.090 is
 *   the textbook critical value for p = 0.01, kept to document (and test) that equivalence.
 * - Counts, statistic, p and MAD are computed in the engine (no rows pass through JavaScript).
 * - Score lies in [50, 100) for a flag and rises monotonically with the MAD: 100 - 50 * min_mad / MAD.
 * - row_id is the party's smallest line row id (unique per party and role, so anomaly ids stay unique);
 *   row_ids lists all the party's lines that were counted. Ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { PARTY_KEY, PARTY_ROLE } from './trading-party.ts';

/** Chi-square critical value at 8 degrees of freedom for p = 0.01 (equivalent to the default alpha). */
export const CHI2_CRIT_P01_DF8 = 20.09;

/** Benford's first-digit probabilities log10(1 + 1/d), d = 1..9. */
export const BENFORD_P: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => Math.log10(1 + 1 / d));


export const benfordParams = z
  .object({
    min_n: z.number().int().min(10).max(1_000_000).default(50).describe('fewest values a party needs to be judged (spec: 50)'),
    alpha: z.number().gt(0).lt(1).default(0.01).describe('chi-square p-value (8 df) below which the digits differ (spec: 0.01, critical value 20.090)'),
    min_mad: z.number().gt(0).lt(1).default(0.015).describe("smallest mean absolute deviation of the digit shares flagged (Nigrini's first-digit nonconformity: 0.015)"),
  })
  .strict();

const DIGITS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

export const benford = defineDetector({
  id: 'benford',
  version: '1',
  summary: "a party's first digits depart from Benford's law: chi-square p < 0.01 (8 df) and mean absolute deviation > 0.015, >= 50 values",
  params: benfordParams,
  build(db, p) {
    // Expected shares are constants written by us, inlined as literals (no user value enters SQL text).
    const e = (d: number) => BENFORD_P[d - 1]!.toFixed(12);
    const chi2 = DIGITS.map((d) => `power(c${d} - n * ${e(d)}, 2) / (n * ${e(d)})`).join(' + ');
    const mad = `(${DIGITS.map((d) => `abs(c${d} / n - ${e(d)})`).join(' + ')}) / 9.0`;
    const half = 'chi2 / 2.0';
    const pval = `exp(-${half}) * (1 + ${half} + power(${half}, 2) / 2.0 + power(${half}, 3) / 6.0)`;
    const observed = `list_value(${DIGITS.map((d) => `round(c${d} / n, 6)`).join(', ')})`;
    const expected = `list_value(${DIGITS.map((d) => `round(${e(d)}, 6)`).join(', ')})`;
    const minMad = sql`${p.min_mad}::DOUBLE`;
    return (db.db as Kysely<any>)
      .with('v', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.provider',
            't.row_id',
            sql.raw<string>(PARTY_KEY).as('party'),
            sql.raw<string>(PARTY_ROLE).as('role'),
            sql.raw<number>("regexp_extract(t.value::VARCHAR, '[1-9]')::INTEGER").as('digit'),
          ])
          .where(sql.raw<boolean>(`t.value > 0 AND (${PARTY_KEY}) IS NOT NULL`)),
      )
      .with('c', (qb) =>
        qb
          .selectFrom('v')
          .select([
            'provider',
            'party',
            'role',
            sql<number>`count(*)::DOUBLE`.as('n'),
            ...DIGITS.map((d) => sql.raw<number>(`count(*) FILTER (WHERE digit = ${d})::DOUBLE`).as(`c${d}`)),
            sql<number>`min(row_id)`.as('row_id'),
            sql<string[]>`list(row_id ORDER BY row_id)`.as('row_ids'),
          ])
          .groupBy(['provider', 'party', 'role'])
          .having(sql<boolean>`count(*) >= ${p.min_n}::INTEGER`),
      )
      .with('s', (qb) => qb.selectFrom('c').selectAll().select([sql.raw<number>(`${chi2}`).as('chi2'), sql.raw<number>(mad).as('mad')]))
      .with('x', (qb) => qb.selectFrom('s').selectAll().select([sql.raw<number>(pval).as('p')]))
      .selectFrom('x')
      .select([
        'provider',
        sql<string>`'party'`.as('subject_kind'),
        sql<string>`NULL::VARCHAR`.as('declaration_id'),
        sql<number>`NULL::INTEGER`.as('line_no'),
        'row_id',
        sql<number>`round(100 - 50 * ${minMad} / mad, 2)`.as('score'),
        sql<string>`printf('First digits of %d values declared by %s %s depart from Benford''s law: chi-square %.2f (8 df, p = %.2g), mean absolute deviation %.4f above %.4f; digits 5-9 lead %.1f %% of values against 30.1 %% expected',
          n::INTEGER, role, party, chi2, p, mad, ${minMad}, 100 * (c5 + c6 + c7 + c8 + c9) / n)`.as('reason'),
        sql<string>`json_object('party', party, 'role', role, 'n', n::INTEGER,
          'observed', ${sql.raw(observed)}, 'expected', ${sql.raw(expected)}, 'counts', list_value(${sql.raw(DIGITS.map((d) => `c${d}::INTEGER`).join(', '))}),
          'chi2', chi2, 'df', 8, 'p', p, 'alpha', ${p.alpha}::DOUBLE, 'mad', mad, 'min_mad', ${minMad})`.as('evidence'),
        'row_ids',
      ])
      .where(sql<boolean>`p < ${p.alpha}::DOUBLE AND mad > ${minMad}`)
      .orderBy('row_id');
  },
});
