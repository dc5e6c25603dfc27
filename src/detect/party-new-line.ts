/**
 * party-new-line: a party trades goods far from its usual HS chapters (FATF indicator: a trader suddenly
 * dealing in goods unrelated to its business).
 *
 * Invariants:
 * - A party is the importer key of import lines and the exporter key of export lines, per provider and
 *   flow (as in party-surge): what a company imports and what it exports are different profiles.
 * - The party's profile is the set of HS chapters (hs2) of its lines dated before first date +
 *   `profile_months` (6), its first date being the earliest line the caller can see. Only parties with at
 *   least `min_profile_lines` (10) lines in that window are judged: a new or occasional party has no
 *   profile yet, and every later line of it would otherwise look new.
 * - A line dated after the profile window is flagged when its chapter is not in the profile AND its value
 *   is above the party's median line value (over all its lines): small first orders in a new chapter are
 *   ordinary diversification. Every such line is flagged, the evidence says whether it is the first in
 *   that chapter.
 * - Score lies in (50, 100): 100 - 50 x median / value, rising with the value against the party's median.
 * - Output columns are ANOMALY_COLUMNS, subject kind 'line', ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { PARTY_KEY } from './trading-party.ts';

export const partyNewLineParams = z
  .object({
    profile_months: z.number().int().min(1).max(120).default(6).describe("months from the party's first line whose chapters form its profile (default 6)"),
    min_profile_lines: z.number().int().min(1).max(1_000_000).default(10).describe('fewest lines in the profile window for the party to be judged (default 10)'),
  })
  .strict();

export const partyNewLine = defineDetector({
  id: 'party-new-line',
  version: '1',
  summary: "a line in an HS chapter outside the party's first 6 months (>= 10 lines), valued above the party's median line",
  params: partyNewLineParams,
  build(db, p) {
    const span = sql.raw(`INTERVAL ${p.profile_months} MONTH`); // an integer validated by the schema
    return (db.db as Kysely<any>)
      .with('l', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.row_id',
            't.provider',
            't.declaration_id',
            't.line_no',
            't.flow',
            't.hs2',
            't.hs6',
            't.date',
            sql.raw<string>(PARTY_KEY).as('party'),
            sql<number>`t.value::DOUBLE`.as('value'),
            sql<string>`coalesce(t.currency, 'USD')`.as('currency'),
          ])
          .where('t.date', 'is not', null)
          .where('t.value', 'is not', null)
          .where('t.hs2', 'is not', null),
      )
      .with('f', (qb) =>
        qb
          .selectFrom('l')
          .selectAll()
          .select(sql<string>`min(date) OVER (PARTITION BY provider, flow, party) + ${span}`.as('profile_end'))
          .where('party', 'is not', null),
      )
      .with('ps', (qb) =>
        qb
          .selectFrom('f')
          .select([
            'provider',
            'flow',
            'party',
            sql<string>`min(profile_end)`.as('profile_end'),
            sql<number>`count(*)::INTEGER`.as('party_lines'),
            sql<number>`${sql.raw(db.dialect.median('value'))}`.as('med'),
            sql<number>`(count(*) FILTER (WHERE date < profile_end))::INTEGER`.as('profile_lines'),
            sql<string[]>`list_sort(list(DISTINCT hs2) FILTER (WHERE date < profile_end))`.as('chs'),
          ])
          .groupBy(['provider', 'flow', 'party'])
          .having(sql<boolean>`count(*) FILTER (WHERE date < profile_end) >= ${p.min_profile_lines}`),
      )
      .with('x', (qb) =>
        qb
          .selectFrom('f')
          .innerJoin('ps', (j) => j.onRef('ps.provider', '=', 'f.provider').onRef('ps.flow', '=', 'f.flow').onRef('ps.party', '=', 'f.party'))
          .select([
            'f.row_id',
            'f.provider',
            'f.declaration_id',
            'f.line_no',
            'f.flow',
            'f.party',
            'f.hs2',
            'f.hs6',
            'f.date',
            'f.value',
            'f.currency',
            'ps.profile_end',
            'ps.party_lines',
            'ps.profile_lines',
            'ps.chs',
            'ps.med',
            // Later lines of the same chapter: the first one is the change of business, the rest its continuation.
            sql<boolean>`row_number() OVER (PARTITION BY f.provider, f.flow, f.party, f.hs2 ORDER BY f.date, f.row_id) = 1`.as('first_in_chapter'),
          ])
          .where(sql<boolean>`f.date >= ps.profile_end AND NOT list_contains(ps.chs, f.hs2)`),
      )
      .selectFrom('x')
      .select([
        'provider',
        sql<string>`'line'`.as('subject_kind'),
        'declaration_id',
        'line_no',
        'row_id',
        sql<number>`round(100 - 50 * med / value, 2)`.as('score'),
        sql<string>`printf('%s %s %ss hs6 %s in chapter %s, outside the chapters %s of its first %d months (%d lines); value %.2f %s is %.1f× its median line value %.2f',
          CASE WHEN flow = 'import' THEN 'Importer' ELSE 'Exporter' END, party, flow, hs6, hs2, array_to_string(chs, ', '),
          ${p.profile_months}::INTEGER, profile_lines, value, currency, value / med, med)`.as('reason'),
        sql<string>`json_object('party', party, 'role', CASE WHEN flow = 'import' THEN 'importer' ELSE 'exporter' END, 'flow', flow,
          'chapter', hs2, 'hs6', hs6, 'profile_chapters', chs, 'profile_months', ${p.profile_months}::INTEGER,
          'profile_end', strftime(profile_end, '%Y-%m-%d'), 'profile_lines', profile_lines, 'party_lines', party_lines,
          'party_median_value', med, 'observed_value', value, 'currency', currency, 'ratio_to_median', value / med,
          'first_in_chapter', first_in_chapter)`.as('evidence'),
        sql<string[]>`list_value(row_id)`.as('row_ids'),
      ])
      .where(sql<boolean>`med > 0 AND value > med`)
      .orderBy('row_id');
  },
});
