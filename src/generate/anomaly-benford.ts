// benford: a mid-sized importer (60 to 3,000 import lines) whose declared values no longer follow
// Benford's law. Each value's leading mantissa is redrawn (5-9, or uniform 1-9 for parties large enough
// for that milder deviation to be significant) by rescaling quantity and net mass, so unit prices and
// value per kg stay normal and only the digit pattern is anomalous.
import { FREE_LINES, IMPORTERS_WITH_BLOCKED_LINES, applyOverrides, reserveParties, type InjectionContext } from './anomaly-ledger.ts';
import { quantitySql, rescaledMassSql } from './line-pricing.ts';

export async function injectBenford(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const k = ctx.plan.benford;
  if (k <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    SELECT s.pk, s.n, CASE WHEN s.n >= 150 AND uni(s.pk, 'benford-mode') < 0.4 THEN 'uniform' ELSE 'high' END AS mode
    FROM (SELECT imp_pk AS pk, count(*) AS n FROM ${FREE_LINES} WHERE flow = 'import' GROUP BY imp_pk) s
    JOIN parties p USING (pk)
    WHERE p.pool = 'usimp' AND s.n BETWEEN 60 AND 3000 AND s.pk NOT IN ${IMPORTERS_WITH_BLOCKED_LINES}
    ORDER BY uni(s.pk, 'benford-pick'), s.pk LIMIT ${k}`);
  await conn.run(`INSERT INTO ov (i, kind, qty, mass, value)
    WITH l AS (
      SELECT b.i, b.qty, b.mass, b.value::DOUBLE AS v, b.value::DOUBLE / b.qty::DOUBLE AS price, h.unit, pick.mode
      FROM ${FREE_LINES} b JOIN pick ON b.imp_pk = pick.pk JOIN hs h ON h.hs_idx = b.hs_idx
      WHERE b.flow = 'import'
    ), t AS (
      SELECT l.*, v / pow(10, floor(log10(v))) AS mantissa,
        CASE WHEN mode = 'high' THEN 5 + 4.99 * uni(i, 'benford-digit')
             ELSE 1 + floor(9 * uni(i, 'benford-digit')) + 0.99 * uni(i, 'benford-fraction') END AS target
      FROM l
    ), q AS (
      SELECT t.*, ${quantitySql('qty::DOUBLE * target / mantissa', 'unit')} AS q2 FROM t
    )
    SELECT i, 'benford', q2, ${rescaledMassSql('mass', 'qty', 'q2', 'unit')}, greatest(0.01, round(price * q2, 2)) FROM q`);
  await applyOverrides(conn);
  await reserveParties(conn, 'benford', 'SELECT pk FROM pick');
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, party_pk, partner, detail)
    SELECT 'benford', 'party', pk, NULL,
      printf('first digits of its %d import values forced %s', n,
             CASE mode WHEN 'high' THEN 'onto 5-9' ELSE 'to a uniform 1-9' END)
    FROM pick`);
}
