import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { localOperatorScope, scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { MEASURES, measuresQuery, suppressCells, type Cell } from './index.ts';

let t: TempRuntime;
const load = async (name: string, provider: string, rows: string[]) =>
  ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(name, `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider, loadedBy: 'test' });

beforeAll(async () => {
  t = await tempRuntime();
  // Period data (provider P): one port, four months over two years, exact values.
  const p = [
    ['2023-01-01', 100], ['2023-02-10', 200], ['2024-01-20', 150], ['2024-02-15', 100],
  ].map(([date, value], i) => canonicalLine({ declaration_id: `P${i}`, date: date!, value: value!, importer_id: `PI${i}`, inspected: i % 2, duty_amount: 10 }));
  await load('p.csv', 'PX', p);
  // Suppression data (provider S): by origin, MX has 2 importers, DE one importer with 90 % of the value.
  const s: string[] = [];
  let n = 0;
  const add = (origin: string, importer: string, value: number, date = '2024-02-01') =>
    s.push(canonicalLine({ declaration_id: `S${n++}`, origin_country: origin, departure_country: origin, importer_id: importer, value, date }));
  for (const o of ['CN', 'VN', 'JP']) for (let i = 0; i < 5; i++) add(o, `${o}${i}`, 100 + i * 10 + o.charCodeAt(0), i % 2 ? '2024-05-01' : '2024-02-01');
  add('MX', 'MX0', 500); add('MX', 'MX1', 300); add('MX', 'MX0', 50, '2024-05-01'); add('MX', 'MX1', 40, '2024-05-01');
  add('DE', 'DE0', 9000); add('DE', 'DE1', 400); add('DE', 'DE2', 300); add('DE', 'DE3', 300, '2024-05-01');
  await load('s.csv', 'SX', s);
});
afterAll(async () => t?.cleanup());

const db = () => scopedDb(t.rt.store, localOperatorScope());
const exec: Scope = { principal: 'exec', grants: [{ category: 'trade', providers: ['SX'], level: 'aggregate' }] };
const handSql = async (q: string) => t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(q)).getRowObjectsJson());

describe('measure catalogue', () => {
  it('every entry compiles and runs, alone and by port and quarter', async () => {
    expect(new Set(MEASURES.map((m) => m.id)).size).toBe(MEASURES.length);
    for (const m of MEASURES) {
      const r = await measuresQuery(db(), { measures: [m.id], by: m.defaultBy, period: 'quarter' });
      expect(r.rows.length).toBeGreaterThan(0);
      expect(typeof r.totals[m.id] === 'number' || r.totals[m.id] === null).toBe(true);
    }
    const all = await measuresQuery(db(), { measures: MEASURES.map((m) => m.id), by: [], where: 'provider = PX' });
    expect(all.rows[0]).toMatchObject({ 'import-value': 550, lines: 4, declarations: 4, importers: 4, 'duty-collected': 40, 'inspection-rate': 0.5, seizures: 0 });
    expect(all.rows[0]!['effective-duty-rate']).toBeCloseTo(40 / 550, 12);
    expect(all.rows[0]!['hit-rate']).toBe(0);
  });
  it('rejects unknown names and parties at aggregate level', async () => {
    await expect(measuresQuery(db(), { measures: ['profit'], by: [] })).rejects.toThrow(/unknown measure "profit"/);
    await expect(measuresQuery(db(), { measures: ['lines'], by: ['quarter'] })).rejects.toThrow(/period/);
    await expect(measuresQuery(scopedDb(t.rt.store, exec), { measures: ['lines'], by: ['importer'] })).rejects.toThrow(ScopeDeniedError);
  });
});

describe('periods', () => {
  it('month-on-month and year-on-year change, with gaps and incomplete periods', async () => {
    const r = await measuresQuery(db(), { measures: ['import-value'], by: ['port'], where: 'provider = PX', period: 'month' });
    const pick = (c: Cell) => [c['period'], c['import-value'], c['import-value_mom'], c['import-value_yoy'], c['incomplete']];
    expect(r.rows.map(pick)).toEqual([
      ['2023-01', 100, null, null, false],
      ['2023-02', 200, 1, null, false],
      ['2024-01', 150, null, 0.5, false], // 2023-12 has no data: no month-on-month change
      ['2024-02', 100, -1 / 3, -0.5, true], // data ends on 15 February
    ]);
    const q = await measuresQuery(db(), { measures: ['import-value', 'lines'], by: [], where: 'provider = PX', period: 'quarter' });
    expect(q.rows.map((c) => [c['period'], c['import-value'], c['import-value_yoy'], c['lines_yoy'], c['import-value_qoq'], c['incomplete']])).toEqual([
      ['2023-Q1', 300, null, null, null, false],
      ['2024-Q1', 250, -1 / 6, 0, null, true],
    ]);
  });
});

describe('small-cell suppression', () => {
  const edb = () => scopedDb(t.rt.store, exec);
  const checkNotRecoverable = (rows: Cell[], full: Cell[], keys: string[], measures: string[]) => {
    // Every line (all keys but one fixed, and the whole table) with suppressed cells: total - visible is
    // never the value of a suppressed cell.
    const lines = [rows.map((_, i) => i)];
    for (const k of keys) {
      const g = new Map<string, number[]>();
      rows.forEach((r, i) => {
        const id = JSON.stringify(keys.filter((x) => x !== k).map((x) => r[x]));
        g.set(id, [...(g.get(id) ?? []), i]);
      });
      lines.push(...g.values());
    }
    let checked = 0;
    for (const line of lines) {
      const hidden = line.filter((i) => rows[i]!['suppressed']);
      if (!hidden.length) continue;
      expect(hidden.length).toBeGreaterThanOrEqual(2);
      for (const m of measures) {
        const total = line.reduce((s, i) => s + Number(full[i]![m]), 0);
        const visible = line.filter((i) => !rows[i]!['suppressed']).reduce((s, i) => s + Number(rows[i]![m]), 0);
        for (const h of hidden) {
          expect(total - visible).not.toBeCloseTo(Number(full[h]![m]), 6);
          checked++;
        }
      }
    }
    return checked;
  };

  it('suppresses few-party and dominated cells, plus a complement, and nothing is recoverable', async () => {
    const r = await measuresQuery(edb(), { measures: ['import-value', 'lines'], by: ['origin'] });
    const full = await measuresQuery(db(), { measures: ['import-value', 'lines'], by: ['origin'], where: 'provider = SX' });
    const why = Object.fromEntries(r.rows.map((c) => [c['origin'], c['suppression']]));
    expect(why).toEqual({ CN: null, DE: 'primary', JP: null, MX: 'primary', VN: null });
    const mx = r.rows.find((c) => c['origin'] === 'MX')!;
    expect(mx).toMatchObject({ 'import-value': null, lines: null, suppressed: true });
    expect(r.totals['lines']).toBe(full.totals['lines']);
    expect(checkNotRecoverable(r.rows, full.rows, ['origin'], ['import-value', 'lines'])).toBeGreaterThan(0);
  });

  it('adds a complementary cell when a line holds only one suppressed cell', async () => {
    const r = await measuresQuery(edb(), { measures: ['import-value', 'lines'], by: ['origin'], where: 'origin != DE' });
    const full = await measuresQuery(db(), { measures: ['import-value', 'lines'], by: ['origin'], where: 'provider = SX and origin != DE' });
    expect(r.rows.filter((c) => c['suppression'] === 'primary').map((c) => c['origin'])).toEqual(['MX']);
    expect(r.rows.filter((c) => c['suppression'] === 'complementary')).toHaveLength(1);
    expect(r.suppressed_cells).toBe(2);
    checkNotRecoverable(r.rows, full.rows, ['origin'], ['import-value', 'lines']);
  });

  it('two dimensions (origin by month): every row and column line protected, changes against hidden cells hidden', async () => {
    const r = await measuresQuery(edb(), { measures: ['import-value', 'lines'], by: ['origin'], period: 'month' });
    const full = await measuresQuery(db(), { measures: ['import-value', 'lines'], by: ['origin'], where: 'provider = SX', period: 'month' });
    expect(r.suppressed_cells).toBeGreaterThanOrEqual(2);
    checkNotRecoverable(r.rows, full.rows, ['origin', 'period'], ['import-value', 'lines']);
    for (const c of r.rows) if (c['suppressed']) expect(c['import-value_mom']).toBeNull();
  });

  it('suppressCells: one cell alone is suppressed with its total; fixpoint across lines', () => {
    expect(suppressCells([{ key: ['A'], parties: 1, topShare: 1, lines: 1, value: 1 }])).toEqual({ reasons: ['primary'], totalSuppressed: true });
    const grid = ['a', 'b', 'c'].flatMap((x, i) => ['1', '2', '3'].map((y, j) => ({ key: [x, y], parties: i === 0 && j === 0 ? 1 : 5, topShare: 0.3, lines: 10 + i * 3 + j, value: 100 })));
    const { reasons } = suppressCells(grid);
    const hiddenAt = (k: number, v: string) => grid.filter((c, i) => c.key[k] === v && reasons[i]).length;
    for (const v of ['a', 'b', 'c']) expect([0, 2, 3]).toContain(hiddenAt(0, v));
    for (const v of ['1', '2', '3']) expect([0, 2, 3]).toContain(hiddenAt(1, v));
  });
});

const SHARED = resolve('../shared/data');
describe.skipIf(!existsSync(SHARED))('KCS data by customs office and quarter', () => {
  it('lines, import value, inspection rate and hit rate match hand-written SQL', async () => {
    for (const f of ['train.csv', 'valid.csv']) {
      await ingestFile({ store: t.rt.store, registry: t.rt.registry }, resolve(SHARED, 'customs/kcs-synthetic', f), { profile: 'kcs', category: 'trade', provider: 'KR', overrides: {}, loadedBy: 'test' });
    }
    const started = performance.now();
    const r = await measuresQuery(db(), { measures: ['lines', 'import-value', 'inspection-rate', 'hit-rate'], by: ['port'], where: 'provider = KR', period: 'quarter' });
    const ms = performance.now() - started;
    const expected = await handSql(`
      SELECT port_code AS port, year(date)::VARCHAR || '-Q' || quarter(date)::VARCHAR AS period, count(*)::INTEGER AS lines,
             coalesce(sum(value) FILTER (WHERE flow = 'import'), 0)::DOUBLE AS iv,
             (count(*) FILTER (WHERE inspected))::DOUBLE / count(*) AS ir,
             (count(*) FILTER (WHERE inspected AND fraud))::DOUBLE / nullif(count(*) FILTER (WHERE inspected), 0) AS hr
      FROM trade_lines WHERE provider = 'KR' GROUP BY ALL ORDER BY port NULLS LAST, min(date_trunc('quarter', date))`);
    expect(r.rows.length).toBe(expected.length);
    r.rows.forEach((c, i) => {
      const e = expected[i]!;
      expect([c['port'], c['period'], c['lines']]).toEqual([e['port'], e['period'], e['lines']]);
      expect(c['import-value']).toBeCloseTo(Number(e['iv']), 4);
      expect(c['inspection-rate']).toBeCloseTo(Number(e['ir']), 12);
      if (e['hr'] === null) expect(c['hit-rate']).toBeNull();
      else expect(c['hit-rate']).toBeCloseTo(Number(e['hr']), 12);
    });
    expect(r.totals['lines']).toBe(37027 + 8055);
    console.log(`KCS measures: ${r.rows.length} cells (${new Set(r.rows.map((c) => c['port'])).size} offices), ${ms.toFixed(0)} ms; total lines ${r.totals['lines']}, import value ${r.totals['import-value']}, inspection rate ${r.totals['inspection-rate']}, hit rate ${r.totals['hit-rate']}`);
  }, 120_000);
});
