// A data directory made by the previous version (layout 1: money as DOUBLE, no USD columns, no zero flags,
// party totals in mixed currencies) is upgraded when opened: same rows, exact money, USD columns converted,
// and a store that cannot be upgraded is left exactly as it was. Real DuckDB files.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openRuntime } from '../runtime/index.ts';
import { explore } from '../explore/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { LayoutUpgradeError, openAnalyticalStore } from './index.ts';
import { exactSum, h10Rate, toUsd } from '../../test/fx-rates.ts';

/** The layout-1 DDL, as the previous version's createTableSql and PARTY_DDL wrote it. */
const TRADE_V1 =
  'row_id BIGINT NOT NULL, batch_id VARCHAR NOT NULL, provider VARCHAR NOT NULL, line BIGINT NOT NULL, declaration_id VARCHAR, line_no INTEGER, flow VARCHAR, date DATE, reporter VARCHAR, ' +
  'origin_country VARCHAR, departure_country VARCHAR, destination_country VARCHAR, hs_code VARCHAR, description VARCHAR, importer_id VARCHAR, importer_name VARCHAR, exporter_id VARCHAR, ' +
  'exporter_name VARCHAR, manufacturer_name VARCHAR, declarant_id VARCHAR, value DOUBLE, currency VARCHAR, valuation_basis VARCHAR, quantity DOUBLE, quantity_unit VARCHAR, net_mass_kg DOUBLE, ' +
  'port_code VARCHAR, transport_mode VARCHAR, invoice_ref VARCHAR, duty_amount DOUBLE, tax_rate DOUBLE, inspected BOOLEAN, fraud BOOLEAN, seized BOOLEAN, hs2 VARCHAR, hs4 VARCHAR, hs6 VARCHAR, ' +
  'partner_country VARCHAR, importer_key VARCHAR, exporter_key VARCHAR, attrs JSON';
const PAYMENTS_V1 =
  'row_id BIGINT NOT NULL, batch_id VARCHAR NOT NULL, provider VARCHAR NOT NULL, line BIGINT NOT NULL, payment_id VARCHAR, date DATE, amount DOUBLE, currency VARCHAR, payer_name VARCHAR, ' +
  'payer_id VARCHAR, payer_country VARCHAR, payer_bank_bic VARCHAR, payee_name VARCHAR, payee_id VARCHAR, payee_country VARCHAR, payee_bank_bic VARCHAR, instrument VARCHAR, report_type VARCHAR, ' +
  'invoice_ref VARCHAR, attrs JSON';
const MEMBERS_V1 =
  'provider VARCHAR NOT NULL, ref VARCHAR NOT NULL, party_id VARCHAR NOT NULL, has_id BOOLEAN NOT NULL, name VARCHAR, names VARCHAR[] NOT NULL, country VARCHAR, name_key VARCHAR, ' +
  'lines BIGINT NOT NULL, value DOUBLE NOT NULL, link VARCHAR NOT NULL, confidence DOUBLE NOT NULL, evidence VARCHAR[] NOT NULL, resolution_id VARCHAR NOT NULL, PRIMARY KEY (provider, ref)';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A layout-1 store with trade lines (one superseded), a payment and a resolved party. */
async function makeV1Store(values: { id: string; value: number; currency: string; date: string }[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-v1-'));
  dirs.push(dir);
  const inst = await DuckDBInstance.create(join(dir, 'parallax.duckdb'));
  const c = await inst.connect();
  await c.run(`CREATE TABLE trade_lines (${TRADE_V1}); CREATE TABLE trade_lines_history (${TRADE_V1}, superseded_by VARCHAR NOT NULL)`);
  await c.run(`CREATE TABLE payments (${PAYMENTS_V1}); CREATE TABLE payments_history (${PAYMENTS_V1}, superseded_by VARCHAR NOT NULL)`);
  await c.run(`CREATE TABLE party_members (${MEMBERS_V1})`);
  await c.run(`CREATE TABLE batch_commits (batch_id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT,
    rejects_kept BIGINT, superseded_rows BIGINT, committed_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`);
  let i = 0;
  for (const v of values) {
    i++;
    await c.run(
      `INSERT INTO trade_lines (row_id, batch_id, provider, line, declaration_id, line_no, flow, date, hs_code, value, currency, quantity, hs2, hs4, hs6, importer_key)
       VALUES ($1, 'B000001', 'KR', $2, $3, 1, 'import', CAST($4 AS DATE), '720851', $5::DOUBLE, $6, 10, '72', '7208', '720851', 'IMP1')`,
      [(1 << 16) + i, i + 1, v.id, v.date, v.value, v.currency],
    );
  }
  await c.run(`INSERT INTO trade_lines_history (row_id, batch_id, provider, line, declaration_id, line_no, flow, date, hs_code, value, currency, superseded_by)
    VALUES (1, 'B000000', 'KR', 2, 'OLD', 1, 'import', DATE '2024-03-01', '720851', 500000.5::DOUBLE, 'KRW', 'B000001')`);
  await c.run(`INSERT INTO payments (row_id, batch_id, provider, line, payment_id, date, amount, currency) VALUES (7, 'B000002', 'KR', 2, 'P1', DATE '2024-03-02', 0.3::DOUBLE, 'USD')`);
  await c.run(`INSERT INTO party_members VALUES ('KR', 'IMP1', 'PX1', true, 'ACME', ['ACME'], 'KR', 'ACME', 3, 123.4, 'single record', 1.0, [], 'PR000001')`);
  await c.run(`INSERT INTO batch_commits (batch_id, dataset) VALUES ('B000000', 'trade_lines'), ('B000001', 'trade_lines'), ('B000002', 'payments')`);
  c.closeSync();
  inst.closeSync();
  return dir;
}

const lines = [
  { id: 'A', value: 0.1, currency: 'USD', date: '2024-03-05' },
  { id: 'B', value: 0.2, currency: 'USD', date: '2024-03-05' },
  { id: 'C', value: 2256782.95, currency: 'USD', date: '2024-03-05' },
  { id: 'K', value: 1234567.891, currency: 'KRW', date: '2024-03-20' },
  { id: 'Z', value: 0, currency: 'KRW', date: '2024-03-20' },
];

describe('opening a store made by the previous version', () => {
  it('rewrites it to the current layout: same rows, exact money, USD and zero-value columns filled', async () => {
    const dir = await makeV1Store(lines);
    // The float noise the old layout had: 0.1 + 0.2 + 2256782.95 summed as DOUBLE.
    const rt = await openRuntime({ dataDir: dir, databaseUrl: '' });
    try {
      expect(rt.store.upgraded).toEqual({ from: 1, to: 2 });
      const q = async (text: string) => rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(text)).getRowObjectsJson());
      expect(await q(`SELECT version FROM store_layout ORDER BY version`)).toEqual([{ version: 2 }]);
      expect(await q(`SELECT data_type FROM information_schema.columns WHERE table_name = 'trade_lines' AND column_name IN ('value', 'duty_amount', 'value_usd') ORDER BY column_name`)).toEqual([
        { data_type: 'DECIMAL(18,4)' },
        { data_type: 'DECIMAL(18,4)' },
        { data_type: 'DECIMAL(18,4)' },
      ]);
      expect(await q(`SELECT declaration_id, value::VARCHAR AS v, zero_value FROM trade_lines ORDER BY declaration_id`)).toEqual([
        { declaration_id: 'A', v: '0.1000', zero_value: false },
        { declaration_id: 'B', v: '0.2000', zero_value: false },
        { declaration_id: 'C', v: '2256782.9500', zero_value: false },
        { declaration_id: 'K', v: '1234567.8910', zero_value: false },
        { declaration_id: 'Z', v: '0.0000', zero_value: true },
      ]);
      expect(await q(`SELECT sum(value)::VARCHAR AS s FROM trade_lines WHERE currency = 'USD'`)).toEqual([{ s: '2256783.2500' }]);

      // USD columns were converted once the rates were seeded, history rows included; provenance says with what.
      const krw = h10Rate('South Korea', '2024-03')!;
      const usd = await q(`SELECT declaration_id, value_usd::DOUBLE AS u, fx_rate FROM trade_lines ORDER BY declaration_id`);
      expect(usd).toEqual([
        { declaration_id: 'A', u: 0.1, fx_rate: 1 },
        { declaration_id: 'B', u: 0.2, fx_rate: 1 },
        { declaration_id: 'C', u: 2256782.95, fx_rate: 1 },
        { declaration_id: 'K', u: toUsd(1234567.891, krw), fx_rate: krw },
        { declaration_id: 'Z', u: 0, fx_rate: krw },
      ]);
      expect(await q(`SELECT value_usd::DOUBLE AS u FROM trade_lines_history`)).toEqual([{ u: toUsd(500000.5, krw) }]);
      expect(await q(`SELECT amount::VARCHAR AS a, amount_usd::DOUBLE AS u, zero_amount FROM payments`)).toEqual([{ a: '0.3000', u: 0.3, zero_amount: false }]);
      expect(await q(`SELECT batch_id, rows_converted::INTEGER AS n, rows_without_rate::INTEGER AS w FROM batch_fx ORDER BY batch_id`)).toEqual([
        { batch_id: 'B000000', n: 0, w: 0 },
        { batch_id: 'B000001', n: 5, w: 0 },
        { batch_id: 'B000002', n: 1, w: 0 },
      ]);
      // Party tables lose the mixed-currency total and gain the USD one (filled by the next resolution).
      expect(await q(`SELECT column_name FROM information_schema.columns WHERE table_name = 'party_members' AND column_name IN ('value', 'value_usd', 'lines_without_usd') ORDER BY 1`)).toEqual([
        { column_name: 'lines_without_usd' },
        { column_name: 'value_usd' },
      ]);
      expect(await q(`SELECT party_id, lines::INTEGER AS lines FROM party_members`)).toEqual([{ party_id: 'PX1', lines: 3 }]);

      // Explore over the upgraded store: USD total exact, no float noise in JSON.
      const r = await explore(scopedDb(rt.store, localOperatorScope()), { by: ['currency'], measures: ['value_usd', 'value'], sort: [{ key: 'currency', dir: 'asc' }] });
      expect(r.rows.find((x) => x['currency'] === 'USD')!['value']).toBe(2256783.25);
      expect(r.totals['value_usd']).toBe(exactSum([0.1, 0.2, 2256782.95, toUsd(1234567.891, krw), 0]));
    } finally {
      await rt.close();
    }
    // Opened again: nothing to upgrade, nothing to convert.
    const again = await openAnalyticalStore(dir);
    expect(again.upgraded).toBeNull();
    await again.close();
  });

  it('refuses a store whose money does not fit, naming table and column, and leaves it unchanged', async () => {
    const dir = await makeV1Store([{ id: 'BIG', value: 3e15, currency: 'IDR', date: '2024-03-05' }]);
    await expect(openAnalyticalStore(dir)).rejects.toThrow(LayoutUpgradeError);
    await expect(openAnalyticalStore(dir)).rejects.toThrow(/1 rows of trade_lines hold a value beyond 99999999999999\.9999.*not changed/);
    const inst = await DuckDBInstance.create(join(dir, 'parallax.duckdb'));
    const c = await inst.connect();
    const r = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n, any_value(typeof(value)) AS t, (SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name LIKE '%upgrade%') AS tmp FROM trade_lines`);
    expect(r.getRowObjectsJson()).toEqual([{ n: 1, t: 'DOUBLE', tmp: 0 }]);
    c.closeSync();
    inst.closeSync();
  });
});
