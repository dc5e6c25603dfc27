/**
 * payment-mismatch: a payment does not match the goods it pays for (FATF/Egmont financial indicators).
 *
 * Invariants:
 * - Payments are linked to declarations by invoice_ref: the invoiced amount is the sum of the values of all
 *   visible trade lines with that invoice_ref (a declaration's lines share it). A payment with no visible
 *   linked line is not judged: without the goods there is nothing to mismatch. The spec's fallback link by
 *   party pair within +/- 90 days is NOT implemented yet (payments without invoice_ref are skipped).
 * - Three tests, reasons combined into one anomaly per payment:
 *   amount: paid / invoiced outside [`min_ratio`, `max_ratio`] (only when payment and lines share one currency;
 *   a cross-currency ratio without rates would be meaningless);
 *   third country: payer or payee country is none of the linked lines' reporter, origin, departure or
 *   destination country (the parties' countries as the declaration states them);
 *   cash: instrument 'cash' settles a trade transaction.
 * - Payments are financial data. A scope without a row-level financial grant gets an empty result from a query that
 *   reads no data table (not an error), so an all-detector run for a trade-only principal still runs the
 *   trade detectors; the scope plugin still filters payments by the grant's providers otherwise.
 * - Score: each failed test scores on its own (amount: 50 at the band edge rising to 90 at 4x beyond it,
 *   third country 70, cash 70); the anomaly takes the highest plus 10 per further failed test, capped at 100.
 * - row_id is the payment's row id; row_ids are the payment and the linked lines. Ordered by row_id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { grantFor } from '../query/index.ts';
import { defineDetector, noAnomalies } from './detector.ts';

export const paymentMismatchParams = z
  .object({
    min_ratio: z.number().gt(0).lt(1).default(0.8).describe('smallest paid / invoiced ratio not flagged (spec: 0.8)'),
    max_ratio: z.number().gt(1).max(100).default(1.25).describe('largest paid / invoiced ratio not flagged (spec: 1.25)'),
    cash: z.boolean().default(true).describe('flag cash instruments settling trade'),
    third_country: z.boolean().default(true).describe("flag payer or payee in a country none of the declaration's countries"),
  })
  .strict();

export const paymentMismatch = defineDetector({
  id: 'payment-mismatch',
  version: '1',
  category: 'financial',
  summary: 'a payment linked by invoice_ref pays outside [0.8, 1.25] of the invoice, from or to a third country, or in cash',
  params: paymentMismatchParams,
  build(db, p) {
    const k = db.db as Kysely<any>;
    const g = grantFor(db.scope, 'financial');
    if (!g || g.level !== 'row') return noAnomalies(k, 'payment');
    const lo = sql`${p.min_ratio}::DOUBLE`;
    const hi = sql`${p.max_ratio}::DOUBLE`;
    const amountBad = sql`(ratio IS NOT NULL AND (ratio < ${lo} OR ratio > ${hi}))`;
    const payerThird = p.third_country ? sql`(payer_country IS NOT NULL AND NOT list_contains(countries, payer_country))` : sql`false`;
    const payeeThird = p.third_country ? sql`(payee_country IS NOT NULL AND NOT list_contains(countries, payee_country))` : sql`false`;
    const cash = p.cash ? sql`(instrument = 'cash')` : sql`false`;
    // Distance beyond the band in log terms, 0 at the edge, 1 at 4x beyond it.
    const beyond = sql`least(1.0, CASE WHEN ratio > ${hi} THEN ln(ratio / ${hi}) ELSE ln(${lo} / ratio) END / ln(4.0))`;
    const s1 = sql`CASE WHEN ${amountBad} THEN 50 + 40 * ${beyond} ELSE 0 END`;
    const s2 = sql`CASE WHEN ${payerThird} OR ${payeeThird} THEN 70 ELSE 0 END`;
    const s3 = sql`CASE WHEN ${cash} THEN 70 ELSE 0 END`;
    const nBad = sql`(${amountBad})::INTEGER + (${payerThird})::INTEGER + (${payeeThird})::INTEGER + (${cash})::INTEGER`;
    const part = (cond: ReturnType<typeof sql>, text: ReturnType<typeof sql>) => sql`CASE WHEN ${cond} THEN ${text} END`;
    return k
      .with('inv', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .select([
            't.invoice_ref',
            sql<number>`sum(t.value)::DOUBLE`.as('invoiced'),
            sql<number>`count(DISTINCT coalesce(t.currency, 'USD'))`.as('n_cur'),
            sql<string>`min(coalesce(t.currency, 'USD'))`.as('inv_currency'),
            sql<string[]>`list_sort(list_distinct(flatten(list(list_value(t.reporter, t.origin_country, t.departure_country, t.destination_country)))))`.as('countries'),
            sql<string[]>`list_sort(list_distinct(list(t.declaration_id)))`.as('declaration_ids'),
            sql<string[]>`list(t.row_id ORDER BY t.row_id)`.as('line_ids'),
          ])
          .where('t.invoice_ref', 'is not', null)
          .groupBy('t.invoice_ref'),
      )
      .with('j', (qb) =>
        qb
          .selectFrom('payments as pm')
          .innerJoin('inv', 'inv.invoice_ref', 'pm.invoice_ref')
          .select([
            'pm.provider',
            'pm.row_id',
            'pm.payment_id',
            sql<number>`pm.amount::DOUBLE`.as('paid'),
            sql<string>`coalesce(pm.currency, 'USD')`.as('currency'),
            'pm.payer_country',
            'pm.payee_country',
            'pm.instrument',
            'inv.invoiced',
            'inv.countries',
            'inv.declaration_ids',
            'inv.line_ids',
            sql<number>`CASE WHEN inv.n_cur = 1 AND inv.inv_currency = coalesce(pm.currency, 'USD') AND inv.invoiced > 0
              THEN pm.amount::DOUBLE / inv.invoiced END`.as('ratio'),
          ]),
      )
      .selectFrom('j')
      .select([
        'provider',
        sql<string>`'payment'`.as('subject_kind'),
        sql<string>`CASE WHEN len(declaration_ids) = 1 THEN declaration_ids[1] END`.as('declaration_id'),
        sql<number>`NULL::INTEGER`.as('line_no'),
        'row_id',
        sql<number>`round(least(100.0, greatest(${s1}, ${s2}, ${s3}) + 10 * (${nBad} - 1)), 2)`.as('score'),
        sql<string>`printf('Payment %s: %s', payment_id, concat_ws('; ',
          ${part(amountBad, sql`printf('paid %.2f %s against %.2f invoiced on %s (ratio %.2f, outside [%.2f, %.2f])', paid, currency, invoiced, array_to_string(declaration_ids, ', '), ratio, ${lo}, ${hi})`)},
          ${part(payerThird, sql`printf('payer in %s, a country not on the declaration (%s)', payer_country, array_to_string(countries, ', '))`)},
          ${part(payeeThird, sql`printf('payee in %s, a country not on the declaration (%s)', payee_country, array_to_string(countries, ', '))`)},
          ${part(cash, sql`printf('settled in cash (%.2f %s) for traded goods', paid, currency)`)}))`.as('reason'),
        sql<string>`json_object('payment_id', payment_id, 'paid', paid, 'currency', currency, 'invoiced', invoiced, 'ratio', ratio,
          'min_ratio', ${lo}, 'max_ratio', ${hi}, 'payer_country', payer_country, 'payee_country', payee_country,
          'declaration_countries', countries, 'instrument', instrument, 'declaration_ids', declaration_ids,
          'amount_mismatch', ${amountBad}, 'payer_third_country', ${payerThird}, 'payee_third_country', ${payeeThird}, 'cash', ${cash})`.as('evidence'),
        sql<string[]>`list_prepend(row_id, line_ids)`.as('row_ids'),
      ])
      .where(sql<boolean>`${nBad} > 0`)
      .orderBy('row_id');
  },
});
