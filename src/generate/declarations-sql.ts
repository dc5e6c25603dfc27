// The clean declarations: `decl` (one row per declaration) and `base` (one row per goods line, with the
// declaration attributes copied onto it). Lines are numbered 0..rows-1 by `i` in declaration order, and
// every attribute is a pure function of (seed, d) or (seed, i), so the table is the same whatever the
// thread schedule. Anomaly injection later rewrites a few rows of `base` in place.
import type { DuckDBConnection } from '@duckdb/node-api';
import { poolOffsets } from './dimensions.ts';
import { linePriceSql, massSql, quantitySql, valueSql } from './line-pricing.ts';
import { SKEW, type Sizing } from './sizing.ts';

/** Share of declarations that are imports; the rest are exports. */
const IMPORT_SHARE = 0.75;
/** Share of sea imports from an origin with a hub that are transshipped through it. */
const HUB_SHARE = 0.12;
/**
 * Spread (log space) of line values around 8,000 USD: wide enough that a party's values span orders of
 * magnitude and follow Benford's law, narrow enough that a clean month rarely looks like a surge.
 */
const LINE_VALUE_SIGMA = 1.15;

export async function createDeclarations(conn: DuckDBConnection, size: Sizing): Promise<void> {
  const off = poolOffsets(size);
  await conn.run(`CREATE TABLE decl AS
    WITH d0 AS (
      SELECT range AS d, uni(range, 'lines') AS u FROM range(${size.declarations})
    ), d1 AS (
      SELECT d, CASE WHEN u < 0.45 THEN 1 WHEN u < 0.70 THEN 2 WHEN u < 0.85 THEN 3 WHEN u < 0.95 THEN 4 ELSE 5 END AS nl FROM d0
    ), d2 AS (
      SELECT d, nl, sum(nl) OVER (ORDER BY d ROWS UNBOUNDED PRECEDING) - nl AS start FROM d1
    ), d3 AS (
      SELECT d, nl, start, uni(d, 'flow') < ${IMPORT_SHARE} AS is_imp, uni(d, 'day') AS uday, uni(d, 'port') AS uport,
             uni(d, 'mode') AS umode
      FROM d2 WHERE start < ${size.rows}
    ), d4 AS (
      SELECT d3.*, CASE WHEN is_imp THEN ${off.usImporters} + zipf(${size.usImporters}, uni(d, 'us-party'), ${SKEW.usImporters})
                        ELSE ${off.usExporters} + zipf(${size.usExporters}, uni(d, 'us-party'), ${SKEW.usExporters}) END AS us_pk
      FROM d3
    ), d5 AS (
      -- The declaration's product chapter is one of the US party's home chapters (the first most often).
      SELECT d4.*, [p.ch1, p.ch2, p.ch3, p.ch4][1 + zipf(p.n_ch, uni(d4.d, 'slot'), ${SKEW.slot})] AS ch
      FROM d4 JOIN parties p ON p.pk = d4.us_pk
    ), d6 AS (
      -- Each US party has up to three regular counterparties per chapter: the key repeats across its
      -- declarations, so relationships are stable and big suppliers serve many importers.
      SELECT d5.*, CASE WHEN is_imp THEN 'sup' ELSE 'buy' END AS cpool,
        zipf(pc.n, uni(d5.us_pk::BIGINT * 1000 + d5.ch * 4 + floor(3 * uni(d5.d, 'relationship'))::INT, 'counterparty'), ${SKEW.counterparty}) AS cp_rank
      FROM d5 JOIN pool_ch pc ON pc.pool = CASE WHEN d5.is_imp THEN 'sup' ELSE 'buy' END AND pc.ch = d5.ch
    ), d7 AS (
      SELECT d6.*, c.pk AS cp_pk, c.country AS cp_country, ct.region, ct.hub
      FROM d6 JOIN parties c ON c.pool = d6.cpool AND c.ch1 = d6.ch AND c.rank_in_ch = d6.cp_rank
      JOIN countries ct ON ct.code = c.country
    ), d8 AS (
      SELECT d7.*,
        CASE WHEN cp_country = 'MX' AND umode < 0.80 THEN 'land-mx'
             WHEN cp_country = 'CA' AND umode < 0.85 THEN 'land-ca'
             WHEN umode > 0.88 THEN 'air'
             ELSE 'sea:' || region END AS want
      FROM d7
    )
    SELECT d8.d, d8.nl, d8.start, d8.ch, days.day AS date,
      CASE WHEN is_imp THEN 'import' ELSE 'export' END AS flow,
      (CASE WHEN is_imp THEN us_pk ELSE cp_pk END)::INT AS imp_pk,
      (CASE WHEN is_imp THEN cp_pk ELSE us_pk END)::INT AS exp_pk,
      CASE WHEN is_imp THEN cp_country ELSE 'US' END AS origin,
      CASE WHEN NOT is_imp THEN NULL
           WHEN hub IS NOT NULL AND pp.cls = 'sea' AND uni(d8.d, 'hub') < ${HUB_SHARE} THEN hub
           ELSE cp_country END AS departure,
      CASE WHEN is_imp THEN NULL ELSE cp_country END AS destination,
      pp.port_code AS port,
      CASE WHEN pp.cls LIKE 'land%' THEN CASE WHEN uni(d8.d, 'rail') < 0.22 THEN 'rail' ELSE 'road' END
           ELSE pp.cls END AS mode,
      zipf(${size.brokers}, uni(d8.d, 'broker'), ${SKEW.brokers})::INT AS broker
    FROM d8
    JOIN port_key_map km ON km.want = d8.want
    ASOF JOIN days ON d8.uday >= days.lo
    ASOF JOIN port_pick pp ON pp.key = km.use AND d8.uport >= pp.lo`);

  await conn.run(`CREATE TABLE base AS
    WITH l0 AS (
      SELECT decl.*, unnest(range(nl)) AS k FROM decl
    ), l1 AS (
      SELECT (start + k)::BIGINT AS i, (k + 1)::INT AS line_no, l0.* EXCLUDE (k, start)
      FROM l0 WHERE start + k < ${size.rows}
    ), l2 AS (
      SELECT l1.*, hc.hs_idx
      FROM (SELECT l1.*, uni(l1.i, 'product') AS uprod FROM l1) l1 ASOF JOIN hs_cum hc ON hc.ch = l1.ch AND l1.uprod >= hc.lo
    ), l3 AS (
      -- Line values are log-normal around 8,000 USD; the quantity follows from value / unit price.
      SELECT l2.*, h.unit, h.kg_unit, ${linePriceSql('l2.i', 'pr.ref')} AS price,
        greatest(25.0, exp(ln(8000) + ${LINE_VALUE_SIGMA} * nrm(l2.i, 'line-value'))) AS target
      FROM l2 JOIN hs h ON h.hs_idx = l2.hs_idx
      JOIN price_ref pr ON pr.hs_idx = h.hs_idx AND pr.country = l2.origin
    ), l4 AS (
      SELECT l3.*, ${quantitySql('target / price', 'unit')} AS q FROM l3
    )
    SELECT i, d, line_no, nl, flow, date, imp_pk, exp_pk, origin, departure, destination, port, mode, broker,
      ch, hs_idx,
      q::DECIMAL(18,3) AS qty,
      ${massSql('i', 'q', 'unit', 'kg_unit')}::DECIMAL(18,3) AS mass,
      -- A few clerks declare round thousands: the natural base rate the round-values detector compares with.
      (CASE WHEN uni(i, 'natural-round') < 0.004 AND price * q >= 10000 THEN round(price * q, -3)
            ELSE ${valueSql('price', 'q')} END)::DECIMAL(18,2) AS value,
      false AS anom, true AS free
    FROM l4`);

  // Transshipment is a logistics habit, not a one-off: a hub route survives only where it carries at
  // least 2 % of the hs6's import lines, elsewhere those goods ship direct. Clean data then has no rare
  // transshipment route, and every rare one is an injected `routing` anomaly.
  await conn.run(`UPDATE base SET departure = base.origin
    FROM (
      SELECT r.hs_idx, r.origin, r.departure FROM (
        SELECT hs_idx, origin, departure, count(*) AS c FROM base
        WHERE flow = 'import' AND departure <> origin GROUP BY ALL) r
      JOIN (SELECT hs_idx, count(*) AS n FROM base WHERE flow = 'import' GROUP BY hs_idx) h USING (hs_idx)
      WHERE r.c < 0.02 * h.n
    ) rare
    WHERE base.flow = 'import' AND base.hs_idx = rare.hs_idx AND base.origin = rare.origin AND base.departure = rare.departure`);

  const reader = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM base`);
  const n = Number(reader.getRowObjectsJS()[0]?.['n']);
  if (n !== size.rows) throw new Error(`generator: produced ${n} lines instead of ${size.rows}`);
}
