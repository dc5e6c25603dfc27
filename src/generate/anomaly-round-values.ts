// round-values: an importer x hs6 group in which most larger values (10,000 USD and up) are declared
// as round thousands, against a natural rate of 0.4 % (declarations-sql.ts). For continuous units the
// quantity is adjusted so the unit price is unchanged; for pieces the price moves by at most 5 %.
import { FREE_LINES, applyOverrides, reserveParties, type InjectionContext } from './anomaly-ledger.ts';
import { rescaledMassSql } from './line-pricing.ts';

export async function injectRoundValues(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const k = ctx.plan['round-values'];
  if (k <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    WITH g AS (
      SELECT imp_pk AS pk, hs_idx, count(*) AS n, count(*) FILTER (WHERE value >= 10000) AS big
      FROM ${FREE_LINES} WHERE flow = 'import' GROUP BY imp_pk, hs_idx
    )
    SELECT g.* FROM g JOIN parties p USING (pk)
    WHERE p.pool = 'usimp' AND g.big >= 15
    QUALIFY row_number() OVER (PARTITION BY g.pk ORDER BY uni(g.pk::BIGINT * 1000 + g.hs_idx, 'round-group'), g.hs_idx) = 1
    ORDER BY uni(g.pk, 'round-pick'), g.pk LIMIT ${k}`);
  await conn.run(`INSERT INTO ov (i, kind, qty, mass, value)
    WITH l AS (
      SELECT b.i, b.qty, b.mass, b.value, round(b.value, -3)::DECIMAL(18,2) AS v2, h.unit
      FROM ${FREE_LINES} b JOIN pick ON b.imp_pk = pick.pk AND b.hs_idx = pick.hs_idx JOIN hs h ON h.hs_idx = b.hs_idx
      WHERE b.flow = 'import' AND b.value >= 10000
    ), q AS (
      SELECT l.*, CASE WHEN unit IN ('NO', 'L') THEN qty::DOUBLE
                       ELSE greatest(0.01, round(qty::DOUBLE * v2::DOUBLE / value::DOUBLE, 2)) END AS q2
      FROM l
    )
    SELECT i, 'round-values', q2, ${rescaledMassSql('mass', 'qty', 'q2', 'unit')}, v2 FROM q`);
  await applyOverrides(conn);
  await reserveParties(conn, 'round-values', 'SELECT pk FROM pick');
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, party_pk, hs, detail)
    SELECT 'round-values', 'party', pick.pk, h.hs6,
      printf('%d of its %d import values for hs6 %s are multiples of 1,000', r.k, pick.n, h.hs6)
    FROM pick JOIN hs h USING (hs_idx)
    JOIN (SELECT imp_pk AS pk, hs_idx, count(*) FILTER (WHERE value % 1000 = 0) AS k FROM base WHERE flow = 'import'
          GROUP BY imp_pk, hs_idx) r ON r.pk = pick.pk AND r.hs_idx = pick.hs_idx`);
}
