import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_IDS, generateDataset, type GenerateResult } from './index.ts';
import { defaultPortsFile } from './ports.ts';
import { sqlString } from './sql-literal.ts';
import {
  DECLARATION_COLUMNS,
  LABEL_COLUMNS,
  MIRROR_COLUMNS,
  PAYMENT_COLUMNS,
  WATCHLIST_COLUMNS,
} from './write-files.ts';

const ROWS = 20_000;
const SEED = 20_240_611;

let root: string;
let result: GenerateResult;
let again: GenerateResult;
let other: GenerateResult;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

async function one(sql: string): Promise<Record<string, unknown>> {
  const [first] = await rows(sql);
  if (!first) throw new Error(`no row: ${sql}`);
  return first;
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parallax-generate-test-'));
  result = await generateDataset({ rows: ROWS, seed: SEED, outDir: join(root, 'a') });
  again = await generateDataset({ rows: ROWS, seed: SEED, outDir: join(root, 'b') });
  other = await generateDataset({ rows: ROWS, seed: SEED + 1, outDir: join(root, 'c') });
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  const f = result.files;
  // Everything is read as text first so that codes keep their leading zeros; numbers are cast explicitly.
  await conn.run(`CREATE TABLE d AS
    SELECT * REPLACE (line_no::INT AS line_no, date::DATE AS date, value::DECIMAL(18,2) AS value,
                      quantity::DOUBLE AS quantity, net_mass_kg::DECIMAL(18,3) AS net_mass_kg)
    FROM read_csv(${sqlString(f.declarations)}, header = true, all_varchar = true)`);
  await conn.run(`CREATE TABLE p AS SELECT * REPLACE (amount::DECIMAL(18,2) AS amount)
    FROM read_csv(${sqlString(f.payments)}, header = true, all_varchar = true)`);
  await conn.run(`CREATE TABLE m AS SELECT * REPLACE (value::DECIMAL(18,2) AS value, quantity::DOUBLE AS quantity)
    FROM read_csv(${sqlString(f.mirror)}, header = true, all_varchar = true)`);
  await conn.run(`CREATE TABLE l AS SELECT * REPLACE (line_no::INT AS line_no)
    FROM read_csv(${sqlString(f.labels)}, header = true, all_varchar = true)`);
  await conn.run(`CREATE TABLE w AS SELECT * FROM read_csv(${sqlString(f.watchlist)}, header = true, all_varchar = true)`);
});

afterAll(async () => {
  conn?.closeSync();
  instance?.closeSync();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('generateDataset', () => {
  it('writes every file with its exact header', async () => {
    const expected: [string, readonly string[]][] = [
      [result.files.declarations, DECLARATION_COLUMNS],
      [result.files.payments, PAYMENT_COLUMNS],
      [result.files.mirror, MIRROR_COLUMNS],
      [result.files.labels, LABEL_COLUMNS],
      [result.files.watchlist, WATCHLIST_COLUMNS],
    ];
    for (const [file, columns] of expected) {
      const text = await readFile(file, 'utf8');
      expect(text.slice(0, text.indexOf('\n'))).toBe(columns.join(','));
    }
    expect(DECLARATION_COLUMNS.join(',')).toBe(
      'declaration_id,line_no,flow,date,reporter,origin_country,departure_country,destination_country,hs_code,' +
        'description,importer_id,importer_name,exporter_id,exporter_name,manufacturer_name,declarant_id,value,' +
        'currency,valuation_basis,quantity,quantity_unit,net_mass_kg,port_code,transport_mode,invoice_ref,' +
        'duty_amount,tax_rate,inspected,fraud,seized',
    );
  });

  it('reports row counts that match the files', async () => {
    const counted = await one(`SELECT (SELECT count(*) FROM d) AS declarations, (SELECT count(*) FROM p) AS payments,
      (SELECT count(*) FROM m) AS mirror, (SELECT count(*) FROM l) AS labels, (SELECT count(*) FROM w) AS watchlist`);
    expect(Object.fromEntries(Object.entries(counted).map(([k, v]) => [k, Number(v)]))).toEqual(result.counts);
    expect(result.counts['declarations']).toBe(ROWS);
    const manifest = JSON.parse(await readFile(result.files.manifest, 'utf8'));
    expect(manifest).toMatchObject({ seed: SEED, rows: ROWS, counts: result.counts, anomalies: result.anomalies });
  });

  it('is deterministic: same seed gives identical bytes, another seed differs', async () => {
    expect(await sha256(again.files.declarations)).toBe(await sha256(result.files.declarations));
    for (const key of ['payments', 'mirror', 'labels', 'watchlist', 'manifest'] as const) {
      expect(await sha256(again.files[key])).toBe(await sha256(result.files[key]));
    }
    expect(await sha256(other.files.declarations)).not.toBe(await sha256(result.files.declarations));
  });

  it('labels at least one anomaly of every detector type, and the counts agree', async () => {
    const byType = await rows(`SELECT anomaly, count(*) AS n FROM l GROUP BY anomaly`);
    const counts = Object.fromEntries(byType.map((r) => [String(r['anomaly']), Number(r['n'])]));
    for (const id of DETECTOR_IDS) {
      expect(counts[id] ?? 0, id).toBeGreaterThan(0);
      expect(result.anomalies[id], id).toBe(counts[id]);
    }
    expect(Object.keys(counts).sort()).toEqual([...DETECTOR_IDS].sort());
  });

  it('links every label to something that exists', async () => {
    const dangling = await one(`SELECT
      count(*) FILTER (WHERE subject_kind = 'line' AND NOT EXISTS
        (SELECT 1 FROM d WHERE d.declaration_id = l.declaration_id AND d.line_no = l.line_no)) AS lines,
      count(*) FILTER (WHERE subject_kind = 'payment' AND NOT EXISTS
        (SELECT 1 FROM p WHERE p.payment_id = l.payment_id AND p.invoice_ref = 'INV-' || l.declaration_id)) AS payments,
      count(*) FILTER (WHERE subject_kind = 'party' AND NOT EXISTS
        (SELECT 1 FROM d WHERE d.importer_id = l.party_id OR d.exporter_id = l.party_id)) AS parties,
      count(*) FILTER (WHERE subject_kind = 'mirror' AND NOT EXISTS
        (SELECT 1 FROM m WHERE m.reporter = 'US' AND m.partner = l.partner AND m.hs = l.hs AND m.period = l.period)) AS mirror
      FROM l`);
    expect(dangling).toEqual({ lines: 0n, payments: 0n, parties: 0n, mirror: 0n });
    const dupes = await one(`SELECT count(*) AS n FROM (SELECT declaration_id, line_no FROM l WHERE subject_kind = 'line'
      GROUP BY ALL HAVING count(*) > 1)`);
    expect(Number(dupes['n'])).toBe(0);
  });

  it('declares a positive value on every line', async () => {
    const r = await one(`SELECT count(*) FILTER (WHERE value IS NULL OR value <= 0) AS bad, min(value) AS lowest FROM d`);
    expect(Number(r['bad'])).toBe(0);
  });

  it('has zero net mass only on labelled phantom shipments', async () => {
    const r = await one(`SELECT count(*) AS zero,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM l WHERE l.anomaly = 'value-per-kg' AND l.detail LIKE 'phantom%'
        AND l.declaration_id = d.declaration_id AND l.line_no = d.line_no)) AS labelled
      FROM d WHERE net_mass_kg = 0`);
    expect(Number(r['zero'])).toBeGreaterThan(0);
    expect(r['labelled']).toBe(r['zero']);
    const phantoms = await one(`SELECT count(*) AS n FROM l WHERE detail LIKE 'phantom%'`);
    expect(phantoms['n']).toBe(r['zero']);
  });

  it('skews party sizes: the top 1 % of importers hold more than 20 % of import lines', async () => {
    const r = await one(`WITH s AS (SELECT importer_id, count(*) AS n FROM d WHERE flow = 'import' GROUP BY importer_id),
      r AS (SELECT n, row_number() OVER (ORDER BY n DESC, importer_id) AS rk, count(*) OVER () AS parties FROM s)
      SELECT sum(n) FILTER (WHERE rk <= ceil(parties * 0.01)) / sum(n) AS top_share FROM r`);
    expect(Number(r['top_share'])).toBeGreaterThan(0.2);
  });

  it('puts every labelled price-iqr line outside its hs6 x origin x flow Tukey fences', async () => {
    const r = await one(`WITH x AS (
        SELECT declaration_id, line_no, substr(hs_code, 1, 6) AS hs6, origin_country, flow,
          value::DOUBLE / quantity AS price FROM d),
      g AS (SELECT hs6, origin_country, flow, count(*) AS n,
              quantile_cont(price, 0.25) AS q1, quantile_cont(price, 0.75) AS q3 FROM x GROUP BY ALL),
      lab AS (SELECT x.*, g.n, g.q1, g.q3 FROM l JOIN x USING (declaration_id, line_no)
              JOIN g USING (hs6, origin_country, flow) WHERE l.anomaly = 'price-iqr')
      SELECT count(*) AS labelled,
        count(*) FILTER (WHERE price > q3 + 1.5 * (q3 - q1) OR price < q1 - 1.5 * (q3 - q1)) AS outside,
        min(n) AS smallest_group
      FROM lab`);
    expect(Number(r['labelled'])).toBe(result.anomalies['price-iqr']);
    expect(r['outside']).toBe(r['labelled']);
    expect(Number(r['smallest_group'])).toBeGreaterThanOrEqual(8);
  });

  it('keeps the partner side of unlabelled mirror pairs at US value / 1.06 (and x1.06 the other way)', async () => {
    const r = await one(`WITH pairs AS (
        SELECT us.flow, us.partner, us.hs, us.period, us.value::DOUBLE AS us_value, pt.value::DOUBLE AS partner_value,
          EXISTS (SELECT 1 FROM l WHERE l.subject_kind = 'mirror' AND l.partner = us.partner AND l.hs = us.hs
                  AND l.period = us.period AND us.flow = 'import') AS labelled
        FROM m us JOIN m pt ON us.reporter = 'US' AND pt.partner = 'US' AND pt.reporter = us.partner
          AND pt.hs = us.hs AND pt.period = us.period AND pt.flow <> us.flow)
      SELECT count(*) AS pairs,
        max(abs(partner_value / (us_value / 1.06) - 1)) FILTER (WHERE flow = 'import' AND NOT labelled) AS import_side,
        max(abs(partner_value / (us_value * 1.06) - 1)) FILTER (WHERE flow = 'export') AS export_side,
        min(abs(partner_value / (us_value / 1.06) - 1)) FILTER (WHERE labelled) AS labelled_gap,
        (SELECT count(*) FROM m WHERE reporter = 'US') AS us_rows
      FROM pairs`);
    expect(Number(r['pairs'])).toBe(Number(r['us_rows']));
    expect(Number(r['import_side'])).toBeLessThan(0.035);
    expect(Number(r['export_side'])).toBeLessThan(0.035);
    const gaps = await one(`WITH g AS (
        SELECT l.anomaly, us.value::DOUBLE / 1.06 AS mf, pt.value::DOUBLE AS x FROM l
        JOIN m us ON us.reporter = 'US' AND us.flow = 'import' AND us.partner = l.partner AND us.hs = l.hs AND us.period = l.period
        JOIN m pt ON pt.reporter = l.partner AND pt.partner = 'US' AND pt.flow = 'export' AND pt.hs = l.hs AND pt.period = l.period
        WHERE l.anomaly = 'mirror-gap')
      SELECT count(*) AS n, count(*) FILTER (WHERE abs(mf - x) / greatest(mf, x) >= 0.4 AND abs(mf - x) >= 100000) AS caught FROM g`);
    expect(gaps['caught']).toBe(gaps['n']);
  });

  it('uses only US ports of the reference file, and air at JFK', async () => {
    const ports = await one(`SELECT count(*) FILTER (WHERE port_code NOT IN (
        SELECT port_code FROM read_csv(${sqlString(defaultPortsFile())}, header = true, all_varchar = true) WHERE country = 'US'
      )) AS unknown,
      count(*) FILTER (WHERE port_code = 'USJFK' AND transport_mode <> 'air') AS jfk_not_air,
      count(*) FILTER (WHERE port_code IN ('USLRD', 'USELP', 'USNOG', 'USOTM') AND transport_mode NOT IN ('road', 'rail')) AS border_not_land
      FROM d`);
    expect(ports).toEqual({ unknown: 0n, jfk_not_air: 0n, border_not_land: 0n });
  });

  it('writes well-formed codes: hs 6-10 digits, ISO countries, BICs with the country at positions 5-6', async () => {
    const r = await one(`SELECT
      (SELECT count(*) FROM d WHERE NOT regexp_full_match(hs_code, '[0-9]{6}([0-9]{2}){0,2}')) AS bad_hs,
      (SELECT count(*) FROM d WHERE NOT regexp_full_match(coalesce(origin_country, 'US'), '[A-Z]{2}')) AS bad_origin,
      (SELECT count(*) FROM p WHERE payee_bank_bic IS NULL OR NOT regexp_full_match(payee_bank_bic, '[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?')
         OR substr(payee_bank_bic, 5, 2) <> payee_country) AS bad_bic,
      (SELECT count(*) FROM p WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.invoice_ref = p.invoice_ref)) AS unlinked_payments`);
    expect(r).toEqual({ bad_hs: 0n, bad_origin: 0n, bad_bic: 0n, unlinked_payments: 0n });
  });

  it('matches the watch list only on labelled parties', async () => {
    const r = await one(`WITH names AS (
        SELECT importer_id AS id, importer_name AS name FROM d UNION SELECT exporter_id, exporter_name FROM d),
      listed AS (SELECT lower(name) AS name FROM w UNION SELECT lower(unnest(string_split(aliases, ';'))) FROM w)
      SELECT count(*) AS hits,
        count(*) FILTER (WHERE id NOT IN (SELECT party_id FROM l WHERE anomaly = 'watchlist-hit')) AS unlabelled
      FROM names JOIN listed ON lower(names.name) = listed.name`);
    expect(Number(r['hits'])).toBeGreaterThan(0);
    expect(Number(r['unlabelled'])).toBe(0);
  });

  it('closes each labelled circular-trade cycle in the exporter -> importer graph', async () => {
    const r = await one(`WITH e AS (SELECT DISTINCT exporter_id AS a, importer_id AS b, substr(hs_code, 1, 4) AS hs4 FROM d),
      cycles AS (SELECT e1.a FROM e e1 JOIN e e2 ON e2.a = e1.b AND e2.hs4 = e1.hs4
                 JOIN e e3 ON e3.a = e2.b AND e3.b = e1.a AND e3.hs4 = e1.hs4),
      two AS (SELECT e1.a FROM e e1 JOIN e e2 ON e2.a = e1.b AND e2.b = e1.a AND e2.hs4 = e1.hs4)
      SELECT (SELECT count(*) FROM cycles) AS three, (SELECT count(*) FROM two) AS two,
        (SELECT count(*) FROM l WHERE anomaly = 'circular-trade') AS legs`);
    // Each 3-cycle is found once from each of its three starting parties.
    expect(r['three']).toBe(r['legs']);
    expect(Number(r['two'])).toBe(0);
  });
});
