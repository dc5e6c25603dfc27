// circular-trade: goods of one hs6 go round three parties within a year. With a single reporter every
// recorded movement crosses the US border, so the cycle is written as three single-line declarations
// whose exporter_id -> importer_id pairs close the loop: A (US importer) exports to B; B ships to C, who
// imports as a non-resident importer of record; C ships back to A. Clean data never links two foreign
// parties nor has a US importer exporting, so no cycle exists except the planted ones.
import { FREE_LINES, applyOverrides, reserveParties, type InjectionContext } from './anomaly-ledger.ts';
import { linePriceSql, massSql, quantitySql, valueSql } from './line-pricing.ts';
import { sqlString } from './sql-literal.ts';

export async function injectCircularTrade(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const cycles = ctx.plan['circular-trade'];
  if (cycles <= 0) return;
  const start = sqlString(ctx.start);
  await conn.run(`CREATE OR REPLACE TEMP TABLE active AS
    SELECT pk, count(*) AS n FROM (SELECT imp_pk AS pk FROM ${FREE_LINES} UNION ALL SELECT exp_pk FROM ${FREE_LINES}) GROUP BY pk`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE cyc AS
    WITH a AS (
      SELECT p.pk, row_number() OVER (ORDER BY uni(p.pk, 'cycle-a'), p.pk) AS c
      FROM parties p JOIN active USING (pk) WHERE p.pool = 'usimp' AND active.n >= 5 AND p.pk NOT IN (SELECT pk FROM reserved)
    ), f AS (
      SELECT p.pk, row_number() OVER (ORDER BY uni(p.pk, 'cycle-bc'), p.pk) AS r
      FROM parties p JOIN active USING (pk) WHERE p.pool = 'sup' AND active.n >= 3 AND p.pk NOT IN (SELECT pk FROM reserved)
    ), span AS (
      SELECT (DATE ${start} + INTERVAL ${ctx.months} MONTH)::DATE - 1 AS last_day,
        datediff('day', DATE ${start}, (DATE ${start} + INTERVAL ${ctx.months} MONTH)::DATE) AS days
    ), trio AS (
      SELECT a.c, a.pk AS a_pk, b.pk AS b_pk, cc.pk AS c_pk, pb.country AS b_country, pc.country AS c_country,
        pb.ch1 AS ch, uni(a.c, 'cycle-hs') AS uhs
      FROM a JOIN f b ON b.r = 2 * a.c - 1 JOIN f cc ON cc.r = 2 * a.c
      JOIN parties pb ON pb.pk = b.pk JOIN parties pc ON pc.pk = cc.pk
      WHERE a.c <= ${cycles}
    )
    SELECT trio.* EXCLUDE (uhs), h.hs_idx, span.last_day,
      (DATE ${start} + floor(uni(trio.c, 'cycle-t1') * greatest(1, span.days - 200))::INT)::DATE AS t1,
      30 + floor(60 * uni(trio.c, 'cycle-t2'))::INT AS gap2, 30 + floor(60 * uni(trio.c, 'cycle-t3'))::INT AS gap3,
      exp(ln(20000) + 2.3 * uni(trio.c, 'cycle-value')) AS target
    FROM trio CROSS JOIN span
    ASOF JOIN hs_cum h ON h.ch = trio.ch AND trio.uhs >= h.lo`);
  // Three free single-line declarations per cycle are rewritten into the legs.
  await conn.run(`CREATE OR REPLACE TEMP TABLE legs AS
    WITH slots AS (
      SELECT b.i, row_number() OVER (ORDER BY uni(b.i, 'cycle-slot'), b.i) AS s
      FROM ${FREE_LINES} b WHERE b.nl = 1
    )
    SELECT s.i, cyc.*, ((s.s - 1) % 3 + 1)::INT AS leg FROM slots s JOIN cyc ON cyc.c = (s.s - 1) // 3 + 1
    WHERE s.s <= 3 * (SELECT count(*) FROM cyc)`);
  await conn.run(`INSERT INTO ov (i, kind, set_route, flow, date, imp_pk, exp_pk, origin, departure, destination,
                                  port, mode, ch, hs_idx, qty, mass, value)
    WITH l AS (
      SELECT legs.*,
        CASE leg WHEN 1 THEN 'export' ELSE 'import' END AS flow,
        least(last_day, CASE leg WHEN 1 THEN t1 WHEN 2 THEN t1 + gap2 ELSE t1 + gap2 + gap3 END) AS date,
        CASE leg WHEN 1 THEN b_pk WHEN 2 THEN c_pk ELSE a_pk END AS imp_pk,
        CASE leg WHEN 1 THEN a_pk WHEN 2 THEN b_pk ELSE c_pk END AS exp_pk,
        CASE leg WHEN 1 THEN 'US' WHEN 2 THEN b_country ELSE c_country END AS origin,
        CASE leg WHEN 1 THEN b_country WHEN 2 THEN b_country ELSE c_country END AS abroad
      FROM legs
    ), priced AS (
      SELECT l.* EXCLUDE (ch), h.unit, h.kg_unit, h.ch, ${linePriceSql('l.i', 'pr.ref')} AS price, ref_us.ref AS ref_us, ct.region
      FROM l JOIN hs h ON h.hs_idx = l.hs_idx JOIN price_ref pr ON pr.hs_idx = l.hs_idx AND pr.country = l.origin
      JOIN price_ref ref_us ON ref_us.hs_idx = l.hs_idx AND ref_us.country = 'US'
      JOIN countries ct ON ct.code = l.abroad
    ), q AS (
      -- The same quantity travels on every leg of a cycle.
      SELECT priced.*, ${quantitySql('target / ref_us', 'unit')} AS q2, uni(priced.i, 'cycle-port') AS uport FROM priced
    )
    SELECT q.i, 'circular-trade', true, q.flow, q.date, q.imp_pk, q.exp_pk, q.origin,
      CASE WHEN q.flow = 'import' THEN q.abroad END, CASE WHEN q.flow = 'export' THEN q.abroad END,
      pp.port_code, 'sea', q.ch, q.hs_idx, q2, ${massSql('q.i', 'q2', 'unit', 'kg_unit')}, ${valueSql('price', 'q2')}
    FROM q JOIN port_key_map km ON km.want = 'sea:' || q.region
    ASOF JOIN port_pick pp ON pp.key = km.use AND q.uport >= pp.lo`);
  await applyOverrides(conn);
  await reserveParties(conn, 'circular-trade', 'SELECT a_pk AS pk FROM cyc UNION ALL SELECT b_pk FROM cyc UNION ALL SELECT c_pk FROM cyc');
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, i, d, line_no, party_pk, partner, hs, period, detail)
    SELECT 'circular-trade', 'line', b.i, b.d, b.line_no, b.exp_pk, coalesce(b.departure, b.destination), h.hs6,
      strftime(b.date, '%Y-%m'),
      printf('cycle %d leg %d/3 of %s -> %s -> %s -> %s in hs4 %s within %d days', legs.c, legs.leg,
             pa.id, pb.id, pc.id, pa.id, h.hs4, legs.gap2 + legs.gap3)
    FROM legs JOIN base b ON b.i = legs.i JOIN hs h ON h.hs_idx = b.hs_idx
    JOIN parties pa ON pa.pk = legs.a_pk JOIN parties pb ON pb.pk = legs.b_pk JOIN parties pc ON pc.pk = legs.c_pk`);
}
