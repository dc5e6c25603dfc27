/**
 * party-surge: a sudden jump in a party's monthly trade value against its own recent history.
 *
 * Invariants:
 * - A party is the importer key of import lines and the exporter key of export lines (the trader the
 *   reporting country's declaration names), per provider and flow: an importer's and an exporter's
 *   volumes are different series even when the key text coincides.
 * - A party-month's value is the sum of its lines' values in that calendar month. Its history is the
 *   party's months with trade in the `window_months` (12) calendar months before it, computed with window
 *   functions in the engine; months without trade are absent, not zero, so a seasonal trader is compared
 *   with its active months. At least `min_prior_months` (6) such months are needed: a median of two or
 *   three months flags ordinary growth.
 * - Flagged when value > median + `mad_k` (5) x MAD AND value > `min_ratio` (10) x median, both over the
 *   history (MAD = median absolute deviation from the median, unscaled). The ratio guard stops a party with
 *   a flat history (MAD about 0) from flagging on a small rise.
 * - Score lies in [50, 100): 100 - 50 x min_ratio / ratio, so 50 at the threshold, rising with the ratio.
 * - Subject kind 'party': no declaration or line; `row_id` is the smallest row id of the party-month (a
 *   stable handle), the party key and the month are in the evidence (the anomalies table has no party
 *   column). `row_ids` lists the party-month's lines, capped at `max_row_ids` (the evidence says how many
 *   there are and whether the list was cut), so one huge month cannot bloat a run.
 * - Output columns are ANOMALY_COLUMNS, ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { PARTY_KEY } from './trading-party.ts';

export const partySurgeParams = z
  .object({
    mad_k: z.number().min(0).max(1000).default(5).describe('MAD multiplier: month value must exceed median + mad_k x MAD of the history (default 5)'),
    min_ratio: z.number().min(1).max(1e6).default(10).describe('month value must also exceed min_ratio x the history median (default 10)'),
    window_months: z.number().int().min(2).max(120).default(12).describe('calendar months of history before the month (default 12)'),
    min_prior_months: z.number().int().min(2).max(120).default(6).describe('fewest months with trade in the history (default 6)'),
    max_row_ids: z.number().int().min(1).max(100_000).default(1000).describe('most line ids listed per flagged party-month (default 1,000)'),
  })
  .strict()
  .refine((p) => p.min_prior_months <= p.window_months, { message: 'must not exceed window_months', path: ['min_prior_months'] });

export const partySurge = defineDetector({
  id: 'party-surge',
  version: '1',
  // A party is judged per month: the month is part of what a finding is about.
  subject: ['$.role', '$.party', '$.month'],
  summary: "a party's monthly value exceeds its previous 12 months' median + 5 MAD and 10x that median (>= 6 prior months)",
  params: partySurgeParams,
  build(db, p) {
    const win = sql.raw(`INTERVAL ${p.window_months} MONTH`); // an integer validated by the schema
    const ratio = sql`${p.min_ratio}::DOUBLE`;
    const k = sql`${p.mad_k}::DOUBLE`;
    const cap = sql`${p.max_row_ids}::INTEGER`;
    return (db.db as Kysely<any>)
      .with('l', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.provider',
            't.flow',
            't.row_id',
            sql.raw<string>(PARTY_KEY).as('party'),
            sql<string>`date_trunc('month', t.date)::DATE`.as('mon'),
            sql<number>`t.value::DOUBLE`.as('value'),
          ])
          .where('t.date', 'is not', null)
          .where('t.value', 'is not', null),
      )
      .with('pm', (qb) =>
        qb
          .selectFrom('l')
          .select([
            'provider',
            'flow',
            'party',
            'mon',
            sql<number>`sum(value)`.as('v'),
            sql<number>`count(*)::INTEGER`.as('n_lines'),
            sql<number>`min(row_id)`.as('first_id'),
            sql<string[]>`list(row_id ORDER BY row_id)`.as('ids'),
          ])
          .where('party', 'is not', null)
          .groupBy(['provider', 'flow', 'party', 'mon']),
      )
      .with('w', (qb) => {
        // RANGE over the month: the calendar months before this one, with gaps left as gaps.
        const prev = sql`(PARTITION BY provider, flow, party ORDER BY mon RANGE BETWEEN ${win} PRECEDING AND INTERVAL 1 MONTH PRECEDING)`;
        return qb
          .selectFrom('pm')
          .selectAll()
          .select([sql<number>`count(*) OVER ${prev}`.as('prev_n'), sql<number[]>`list(v) OVER ${prev}`.as('hist')]);
      })
      .with('m', (qb) =>
        qb
          .selectFrom('w')
          .selectAll()
          .select(sql<number>`list_median(hist)`.as('med'))
          .where('prev_n', '>=', p.min_prior_months),
      )
      .with('x', (qb) =>
        qb
          .selectFrom('m')
          .selectAll()
          .select(sql<number>`list_median(list_transform(hist, h -> abs(h - med)))`.as('mad'))
          .where(sql<boolean>`med > 0 AND v > ${ratio} * med`),
      )
      .selectFrom('x')
      .select([
        'provider',
        sql<string>`'party'`.as('subject_kind'),
        sql<string>`NULL::VARCHAR`.as('declaration_id'),
        sql<number>`NULL::INTEGER`.as('line_no'),
        sql<number>`first_id`.as('row_id'),
        sql<number>`round(100 - 50 * ${ratio} / (v / med), 2)`.as('score'),
        sql<string>`printf('%s %s: %s value %.2f in %s is %.1f× the median %.2f of its %d prior months with trade; above median + %s MAD = %.2f (MAD %.2f) and %s× the median = %.2f',
          CASE WHEN flow = 'import' THEN 'Importer' ELSE 'Exporter' END, party, flow, v, strftime(mon, '%Y-%m'), v / med, med, prev_n,
          ${String(p.mad_k)}::VARCHAR, med + ${k} * mad, mad, ${String(p.min_ratio)}::VARCHAR, ${ratio} * med)`.as('reason'),
        sql<string>`json_object('party', party, 'role', CASE WHEN flow = 'import' THEN 'importer' ELSE 'exporter' END, 'flow', flow,
          'month', strftime(mon, '%Y-%m'), 'value', v, 'lines', n_lines, 'history_months', prev_n, 'history', hist,
          'median', med, 'mad', mad, 'mad_k', ${k}, 'min_ratio', ${ratio}, 'threshold', greatest(med + ${k} * mad, ${ratio} * med),
          'ratio_to_median', v / med, 'z_mad', CASE WHEN mad > 0 THEN (v - med) / mad END,
          'row_ids_listed', least(n_lines, ${cap}), 'row_ids_truncated', n_lines > ${cap})`.as('evidence'),
        sql<string[]>`ids[1:${cap}]`.as('row_ids'),
      ])
      .where(sql<boolean>`v > med + ${k} * mad`)
      .orderBy('row_id');
  },
});
