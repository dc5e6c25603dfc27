// party-surge: an importer with a full 12-month history whose import value in one month jumps to
// 12-20x its 12-month median (the detector needs > 10x the median and > median + 5 MAD; MAD never
// exceeds the median for positive values, so 12x clears both). Quantities and masses of that month's
// lines are scaled, leaving unit prices normal.
import { FREE_LINES, IMPORTERS_WITH_BLOCKED_LINES, applyOverrides, reserveParties, type InjectionContext } from './anomaly-ledger.ts';
import { quantitySql, rescaledMassSql } from './line-pricing.ts';

export async function injectPartySurge(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const k = ctx.plan['party-surge'];
  if (k <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    WITH pm AS (
      SELECT imp_pk AS pk, date_trunc('month', date)::DATE AS mon, sum(value)::DOUBLE AS v
      FROM base WHERE flow = 'import' AND imp_pk NOT IN ${IMPORTERS_WITH_BLOCKED_LINES}
      GROUP BY imp_pk, date_trunc('month', date)
    ), w AS (
      SELECT pm.*,
        count(*) OVER prev AS prev_n, median(v) OVER prev AS prev_med
      FROM pm
      WINDOW prev AS (PARTITION BY pk ORDER BY mon RANGE BETWEEN INTERVAL 12 MONTH PRECEDING AND INTERVAL 1 MONTH PRECEDING)
    )
    SELECT w.pk, w.mon, w.v, w.prev_med,
      greatest((12 + 8 * uni(w.pk, 'surge-size')) * w.prev_med / w.v, 1.5) AS factor
    FROM w JOIN parties p USING (pk)
    WHERE p.pool = 'usimp' AND w.prev_n = 12
    QUALIFY row_number() OVER (PARTITION BY w.pk ORDER BY uni(w.pk::BIGINT * 100000 + year(w.mon) * 12 + month(w.mon), 'surge-month'), w.mon) = 1
    ORDER BY uni(w.pk, 'surge-pick'), w.pk LIMIT ${k}`);
  await conn.run(`INSERT INTO ov (i, kind, qty, mass, value)
    WITH l AS (
      SELECT b.i, b.qty, b.mass, b.value::DOUBLE / b.qty::DOUBLE AS price, h.unit, pick.factor
      FROM ${FREE_LINES} b JOIN pick ON b.imp_pk = pick.pk AND date_trunc('month', b.date) = pick.mon
      JOIN hs h ON h.hs_idx = b.hs_idx
      WHERE b.flow = 'import'
    ), q AS (SELECT l.*, ${quantitySql('qty::DOUBLE * factor', 'unit')} AS q2 FROM l)
    SELECT i, 'party-surge', q2, ${rescaledMassSql('mass', 'qty', 'q2', 'unit')}, greatest(0.01, round(price * q2, 2)) FROM q`);
  await applyOverrides(conn);
  await reserveParties(conn, 'party-surge', 'SELECT pk FROM pick');
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, party_pk, period, detail)
    SELECT 'party-surge', 'party', pick.pk, strftime(pick.mon, '%Y-%m'),
      printf('import value %.2f USD in %s is x%.1f its 12-month median of %.2f USD', s.v, strftime(pick.mon, '%Y-%m'),
             s.v / pick.prev_med, pick.prev_med)
    FROM pick JOIN (
      SELECT imp_pk AS pk, date_trunc('month', date)::DATE AS mon, sum(value)::DOUBLE AS v FROM base WHERE flow = 'import'
      GROUP BY imp_pk, date_trunc('month', date)
    ) s ON s.pk = pick.pk AND s.mon = pick.mon`);
}
