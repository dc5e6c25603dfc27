// Mirror statistics: what each side of a country pair reports, per month and hs4. The US side is the sum
// of the generated declarations; the partner side is derived from it with the CIF/FOB factor 1.06 and up
// to 3 % reporting noise, in both directions (US imports vs partner exports, US exports vs partner
// imports). Quantities are net mass in KG on both sides. mirror-gap and mirror-quantity anomalies distort
// only the partner's export report of a large cell (US import value / 1.06 >= 250,000 USD), by 40-75 %,
// so the gap clears both the 25 % and the 100,000 USD thresholds while clean cells stay within 3 %.
import type { InjectionContext } from './anomaly-ledger.ts';

export const CIF_FOB = 1.06;
const NOISE = 0.03;
const MIN_ANOMALY_FOB = 250_000;

export async function createMirror(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  await conn.run(`CREATE TABLE mirror_cells AS
    SELECT b.flow AS us_flow, CASE WHEN b.flow = 'import' THEN b.origin ELSE b.destination END AS partner,
      h.hs4, strftime(b.date, '%Y-%m') AS period, sum(b.value) AS v, sum(b.mass) AS q
    FROM base b JOIN hs h USING (hs_idx)
    GROUP BY ALL`);
  await conn.run(`ALTER TABLE mirror_cells ADD COLUMN cell VARCHAR`);
  await conn.run(`UPDATE mirror_cells SET cell = us_flow || '|' || partner || '|' || hs4 || '|' || period`);
  await conn.run(`CREATE TABLE mirror_partner AS
    SELECT cell,
      round(CASE WHEN us_flow = 'import' THEN v::DOUBLE / ${CIF_FOB} ELSE v::DOUBLE * ${CIF_FOB} END
            * (1 + ${NOISE} * tri(cell, 'mirror-value')), 2)::DECIMAL(18,2) AS pv,
      round(q::DOUBLE * (1 + ${NOISE} * tri(cell, 'mirror-quantity')), 3)::DECIMAL(18,3) AS pq
    FROM mirror_cells`);

  const kGap = ctx.plan['mirror-gap'];
  const kQty = ctx.plan['mirror-quantity'];
  if (kGap + kQty <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    WITH c AS (
      SELECT m.*, row_number() OVER (ORDER BY uni(cell, 'mirror-pick'), cell) AS rn
      FROM mirror_cells m WHERE us_flow = 'import' AND v::DOUBLE / ${CIF_FOB} >= ${MIN_ANOMALY_FOB}
    )
    SELECT c.*, CASE WHEN rn <= ${kGap} THEN 'mirror-gap' ELSE 'mirror-quantity' END AS kind,
      0.4 + 0.35 * uni(cell, 'mirror-gap-size') AS g, uni(cell, 'mirror-direction') < 0.5 AS low
    FROM c WHERE rn <= ${kGap + kQty}`);
  await conn.run(`UPDATE mirror_partner SET
      pv = CASE WHEN p.kind = 'mirror-gap' THEN
             round(p.v::DOUBLE / ${CIF_FOB} * CASE WHEN p.low THEN 1 - p.g ELSE 1 / (1 - p.g) END, 2)::DECIMAL(18,2)
           ELSE mirror_partner.pv END,
      pq = CASE WHEN p.kind = 'mirror-quantity' THEN
             round(p.q::DOUBLE * CASE WHEN p.low THEN 1 - p.g ELSE 1 / (1 - p.g) END, 3)::DECIMAL(18,3)
           ELSE mirror_partner.pq END
    FROM pick p WHERE mirror_partner.cell = p.cell`);
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, partner, hs, period, detail)
    SELECT p.kind, 'mirror', p.partner, p.hs4, p.period,
      CASE p.kind
        WHEN 'mirror-gap' THEN printf('%s reports exports of %.2f USD FOB against US imports of %.2f USD CIF (%.2f at 1.06): gap %+.0f%%',
          p.partner, mp.pv::DOUBLE, p.v::DOUBLE, p.v::DOUBLE / ${CIF_FOB},
          100 * (p.v::DOUBLE / ${CIF_FOB} - mp.pv::DOUBLE) / greatest(p.v::DOUBLE / ${CIF_FOB}, mp.pv::DOUBLE))
        ELSE printf('%s reports %.3f kg against US %.3f kg (gap %+.0f%%) while values agree (%.2f vs %.2f USD at 1.06)',
          p.partner, mp.pq::DOUBLE, p.q::DOUBLE, 100 * (p.q::DOUBLE - mp.pq::DOUBLE) / greatest(p.q::DOUBLE, mp.pq::DOUBLE),
          mp.pv::DOUBLE, p.v::DOUBLE / ${CIF_FOB}) END
    FROM pick p JOIN mirror_partner mp USING (cell)`);
}
