// party-new-line: an established importer (30+ lines over 9+ months) files, after its first 8 months,
// a line in an HS chapter it never imports anywhere else in the data, at 3-7x its median line value.
// The new product is priced like any clean line of that hs6 x origin, so only the chapter is unusual.
import { FREE_LINES, IMPORTERS_WITH_BLOCKED_LINES, applyOverrides, reserveParties, type InjectionContext } from './anomaly-ledger.ts';
import { linePriceSql, massSql, quantitySql, valueSql } from './line-pricing.ts';

export async function injectPartyNewLine(ctx: InjectionContext): Promise<void> {
  const { conn } = ctx;
  const k = ctx.plan['party-new-line'];
  if (k <= 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE pstats AS
    SELECT b.imp_pk AS pk, count(*) AS n, min(b.date) AS first_date, max(b.date) AS last_date,
      median(b.value::DOUBLE) AS med, list_sort(list(DISTINCT b.ch)) AS chs
    FROM base b JOIN parties p ON p.pk = b.imp_pk
    WHERE b.flow = 'import' AND p.pool = 'usimp' AND b.imp_pk NOT IN ${IMPORTERS_WITH_BLOCKED_LINES}
    GROUP BY b.imp_pk
    HAVING count(*) >= 30 AND max(b.date) >= min(b.date) + INTERVAL 9 MONTH`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE pick AS
    WITH line AS (
      SELECT b.i, b.origin, s.*
      FROM ${FREE_LINES} b JOIN pstats s ON s.pk = b.imp_pk
      WHERE b.flow = 'import' AND b.nl = 1 AND b.date >= s.first_date + INTERVAL 8 MONTH
      QUALIFY row_number() OVER (PARTITION BY s.pk ORDER BY uni(b.i, 'newline-line'), b.i) = 1
    ), chosen AS (
      SELECT * FROM line ORDER BY uni(pk, 'newline-pick'), pk LIMIT ${k}
    ), new_ch AS (
      SELECT c.pk, ch.ch FROM chosen c CROSS JOIN chapters ch
      WHERE ch.imp_w > 0 AND NOT list_contains(c.chs, ch.ch)
      QUALIFY row_number() OVER (PARTITION BY c.pk ORDER BY uni(c.pk::BIGINT * 100 + ch.ch, 'newline-chapter'), ch.ch) = 1
    ), new_hs AS (
      SELECT n.pk, n.ch, h.hs_idx FROM new_ch n JOIN hs h ON h.ch = n.ch
      QUALIFY row_number() OVER (PARTITION BY n.pk ORDER BY uni(n.pk::BIGINT * 1000 + h.hs_idx, 'newline-hs'), h.hs_idx) = 1
    )
    SELECT c.*, n.ch AS new_ch, n.hs_idx AS new_hs FROM chosen c JOIN new_hs n USING (pk)`);
  await conn.run(`INSERT INTO ov (i, kind, ch, hs_idx, qty, mass, value)
    WITH p AS (
      SELECT pick.*, h.unit, h.kg_unit, ${linePriceSql('pick.i', 'pr.ref')} AS price,
        pick.med * (3 + 4 * uni(pick.i, 'newline-value')) AS target
      FROM pick JOIN hs h ON h.hs_idx = pick.new_hs JOIN price_ref pr ON pr.hs_idx = pick.new_hs AND pr.country = pick.origin
    ), q AS (SELECT p.*, ${quantitySql('target / price', 'unit')} AS q2 FROM p)
    SELECT i, 'party-new-line', new_ch, new_hs, q2, ${massSql('i', 'q2', 'unit', 'kg_unit')}, ${valueSql('price', 'q2')} FROM q`);
  await applyOverrides(conn);
  await reserveParties(conn, 'party-new-line', 'SELECT pk FROM pick');
  await conn.run(`INSERT INTO labels (anomaly, subject_kind, i, d, line_no, party_pk, partner, hs, period, detail)
    SELECT 'party-new-line', 'line', b.i, b.d, b.line_no, pick.pk, b.origin, h.hs6, strftime(b.date, '%Y-%m'),
      printf('first import in chapter %02d (its chapters: %s), value x%.1f its median line',
             pick.new_ch, array_to_string(list_transform(pick.chs, x -> printf('%02d', x)), ', '), b.value::DOUBLE / pick.med)
    FROM pick JOIN base b ON b.i = pick.i JOIN hs h ON h.hs_idx = b.hs_idx`);
}
