// routing: an import of origin O arrives from an entrepot D that no other line of that hs6 departs from
// (clean transshipment only goes through O's own hub, countries.ts), in an hs6 with 150+ import lines,
// so the route's share is below 1 % whether a route means D or the pair (O, D); its value is lifted to
// 2-4x the hs6 median by rescaling quantity, so the unit price stays normal.
import { FREE_LINES, applyOverrides, type InjectionContext } from './anomaly-ledger.ts';
import { ENTREPOTS } from './countries.ts';
import { quantitySql, rescaledMassSql } from './line-pricing.ts';
import { sqlList } from './sql-literal.ts';

export async function injectRouting(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const k = ctx.plan.routing;
  if (k <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE hs_imports AS
    SELECT hs_idx, count(*) AS n, median(value::DOUBLE) AS med, list(DISTINCT departure) AS departures
    FROM base WHERE flow = 'import' GROUP BY hs_idx`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    WITH c AS (
      SELECT b.i, b.d, b.hs_idx, b.origin, b.qty, b.mass, b.value, s.n, s.med,
        list_filter(${sqlList(ENTREPOTS)}, x -> x <> b.origin AND NOT list_contains(s.departures, x)) AS options,
        uni(b.i, 'route-entrepot') AS u, ct.region
      FROM ${FREE_LINES} b JOIN hs_imports s USING (hs_idx) JOIN countries ct ON ct.code = b.origin
      WHERE b.flow = 'import' AND b.nl = 1 AND s.n >= 150
    ), r AS (
      SELECT c.*, options[1 + floor(u * len(options))::INT] AS via FROM c WHERE len(options) > 0
    )
    SELECT * FROM r
    QUALIFY row_number() OVER (PARTITION BY hs_idx, via ORDER BY uni(i, 'route-pick'), i) = 1
    ORDER BY uni(i, 'route-pick'), i LIMIT ${k}`);
  await conn.run(`INSERT INTO ov (i, kind, set_route, origin, departure, destination, port, mode, qty, mass, value)
    WITH p AS (
      SELECT pick.*, h.unit, value::DOUBLE / qty::DOUBLE AS price,
        greatest(1.0, (2 + 2 * uni(pick.i, 'route-value')) * med / value::DOUBLE) AS factor,
        uni(pick.i, 'route-port') AS uport
      FROM pick JOIN hs h USING (hs_idx)
    ), q AS (SELECT p.*, ${quantitySql('qty::DOUBLE * factor', 'unit')} AS q2 FROM p)
    SELECT q.i, 'routing', true, q.origin, q.via, NULL, pp.port_code, 'sea', q2,
      ${rescaledMassSql('mass', 'qty', 'q2', 'unit')}, greatest(0.01, round(price * q2, 2))
    FROM q JOIN port_key_map km ON km.want = 'sea:' || q.region
    ASOF JOIN port_pick pp ON pp.key = km.use AND q.uport >= pp.lo`);
  await applyOverrides(conn);
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, i, d, line_no, party_pk, partner, hs, period, detail)
    SELECT 'routing', 'line', b.i, b.d, b.line_no, b.imp_pk, b.origin, h.hs6, strftime(b.date, '%Y-%m'),
      printf('origin %s shipped from %s, a route no other of the %d hs6 %s import lines uses; value x%.1f the hs6 median',
             b.origin, b.departure, pick.n, h.hs6, b.value::DOUBLE / pick.med)
    FROM pick JOIN base b ON b.i = pick.i JOIN hs h ON h.hs_idx = b.hs_idx`);
}
