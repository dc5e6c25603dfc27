// Dimension tables built once per run inside DuckDB: countries, chapters, products, calendar, ports,
// parties and brokers. They are small next to the lines (parties, the largest, number about one per
// seven lines), so they are created from VALUES lists and range(); every random attribute comes from the
// seeded macros in random-sql.ts, which makes each dimension row a pure function of (seed, its key).
import type { DuckDBConnection } from '@duckdb/node-api';
import { CHAPTER_COUNTRY_BOOST, COUNTRIES } from './countries.ts';
import { CHAPTERS, PRODUCTS } from './hs-catalog.ts';
import { partyNameSql } from './party-names.ts';
import {
  PORT_PROFILES,
  SEA_REGION_AFFINITY,
  SEA_REGION_FACTOR,
  UNKNOWN_PORT_PROFILE,
} from './ports.ts';
import type { Sizing } from './sizing.ts';
import { sqlList, sqlNumber, sqlString, sqlValues } from './sql-literal.ts';

/** Offsets of the four party pools inside the single `parties` key space (pk). */
export interface PoolOffsets {
  usImporters: number;
  suppliers: number;
  usExporters: number;
  buyers: number;
  total: number;
}

export function poolOffsets(size: Sizing): PoolOffsets {
  const usImporters = 0;
  const suppliers = usImporters + size.usImporters;
  const usExporters = suppliers + size.suppliers;
  const buyers = usExporters + size.usExporters;
  return { usImporters, suppliers, usExporters, buyers, total: buyers + size.buyers };
}

/** Calendar-month weights: a February dip and an October-November peak (holiday stock). */
const SEASON = [0.95, 0.82, 1.0, 0.97, 1.0, 0.98, 1.02, 1.05, 1.08, 1.15, 1.12, 0.98];

export async function createDimensions(
  conn: DuckDBConnection,
  opts: { seed: number; start: string; months: number; size: Sizing; portsFile: string },
): Promise<void> {
  const { seed, start, months, size } = opts;
  const off = poolOffsets(size);

  await conn.run(`CREATE TABLE countries AS
    SELECT code::VARCHAR AS code, cidx::INT AS cidx, imp_w::DOUBLE AS imp_w, exp_w::DOUBLE AS exp_w,
           region::VARCHAR AS region, price_level::DOUBLE AS price_level, hub::VARCHAR AS hub
    FROM (VALUES ${sqlValues(COUNTRIES.map((c, i) => [c.code, i, c.importWeight, c.exportWeight, c.region, c.priceLevel, c.hub]))})
      t(code, cidx, imp_w, exp_w, region, price_level, hub)`);

  const chapterRows = CHAPTERS.map(
    (c) =>
      `(${c.chapter}, ${sqlList(c.sector)}, ${sqlNumber(c.importWeight)}, ${sqlNumber(c.exportWeight)}, ` +
      `[${c.taxRates.map(sqlNumber).join(', ')}]::DOUBLE[])`,
  );
  await conn.run(`CREATE TABLE chapters AS SELECT ch::INT AS ch, sector, imp_w::DOUBLE AS imp_w, exp_w::DOUBLE AS exp_w, tax
    FROM (VALUES ${chapterRows.join(',\n')}) t(ch, sector, imp_w, exp_w, tax)`);

  const cumulative = (name: string, source: string, key: string, weight: string, partition = '') =>
    conn.run(`CREATE TABLE ${name} AS
      SELECT ${partition ? `${partition}, ` : ''}${key},
        (sum(${weight}) OVER (${partition ? `PARTITION BY ${partition} ` : ''}ORDER BY ${key} ROWS UNBOUNDED PRECEDING) - ${weight})
          / sum(${weight}) OVER (${partition ? `PARTITION BY ${partition}` : ''}) AS lo
      FROM (${source}) s WHERE ${weight} > 0`);
  const known = new Set(CHAPTERS.map((c) => c.chapter));
  for (const p of PRODUCTS) {
    if (!known.has(Number(p.hs6.slice(0, 2)))) throw new Error(`hs-catalog: chapter of ${p.hs6} has no metadata`);
  }
  await conn.run(`CREATE TABLE hs AS
    WITH p AS (
      SELECT hs_idx::INT AS hs_idx, hs6::VARCHAR AS hs6, unit::VARCHAR AS unit, price::DOUBLE AS price,
             kgpu::DOUBLE AS kgpu, descr::VARCHAR AS descr
      FROM (VALUES ${sqlValues(PRODUCTS.map((p, i) => [i, p.hs6, p.unit, p.price, p.kgPerUnit, p.description]))})
        t(hs_idx, hs6, unit, price, kgpu, descr)
    )
    SELECT p.hs_idx, p.hs6, p.hs6[1:4] AS hs4, c.ch, p.unit, p.descr,
      p.price * exp(0.3 * nrm(p.hs_idx, 'hs-price')) AS base_price,
      CASE WHEN p.unit = 'KG' THEN 1.0 ELSE p.kgpu * exp(0.15 * nrm(p.hs_idx, 'hs-kg')) END AS kg_unit,
      c.tax[1 + (hash(${sqlNumber(seed)}::BIGINT, p.hs_idx, 'hs-tax') % len(c.tax))::INT]::DECIMAL(5,2) AS tax_rate,
      CASE WHEN uni(p.hs_idx, 'hs-len') < 0.3 THEN p.hs6
           WHEN uni(p.hs_idx, 'hs-len') < 0.6 THEN p.hs6 || printf('%02d', 10 * (1 + (hash(${sqlNumber(seed)}::BIGINT, p.hs_idx, 'hs-x8') % 9)))
           ELSE p.hs6 || printf('%02d', 10 * (1 + (hash(${sqlNumber(seed)}::BIGINT, p.hs_idx, 'hs-x8') % 9)))
                      || printf('%02d', 10 * (hash(${sqlNumber(seed)}::BIGINT, p.hs_idx, 'hs-x10') % 5)) END AS code,
      -- Cheaper goods ship more often: bolts before excavators, imitation jewellery before diamonds.
      pow(p.price, -0.35) * exp(0.7 * nrm(p.hs_idx, 'hs-popularity')) AS popularity
    FROM p JOIN chapters c ON c.ch = p.hs6[1:2]::INT`);
  await cumulative('hs_cum', 'SELECT ch, hs_idx, popularity AS w FROM hs', 'hs_idx', 'w', 'ch');

  // Origin-specific price level for every hs6: the country's general level times a per-pair factor.
  await conn.run(`CREATE TABLE price_ref AS
    SELECT h.hs_idx, c.code AS country,
           h.base_price * c.price_level * exp(0.12 * nrm(h.hs_idx * 1000 + c.cidx, 'origin-mult')) AS ref
    FROM hs h CROSS JOIN countries c`);

  await cumulative('chap_imp_cum', 'SELECT ch, imp_w AS w FROM chapters', 'ch', 'w');
  await cumulative('chap_exp_cum', 'SELECT ch, exp_w AS w FROM chapters', 'ch', 'w');
  await cumulative('ctry_buy_cum', 'SELECT code, exp_w AS w FROM countries', 'code', 'w');
  const boosts = Object.entries(CHAPTER_COUNTRY_BOOST).flatMap(([chapter, m]) =>
    Object.entries(m).map(([code, factor]) => [Number(chapter), code, factor] as const),
  );
  await conn.run(`CREATE TABLE chapter_boost AS SELECT ch::INT AS ch, code::VARCHAR AS code, f::DOUBLE AS f
    FROM (VALUES ${sqlValues(boosts)}) t(ch, code, f)`);
  await cumulative(
    'ctry_sup_cum',
    `SELECT ch.ch, c.code, c.imp_w * coalesce(b.f, 1.0) AS w
       FROM chapters ch CROSS JOIN countries c LEFT JOIN chapter_boost b ON b.ch = ch.ch AND b.code = c.code`,
    'code',
    'w',
    'ch',
  );

  await conn.run(`CREATE TABLE days AS
    WITH d AS (
      SELECT unnest(generate_series(DATE ${sqlString(start)}, (DATE ${sqlString(start)} + INTERVAL ${sqlNumber(months)} MONTH - INTERVAL 1 DAY)::DATE, INTERVAL 1 DAY))::DATE AS day
    ), w AS (
      SELECT day,
        [${SEASON.join(', ')}][month(day)] * (1 + 0.03 * datediff('day', DATE ${sqlString(start)}, day) / 365.0)
          * CASE WHEN dayofweek(day) IN (0, 6) THEN 0.12 ELSE 1.0 END AS w
      FROM d
    )
    SELECT day, (sum(w) OVER (ORDER BY day ROWS UNBOUNDED PRECEDING) - w) / sum(w) OVER () AS lo FROM w`);

  await createPorts(conn, opts.portsFile);

  // Parties: four pools in one key space. US importers and US exporters carry up to four "home" chapters
  // (only big companies trade several lines of business, and they trade every one of them from their
  // first months, so a new chapter is news); foreign suppliers and buyers specialise in one chapter,
  // and the first of each pool is pinned to each chapter in turn so that no chapter is left without one.
  const nChapters = CHAPTERS.length;
  await conn.run(`CREATE TABLE parties AS
    WITH p AS (
      SELECT range::INT AS pk,
        CASE WHEN range < ${off.suppliers} THEN 'usimp' WHEN range < ${off.usExporters} THEN 'sup'
             WHEN range < ${off.buyers} THEN 'usexp' ELSE 'buy' END AS pool,
        (range - CASE WHEN range < ${off.suppliers} THEN ${off.usImporters} WHEN range < ${off.usExporters} THEN ${off.suppliers}
                      WHEN range < ${off.buyers} THEN ${off.usExporters} ELSE ${off.buyers} END)::INT AS r
      FROM range(${off.total})
    ), pool_n AS (
      SELECT * FROM (VALUES ('usimp', ${size.usImporters}), ('sup', ${size.suppliers}), ('usexp', ${size.usExporters}), ('buy', ${size.buyers})) t(pool, n)
    ), chap_seq AS (
      SELECT ch, (row_number() OVER (ORDER BY ch) - 1)::INT AS i FROM chapters
    ), draws AS (
      SELECT p.*, pool_n.n, uni(p.pk, 'ch1') AS u1, uni(p.pk, 'ch2') AS u2, uni(p.pk, 'ch3') AS u3, uni(p.pk, 'ch4') AS u4,
             p.pool IN ('usimp', 'sup') AS imp_side
      FROM p JOIN pool_n USING (pool)
    ), c1 AS (
      SELECT d.*, coalesce(CASE WHEN d.pool IN ('sup', 'buy') AND d.r < ${nChapters} THEN s.ch END,
                           CASE WHEN d.imp_side THEN ci.ch ELSE ce.ch END) AS ch1
      FROM draws d
      ASOF LEFT JOIN chap_imp_cum ci ON d.u1 >= ci.lo
      ASOF LEFT JOIN chap_exp_cum ce ON d.u1 >= ce.lo
      LEFT JOIN chap_seq s ON s.i = d.r
    ), c2 AS (
      SELECT c1.*, CASE WHEN imp_side THEN ci2.ch ELSE ce2.ch END AS ch2,
                   CASE WHEN imp_side THEN ci3.ch ELSE ce3.ch END AS ch3,
                   CASE WHEN imp_side THEN ci4.ch ELSE ce4.ch END AS ch4
      FROM c1
      ASOF LEFT JOIN chap_imp_cum ci2 ON c1.u2 >= ci2.lo ASOF LEFT JOIN chap_exp_cum ce2 ON c1.u2 >= ce2.lo
      ASOF LEFT JOIN chap_imp_cum ci3 ON c1.u3 >= ci3.lo ASOF LEFT JOIN chap_exp_cum ce3 ON c1.u3 >= ce3.lo
      ASOF LEFT JOIN chap_imp_cum ci4 ON c1.u4 >= ci4.lo ASOF LEFT JOIN chap_exp_cum ce4 ON c1.u4 >= ce4.lo
    ), c3 AS (
      SELECT c2.*, uni(c2.pk, 'ctry') AS uc FROM c2
    ), geo AS (
      SELECT c3.*,
        CASE WHEN pool IN ('usimp', 'usexp') THEN 'US' WHEN pool = 'sup' THEN cs.code ELSE cb.code END AS country,
        CASE WHEN pool IN ('usimp', 'usexp') THEN
               CASE WHEN r < 0.002 * n THEN 4 WHEN r < 0.01 * n THEN 3 WHEN r < 0.08 * n THEN 2 ELSE 1 END
             ELSE 1 END AS n_ch
      FROM c3
      ASOF LEFT JOIN ctry_sup_cum cs ON cs.ch = c3.ch1 AND c3.uc >= cs.lo
      ASOF LEFT JOIN ctry_buy_cum cb ON c3.uc >= cb.lo
    ), ids AS (
      SELECT geo.*, CASE WHEN pool IN ('usimp', 'buy') THEN 'IMP' ELSE 'EXP' END AS prefix FROM geo
    )
    SELECT ids.pk, ids.pool, ids.r, ids.country, ids.ch1, ids.ch2, ids.ch3, ids.ch4, ids.n_ch,
      printf('%s%06d', prefix, row_number() OVER (PARTITION BY prefix ORDER BY uni(ids.pk, 'party-id'), ids.pk)) AS id,
      ${partyNameSql(seed, 'ids.pk', 'ids.country', 'ch.sector')} AS name,
      (CASE WHEN ids.pool IN ('sup', 'buy') THEN row_number() OVER (PARTITION BY ids.pool, ids.ch1 ORDER BY ids.pk) - 1 END)::INT AS rank_in_ch,
      chr(65 + (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic1') % 26)::INT) || chr(65 + (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic2') % 26)::INT)
        || chr(65 + (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic3') % 26)::INT) || chr(65 + (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic4') % 26)::INT) AS bic_bank,
      ('23456789ABCDEFGHJKLMNPQRSTUVWXYZ')[1 + (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic5') % 32)::INT]
        || ('0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')[1 + (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic6') % 34)::INT] AS bic_loc,
      CASE WHEN uni(ids.pk, 'bic-branch') < 0.55 THEN ''
           WHEN uni(ids.pk, 'bic-branch') < 0.8 THEN 'XXX'
           ELSE printf('%03d', (hash(${sqlNumber(seed)}::BIGINT, ids.pk, 'bic7') % 1000)::INT) END AS bic_branch
    FROM ids JOIN chapters ch ON ch.ch = ids.ch1`);
  await conn.run(`CREATE TABLE pool_ch AS
    SELECT pool, ch1 AS ch, count(*)::INT AS n FROM parties WHERE pool IN ('sup', 'buy') GROUP BY pool, ch1`);

  await conn.run(`CREATE TABLE brokers AS
    SELECT range::INT AS b, printf('BRK%04d', range + 1) AS id,
      chr(65 + (hash(${sqlNumber(seed)}::BIGINT, range, 'filer1') % 26)::INT) || chr(65 + (hash(${sqlNumber(seed)}::BIGINT, range, 'filer2') % 26)::INT)
        || ((hash(${sqlNumber(seed)}::BIGINT, range, 'filer3') % 10)::INT)::VARCHAR AS filer
    FROM range(${size.brokers})`);
}

async function createPorts(conn: DuckDBConnection, portsFile: string): Promise<void> {
  await conn.run(`CREATE TABLE us_ports AS
    SELECT trim(port_code) AS port_code, trim(coalesce(region, '')) AS region
    FROM read_csv(${sqlString(portsFile)}, header = true, all_varchar = true)
    WHERE trim(country) = 'US' AND port_code IS NOT NULL`);
  const profiles = Object.entries(PORT_PROFILES).map(([code, p]) => [code, p.cls, p.weight] as const);
  await conn.run(`CREATE TABLE port_profiles AS SELECT code::VARCHAR AS port_code, cls::VARCHAR AS cls, w::DOUBLE AS w
    FROM (VALUES ${sqlValues(profiles)}) t(code, cls, w)`);
  const groups = Object.entries(SEA_REGION_AFFINITY).map(([g, regions]) => `(${sqlString(g)}, ${sqlList(regions)})`);
  await conn.run(`CREATE TABLE sea_groups AS SELECT * FROM (VALUES ${groups.join(', ')}, ('domestic', []::VARCHAR[])) t(grp, regions)`);
  await conn.run(`CREATE TABLE port_pick AS
    WITH w AS (
      SELECT 'sea:' || g.grp AS key, p.port_code, 'sea' AS cls,
        coalesce(pp.w, ${sqlNumber(UNKNOWN_PORT_PROFILE.weight)}) * CASE WHEN list_contains(g.regions, p.region) THEN ${sqlNumber(SEA_REGION_FACTOR)} ELSE 1 END AS w
      FROM us_ports p LEFT JOIN port_profiles pp USING (port_code) CROSS JOIN sea_groups g
      WHERE coalesce(pp.cls, 'sea') = 'sea'
      UNION ALL
      SELECT pp.cls AS key, p.port_code, pp.cls, pp.w FROM us_ports p JOIN port_profiles pp USING (port_code) WHERE pp.cls <> 'sea'
    )
    SELECT key, port_code, cls,
      (sum(w) OVER (PARTITION BY key ORDER BY port_code ROWS UNBOUNDED PRECEDING) - w) / sum(w) OVER (PARTITION BY key) AS lo
    FROM w`);
  const reader = await conn.runAndReadAll(`SELECT DISTINCT key FROM port_pick`);
  const keys = new Set(reader.getRowObjectsJS().map((r) => String(r['key'])));
  if (!keys.has('sea:asia')) {
    throw new Error(`generator: ${portsFile} has no US sea ports (country = 'US'); cannot place shipments`);
  }
  // A ports file without border or air ports still works: those shipments fall back to sea ports.
  const fallback: [string, string][] = [
    ['air', 'sea:asia'],
    ['land-mx', 'sea:americas'],
    ['land-ca', 'sea:europe'],
  ];
  const mapRows = fallback.map(([want, alt]) => [want, keys.has(want) ? want : alt] as const);
  const seaKeys = [...keys].filter((k) => k.startsWith('sea:')).map((k) => [k, k] as const);
  await conn.run(`CREATE TABLE port_key_map AS SELECT want::VARCHAR AS want, use::VARCHAR AS use
    FROM (VALUES ${sqlValues([...mapRows, ...seaKeys])}) t(want, use)`);
}
