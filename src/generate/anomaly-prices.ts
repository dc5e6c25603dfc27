// price-iqr, price-robust-z and value-per-kg: single lines whose unit price or value per kg is far from
// their hs6 x origin x flow group. Candidates come only from groups with n >= 8 overall and within the
// trailing 12 months, and at most one line in eight of a group is rewritten. Rewriting k <= n/8 lines can
// move a quartile at most k ranks, i.e. no further than the clean group's 12.5 % / 87.5 % quantiles, so
// each factor is chosen to clear the fences built on those worst-case quartiles (with a 10 % margin);
// a candidate that cannot clear them within x20 (lower fence at or below zero) is left clean. Clean noise
// is bounded (uniform, +-0.3 in log price), so over-invoicing by x5 or more nearly always qualifies.
import { FREE_LINES, applyOverrides, type InjectionContext } from './anomaly-ledger.ts';

export async function injectPriceAnomalies(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const kIqr = ctx.plan['price-iqr'];
  const kZ = ctx.plan['price-robust-z'];
  const kKg = ctx.plan['value-per-kg'];
  const total = kIqr + kZ + kKg;
  if (total <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE grp AS
    SELECT hs_idx, origin, flow, count(*) AS n,
      quantile_cont(value::DOUBLE / qty::DOUBLE, [0.125, 0.25, 0.75, 0.875]) AS pq,
      quantile_cont(value::DOUBLE / mass::DOUBLE, [0.125, 0.25, 0.75, 0.875]) FILTER (WHERE mass > 0) AS kq
    FROM base GROUP BY hs_idx, origin, flow HAVING count(*) >= 8`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE grp_window AS
    WITH m AS (
      SELECT hs_idx, origin, flow, date_trunc('month', date)::DATE AS mon, count(*) AS c FROM base GROUP BY ALL
    )
    SELECT m.*, sum(c) OVER (PARTITION BY hs_idx, origin, flow ORDER BY mon
                             RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW) AS n12
    FROM m`);
  const preFilter = Math.min(1, (30 * total) / ctx.rows);
  await conn.run(`CREATE OR REPLACE TEMP TABLE cand AS
    WITH c AS (
      SELECT b.i, b.flow, b.value, b.qty, b.mass, g.n, g.pq[2] AS p1, g.pq[3] AS p3, g.kq[2] AS k1, g.kq[3] AS k3,
        b.value::DOUBLE / b.qty::DOUBLE AS price, b.value::DOUBLE / b.mass::DOUBLE AS vpk,
        g.pq[4] + 1.5 * (g.pq[4] - g.pq[1]) AS upper_fence, g.pq[1] - 1.5 * (g.pq[4] - g.pq[1]) AS lower_fence,
        g.kq[1] - 1.5 * (g.kq[4] - g.kq[1]) AS kg_lower,
        b.hs_idx, b.origin
      FROM ${FREE_LINES} b
      JOIN grp g ON g.hs_idx = b.hs_idx AND g.origin = b.origin AND g.flow = b.flow
      JOIN grp_window w ON w.hs_idx = b.hs_idx AND w.origin = b.origin AND w.flow = b.flow
                       AND w.mon = date_trunc('month', b.date) AND w.n12 >= 8
      WHERE b.mass > 0 AND uni(b.i, 'price-prefilter') < ${preFilter}
      QUALIFY row_number() OVER (PARTITION BY b.hs_idx, b.origin, b.flow ORDER BY uni(b.i, 'price-cap'), b.i) <= g.n // 8
    ), f AS (
      -- Over-invoiced imports and under-invoiced exports (outflow) for price-iqr.
      SELECT c.*, 5 + 15 * uni(i, 'iqr-factor') AS m0,
        CASE WHEN flow = 'import' THEN 1.1 * upper_fence / price
             WHEN lower_fence > 0 THEN price / (0.9 * lower_fence) END AS m_needed
      FROM c
    )
    SELECT f.*, greatest(m0, m_needed) AS iqr_factor,
      (m_needed IS NOT NULL AND greatest(m0, m_needed) <= 20) AS iqr_ok,
      row_number() OVER (ORDER BY uni(i, 'price-order'), i) AS rn
    FROM f`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE chosen AS
    WITH iqr AS (
      SELECT i, 'price-iqr' AS kind FROM cand WHERE iqr_ok ORDER BY rn LIMIT ${kIqr}
    ), rest AS (
      SELECT i, row_number() OVER (ORDER BY rn) AS rn2 FROM cand WHERE i NOT IN (SELECT i FROM iqr)
    )
    SELECT i, kind FROM iqr
    UNION ALL SELECT i, 'price-robust-z' FROM rest WHERE rn2 <= ${kZ}
    UNION ALL SELECT i, 'value-per-kg' FROM rest WHERE rn2 > ${kZ} AND rn2 <= ${kZ + kKg}`);
  // value-per-kg: a third are phantom shipments (net mass 0), the rest move value/kg by x8-30: upwards
  // (clean value/kg spans less than x2.1, so x8 clears any fence) or, where the worst-case lower fence
  // leaves room, downwards.
  await conn.run(`CREATE OR REPLACE TEMP TABLE rewrite AS
    WITH c AS (
      SELECT cand.*, chosen.kind,
        row_number() OVER (PARTITION BY chosen.kind ORDER BY cand.rn) AS krn,
        10 + 30 * uni(cand.i, 'z-factor') AS z_factor,
        8 + 22 * uni(cand.i, 'kg-factor') AS kg_factor
      FROM cand JOIN chosen USING (i)
    )
    SELECT c.*,
      CASE WHEN kind = 'value-per-kg' AND krn <= ceil(${kKg} / 3.0) THEN 'phantom'
           WHEN kind = 'value-per-kg' AND uni(i, 'kg-direction') < 0.5 AND kg_lower > 0 AND vpk / kg_factor < 0.9 * kg_lower THEN 'heavy'
           WHEN kind = 'value-per-kg' THEN 'light'
           WHEN kind = 'price-iqr' AND flow = 'import' THEN 'over'
           WHEN kind = 'price-iqr' THEN 'under'
           WHEN flow = 'import' THEN 'under'
           ELSE 'over' END AS direction,
      CASE kind WHEN 'price-iqr' THEN iqr_factor WHEN 'price-robust-z' THEN z_factor ELSE kg_factor END AS factor
    FROM c`);
  await conn.run(`INSERT INTO ov (i, kind, mass, value)
    SELECT i, kind,
      CASE direction WHEN 'phantom' THEN 0 WHEN 'heavy' THEN round(mass::DOUBLE * factor, 3)
                     WHEN 'light' THEN greatest(0.001, round(mass::DOUBLE / factor, 3)) END,
      CASE direction WHEN 'over' THEN round(value::DOUBLE * factor, 2)
                     WHEN 'under' THEN greatest(0.01, round(value::DOUBLE / factor, 2)) END
    FROM rewrite`);
  await applyOverrides(conn);
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, i, d, line_no, party_pk, partner, hs, period, detail)
    SELECT r.kind, 'line', b.i, b.d, b.line_no, CASE WHEN b.flow = 'import' THEN b.imp_pk ELSE b.exp_pk END,
      CASE WHEN b.flow = 'import' THEN b.origin ELSE b.destination END, h.hs6, strftime(b.date, '%Y-%m'),
      CASE r.direction
        WHEN 'phantom' THEN printf('phantom shipment: net mass 0 kg for a declared value of %.2f USD', b.value::DOUBLE)
        WHEN 'light' THEN printf('net mass divided by %.1f: value per kg x%.1f its group (Q3 %.2f USD/kg)', r.factor, r.factor, r.k3)
        WHEN 'heavy' THEN printf('net mass multiplied by %.1f: value per kg /%.1f its group (Q1 %.2f USD/kg)', r.factor, r.factor, r.k1)
        WHEN 'over' THEN printf('unit price x%.1f of its group: %.4g vs Q1 %.4g, Q3 %.4g USD per %s (n = %d)',
                                r.factor, b.value::DOUBLE / b.qty::DOUBLE, r.p1, r.p3, h.unit, r.n)
        ELSE printf('unit price /%.1f of its group: %.4g vs Q1 %.4g, Q3 %.4g USD per %s (n = %d)',
                    r.factor, b.value::DOUBLE / b.qty::DOUBLE, r.p1, r.p3, h.unit, r.n) END
    FROM rewrite r JOIN base b ON b.i = r.i JOIN hs h ON h.hs_idx = b.hs_idx`);
}
