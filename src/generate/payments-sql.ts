// Payments: for about 30 % of declarations, the importer pays the exporter by wire 0-60 days after the
// declaration, within 2 % of the invoiced total, each side from a bank in its own country. The
// payment-mismatch anomalies break exactly one of those regularities each: the amount (outside
// [0.8, 1.25] of the invoice), the payee's or payer's bank country (a third country), or the instrument
// (cash). Payments reference declarations by invoice_ref, as the detector links them.
import type { InjectionContext } from './anomaly-ledger.ts';
import { PAYMENT_HAVENS } from './countries.ts';
import { sqlList } from './sql-literal.ts';

const PAYMENT_SHARE = 0.3;

export async function createPayments(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  await conn.run(`CREATE TABLE payments AS
    WITH tot AS (SELECT d, sum(value) AS total FROM base GROUP BY d),
    sel AS (
      SELECT b.d, b.date, b.imp_pk, b.exp_pk, tot.total
      FROM base b JOIN tot USING (d) WHERE b.line_no = 1 AND uni(b.d, 'payment') < ${PAYMENT_SHARE}
    )
    SELECT row_number() OVER (ORDER BY sel.d) AS pn, sel.*,
      sel.date + floor(61 * uni(sel.d, 'payment-lag'))::INT AS pay_date,
      round(sel.total::DOUBLE * (1 + 0.02 * tri(sel.d, 'payment-noise')), 2)::DECIMAL(18,2) AS amount,
      pi.country AS payer_country, pe.country AS payee_country,
      'wire' AS instrument, 'wire' AS report_type, true AS payer_has_bank
    FROM sel JOIN parties pi ON pi.pk = sel.imp_pk JOIN parties pe ON pe.pk = sel.exp_pk`);

  const k = ctx.plan['payment-mismatch'];
  if (k <= 0) return;
  const havens = sqlList(PAYMENT_HAVENS);
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    SELECT p.*, (row_number() OVER (ORDER BY uni(p.d, 'mismatch-pick'), p.d) - 1) % 5 AS variant,
      list_filter(${havens}, x -> x <> p.payer_country AND x <> p.payee_country AND x <> 'US') AS havens,
      uni(p.d, 'mismatch-size') AS u
    FROM payments p ORDER BY uni(p.d, 'mismatch-pick'), p.d LIMIT ${k}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE mismatch AS
    SELECT pick.pn, pick.d, pick.variant, pick.total, pick.payer_country, pick.payee_country,
      CASE variant WHEN 0 THEN round(pick.total::DOUBLE * (1.5 + 1.5 * u), 2)
                   WHEN 1 THEN round(pick.total::DOUBLE * (0.3 + 0.35 * u), 2) END::DECIMAL(18,2) AS new_amount,
      havens[1 + floor(u * len(havens))::INT] AS haven
    FROM pick`);
  await conn.run(`UPDATE payments SET
      amount = coalesce(m.new_amount, payments.amount),
      payee_country = CASE WHEN m.variant = 2 THEN m.haven ELSE payments.payee_country END,
      payer_country = CASE WHEN m.variant = 3 THEN m.haven ELSE payments.payer_country END,
      instrument = CASE WHEN m.variant = 4 THEN 'cash' ELSE payments.instrument END,
      report_type = CASE WHEN m.variant = 4 THEN 'cash-transaction' ELSE payments.report_type END,
      payer_has_bank = m.variant <> 4
    FROM mismatch m WHERE payments.pn = m.pn`);
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, d, pay_pn, party_pk, partner, period, detail)
    SELECT 'payment-mismatch', 'payment', m.d, m.pn,
      CASE m.variant WHEN 2 THEN p.exp_pk ELSE p.imp_pk END, CASE WHEN m.variant IN (2, 3) THEN m.haven END,
      strftime(p.pay_date, '%Y-%m'),
      CASE m.variant
        WHEN 0 THEN printf('paid %.2f USD against an invoiced %.2f USD (ratio %.2f)', p.amount::DOUBLE, m.total::DOUBLE, p.amount::DOUBLE / m.total::DOUBLE)
        WHEN 1 THEN printf('paid %.2f USD against an invoiced %.2f USD (ratio %.2f)', p.amount::DOUBLE, m.total::DOUBLE, p.amount::DOUBLE / m.total::DOUBLE)
        WHEN 2 THEN printf('payee account in %s although the exporter is in %s', m.haven, m.payee_country)
        WHEN 3 THEN printf('payer account in %s although the importer is in %s', m.haven, m.payer_country)
        ELSE printf('settled in cash (%.2f USD) instead of a bank transfer', p.amount::DOUBLE) END
    FROM mismatch m JOIN payments p ON p.pn = m.pn`);
}
