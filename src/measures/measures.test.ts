import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { localOperatorScope, scopedDb, ScopeDeniedError, type Scope } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { runAnalysis } from '../detect/index.ts';
import { explore, parseSort } from '../explore/index.ts';
import { MEASURES, measuresQuery, OTHERS, suppressCells, type Cell } from './index.ts';

let t: TempRuntime;
const ev0 = 'event_id,event_type,date,reporter,declaration_id,line_no,port_code,hs_code,origin_country,importer_id,importer_name,value,penalty_amount,currency,outcome';
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
  // Mirror statistics (provider MI): US-CN yearly with a TOTAL and a chapter row, DE-FR monthly only.
  const mirror = [
    'reporter,partner,flow,period,hs,value,valuation_basis,quantity,quantity_unit',
    'US,CN,import,2023,TOTAL,106,cif,,', 'CN,US,export,2023,TOTAL,80,fob,,', 'US,CN,import,2023,72,1060,cif,,',
    'US,CN,import,2024,TOTAL,212,cif,,', 'CN,US,export,2024,TOTAL,150,fob,,',
    'DE,FR,import,2024-01,TOTAL,53,cif,,', 'FR,DE,export,2024-01,TOTAL,50,fob,,',
    'DE,FR,import,2024-02,TOTAL,106,cif,,', 'FR,DE,export,2024-02,TOTAL,90,fob,,',
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('m.csv', `${mirror.join('\n')}\n`), { profile: 'canonical-mirror', category: 'trade', provider: 'MI', loadedBy: 'test' });
  // Enforcement events (provider EX): LAX 4 importers, NYC 1 importer, SEA 3 importers; each importer has
  // one examination and one seizure; one penalty at LAX.
  const ev = [ev0];
  let e = 0;
  for (const [port, importers] of [['USLAX', 4], ['USNYC', 1], ['USSEA', 3]] as const) {
    for (let i = 0; i < importers; i++) {
      ev.push(`E${e++},examination,2024-03-0${i + 1},US,D${e},1,${port},720851,CN,${port}-I${i},,${100 + i * 7},,USD,no finding`);
      ev.push(`E${e++},seizure,2024-04-0${i + 1},US,D${e},1,${port},730890,CN,${port}-I${i},,${500 + i * 13},,USD,seized`);
    }
  }
  ev.push(`E${e++},penalty,2024-05-02,US,,,USLAX,720851,CN,USLAX-I0,,,2500,USD,paid`);
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('e.csv', `${ev.join('\n')}\n`), { profile: 'canonical', category: 'enforcement', provider: 'EX', loadedBy: 'test' });
  // The steel example (provider ST): HS 72/73 and other goods through two ports, 2023 and 2024, full years.
  const st: string[] = [];
  let k = 0;
  const steel = (date: string, port: string, origin: string, hs: string, value: number) =>
    st.push(canonicalLine({ declaration_id: `T${k++}`, date, port_code: port, origin_country: origin, departure_country: origin, hs_code: hs, value, importer_id: `TI${k % 4}` }));
  steel('2023-01-01', 'USLAX', 'CN', '720851', 100); steel('2023-06-01', 'USLAX', 'CN', '730890', 100); steel('2023-03-01', 'USLAX', 'DE', '720851', 50);
  steel('2023-04-01', 'USNYC', 'CN', '720851', 400); steel('2023-05-01', 'USLAX', 'CN', '847130', 999); steel('2023-07-01', 'USNYC', 'JP', '720851', 70);
  steel('2024-02-01', 'USLAX', 'CN', '720851', 300); steel('2024-03-01', 'USLAX', 'DE', '730890', 25); steel('2024-08-01', 'USNYC', 'CN', '720851', 200);
  steel('2024-09-01', 'USNYC', 'KR', '730890', 80); steel('2024-12-31', 'USLAX', 'CN', '847130', 5);
  await load('st.csv', 'ST', st);
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
    const all = await measuresQuery(db(), { measures: MEASURES.filter((m) => m.source === 'trade').map((m) => m.id), by: [], where: 'provider = PX' });
    expect(all.rows[0]).toMatchObject({ 'import-value': 550, lines: 4, declarations: 4, importers: 4, 'duty-collected': 40, 'inspection-rate': 0.5, seizures: 0 });
    expect(all.rows[0]!['effective-duty-rate']).toBeCloseTo(40 / 550, 12);
    expect(all.rows[0]!['hit-rate']).toBe(0);
  });
  it('HS section and chapter dimensions come from the HS reference', async () => {
    const r = await measuresQuery(db(), { measures: ['lines'], by: ['hs_section', 'hs_section_name', 'hs_chapter'], where: 'provider = ST' });
    expect(r.rows.map((c) => [c['hs_section'], c['hs_section_name'], c['hs_chapter'], c['lines']])).toEqual([
      ['XV', 'Base metals and articles of base metal', '72 Iron and steel', 6],
      ['XV', 'Base metals and articles of base metal', '73 Iron or steel articles', 3],
      ['XVI', expect.stringMatching(/^Machinery/), '84 Machinery and mechanical appliances, boilers, nuclear reactors; parts thereof', 2],
    ]);
    const f = await measuresQuery(db(), { measures: ['import-value'], by: [], where: "provider = ST and hs_section = 'XV'" });
    expect(f.totals['import-value']).toBe(100 + 100 + 50 + 400 + 70 + 300 + 25 + 200 + 80);
  });
  it('rejects unknown names and parties at aggregate level', async () => {
    await expect(measuresQuery(db(), { measures: ['profit'], by: [] })).rejects.toThrow(/unknown measure "profit"/);
    await expect(measuresQuery(db(), { measures: ['lines'], by: ['quarter'] })).rejects.toThrow(/period/);
    await expect(measuresQuery(scopedDb(t.rt.store, exec), { measures: ['lines'], by: ['importer'] })).rejects.toThrow(ScopeDeniedError);
  });
});

describe('measures over other sources', () => {
  it('anomaly rate and value at risk count lines of the latest run per provider once', async () => {
    const first = await runAnalysis(t.rt.store, localOperatorScope(), {});
    const anomalyLines = async (runId: string) =>
      handSql(`SELECT count(*)::INTEGER AS n, coalesce(sum(value), 0)::DOUBLE AS v FROM trade_lines
               WHERE provider IN ('SX', 'ST') AND row_id IN (SELECT unnest(row_ids) FROM anomalies WHERE run_id = '${runId}')`);
    const [hand] = await anomalyLines(first.run_id);
    expect(hand!['n']).toBeGreaterThan(0);
    const r = await measuresQuery(db(), { measures: ['anomaly-rate', 'flagged-lines', 'value-at-risk', 'lines'], by: [], where: 'provider in (SX, ST)' });
    expect(r.rows[0]!['flagged-lines']).toBe(hand!['n']);
    expect(r.rows[0]!['value-at-risk']).toBeCloseTo(Number(hand!['v']), 6);
    expect(r.rows[0]!['anomaly-rate']).toBeCloseTo(Number(hand!['n']) / Number(r.rows[0]!['lines']), 12);
    // A later run with one detector replaces the first for the providers it read.
    const second = await runAnalysis(t.rt.store, localOperatorScope(), { detectors: ['round-values'] });
    const [hand2] = await anomalyLines(second.run_id);
    const r2 = await measuresQuery(db(), { measures: ['flagged-lines'], by: [], where: 'provider in (SX, ST)' });
    expect(r2.rows[0]!['flagged-lines']).toBe(hand2!['n']);
  });

  it('mirror gap by nation and year, one HS level per pair, with year-on-year change', async () => {
    const r = await measuresQuery(db(), { measures: ['mirror-gap', 'mirror-gap-share'], by: ['nation', 'partner'], period: 'year' });
    const pick = (c: Cell) => [c['nation'], c['partner'], c['period'], c['mirror-gap'], c['mirror-gap_yoy'], c['incomplete']];
    const rows = r.rows.map(pick);
    // US imports from CN: 106 / 1.06 - 80 = 20 in 2023 (the chapter-72 row is ignored: TOTAL exists),
    // 212 / 1.06 - 150 = 50 in 2024. DE from FR has monthly rows only: 0 + 10.
    expect(rows).toContainEqual(['US', 'CN', '2023', expect.closeTo(20, 9), null, false]);
    expect(rows).toContainEqual(['US', 'CN', '2024', expect.closeTo(50, 9), expect.closeTo(1.5, 9), false]);
    expect(rows).toContainEqual(['DE', 'FR', '2024', expect.closeTo(10, 9), null, false]);
    const us23 = r.rows.find((c) => c['nation'] === 'US' && c['period'] === '2023')!;
    expect(us23['mirror-gap-share']).toBeCloseTo(20 / 100, 9);
    const months = await measuresQuery(db(), { measures: ['mirror-gap'], by: ['nation'], period: 'month' });
    expect(months.rows.map((c) => [c['nation'], c['period'], c['mirror-gap']])).toEqual([['DE', '2024-01', 0], ['DE', '2024-02', expect.closeTo(10, 9)]]);
    await expect(measuresQuery(db(), { measures: ['mirror-gap'], by: ['port'] })).rejects.toThrow(/unknown dimension "port" for mirror statistics/);
    await expect(measuresQuery(db(), { measures: ['mirror-gap', 'lines'], by: [] })).rejects.toThrow(/different datasets/);
    await expect(measuresQuery(db(), { measures: ['mirror-gap'], by: [], where: 'nation = US' })).rejects.toThrow(/where is not available/);
  });

  it('enforcement events by port and field office, filtered in their own where language', async () => {
    const r = await measuresQuery(db(), { measures: ['examinations', 'seizure-events', 'seized-goods-value', 'penalties', 'penalty-amount'], by: ['field_office'] });
    expect(r.rows.find((c) => c['field_office'] === 'Los Angeles')).toMatchObject({ examinations: 4, 'seizure-events': 4, 'seized-goods-value': 500 * 4 + 13 * 6, penalties: 1, 'penalty-amount': 2500 });
    expect(r.totals).toMatchObject({ examinations: 8, 'seizure-events': 8, penalties: 1 });
    const f = await measuresQuery(db(), { measures: ['seizure-events'], by: ['port'], where: "event_type = 'seizure' and hs2 = 73" });
    expect(f.totals['seizure-events']).toBe(8);
    const monthly = await measuresQuery(db(), { measures: ['examinations'], by: ['nation'], period: 'month' });
    expect(monthly.rows.map((c) => [c['nation'], c['period'], c['examinations']])).toEqual([['US', '2024-03', 8], ['US', '2024-04', 0], ['US', '2024-05', 0]]);
    const ex = await explore(db(), { dataset: 'enforcement', by: ['event_type'], measures: ['events', 'penalty_amount'], sort: parseSort('event_type:asc') });
    expect(ex.rows.map((x) => [x['event_type'], x['events']])).toEqual([['examination', 8], ['penalty', 1], ['seizure', 8]]);
    // Bad input: an unknown event type and a missing date are quarantined by line and field, nothing else changes.
    const bad = await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('bad-e.csv', `${ev0}\nB1,raid,2024-03-01,US,,,USLAX,720851,CN,I,,1,,USD,\nB2,seizure,,US,,,USLAX,720851,CN,I,,1,,USD,\nB3,penalty,2024-03-02,US,,,USLAX,720851,CN,I,,,5,USD,paid\n`), { profile: 'canonical', category: 'enforcement', provider: 'EB', loadedBy: 'test' });
    expect([bad.rows_accepted, bad.rows_rejected]).toEqual([1, 2]);
    const q = await t.rt.registry.quarantine(bad.batch_id, { limit: 10, offset: 0 });
    expect(q.rows.map((r) => [r.line, r.field])).toEqual([[2, 'event_type'], [3, 'date']]);
    const noGrant: Scope = { principal: 'x', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    await expect(measuresQuery(scopedDb(t.rt.store, noGrant), { measures: ['examinations'], by: [] })).rejects.toThrow(ScopeDeniedError);
  });

  it('top N with an others row re-aggregated from lines', async () => {
    const r = await measuresQuery(db(), { measures: ['import-value', 'importers', 'lines'], by: ['origin'], where: 'provider = SX', top: 2 });
    expect(r.rows.map((c) => c['origin'])).toEqual(['DE', 'VN', OTHERS]); // 10000, 1030; then JP 970, CN 935, MX 890
    const others = r.rows[2]!;
    expect(others['importers']).toBe(12); // CN 5 + JP 5 + MX 2, counted distinct over the folded lines
    expect(others['lines']).toBe(14);
    expect(r.rows.reduce((s, c) => s + Number(c['import-value']), 0)).toBeCloseTo(Number(r.totals['import-value']), 6);
    const byMonth = await measuresQuery(db(), { measures: ['import-value', 'lines'], by: ['origin'], where: 'provider = SX', period: 'month', top: 1 });
    expect(byMonth.rows.map((c) => [c['origin'], c['period'], c['lines']])).toEqual([['DE', '2024-02', 3], ['DE', '2024-05', 1], [OTHERS, '2024-02', 11], [OTHERS, '2024-05', 8]]);
    await expect(measuresQuery(db(), { measures: ['lines'], by: [], top: 3 })).rejects.toThrow(/top ranks the first dimension/);
    await expect(measuresQuery(db(), { measures: ['top-partners'], by: [] })).rejects.toThrow(/is a ranking: use measure=import-value by=partner top=10/);
  });
});

describe('comparison periods under filters (the steel example)', () => {
  it('steel by port and origin in 2024, compared with the same slice in 2023', async () => {
    const r = await measuresQuery(db(), { measures: ['import-value'], by: ['port', 'origin'], where: 'provider = ST and hs2 in (72, 73)', period: 'year', from: '2024', to: '2024' });
    expect(r.rows.map((c) => [c['port'], c['origin'], c['period'], c['import-value'], c['import-value_yoy'], c['incomplete'], c['yoy_base_incomplete']])).toEqual([
      ['USLAX', 'CN', '2024', 300, 300 / 200 - 1, false, false], // 2023: 100 (72) + 100 (73); HS 84 left out
      ['USLAX', 'DE', '2024', 25, 25 / 50 - 1, false, false],
      ['USNYC', 'CN', '2024', 200, 200 / 400 - 1, false, false],
      ['USNYC', 'KR', '2024', 80, null, false, false], // no KR steel in 2023; JP (2023 only) is not shown
    ]);
    expect(r.totals['import-value']).toBe(605);
    // Coverage is the providers' loaded data at any date: steel ends on 1 September, ST's data on 31 December.
    expect(r.coverage).toEqual({ first: '2023-01-01', last: '2024-12-31' });
  });
  it('quarters: the compared quarter is read even when outside from/to, and incomplete ones are marked', async () => {
    const r = await measuresQuery(db(), { measures: ['import-value'], by: ['port'], where: 'provider = ST and hs2 in (72, 73)', period: 'quarter', from: '2024-Q1', to: '2024-Q3' });
    expect(r.rows.map((c) => [c['port'], c['period'], c['import-value'], c['import-value_yoy'], c['import-value_qoq'], c['incomplete']])).toEqual([
      ['USLAX', '2024-Q1', 325, expect.closeTo(325 / 150 - 1, 12), null, false],
      ['USNYC', '2024-Q3', 280, expect.closeTo(280 / 70 - 1, 12), null, false],
    ]);
    await expect(measuresQuery(db(), { measures: ['lines'], by: [], period: 'quarter', from: '2024' })).rejects.toThrow(/from: a quarter is written YYYY-Qn/);
    await expect(measuresQuery(db(), { measures: ['lines'], by: [], from: '2024' })).rejects.toThrow(/need a period/);
    await expect(measuresQuery(db(), { measures: ['lines'], by: [], period: 'year', from: '2025', to: '2024' })).rejects.toThrow(/from is after to/);
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
        // The visible cells' true values (the worst case: noise on visible cells is not relied on here).
        const visible = line.filter((i) => !rows[i]!['suppressed']).reduce((s, i) => s + Number(full[i]![m]), 0);
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
    // Totals are perturbed like any cell: lines by at most 5.
    expect(Math.abs(Number(r.totals['lines']) - Number(full.totals['lines']))).toBeLessThanOrEqual(5);
    expect(r.perturbation).toBe('cell-key');
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

  it('new measures: enforcement events by port and anomaly rate by origin are suppressed the same way', async () => {
    const enf: Scope = { principal: 'exec', grants: [{ category: 'enforcement', providers: ['EX'], level: 'aggregate' }, { category: 'trade', providers: ['SX', 'MI'], level: 'aggregate' }] };
    const ms = ['examinations', 'seizure-events', 'seized-goods-value'];
    const r = await measuresQuery(scopedDb(t.rt.store, enf), { measures: ms, by: ['port'] });
    const full = await measuresQuery(db(), { measures: ms, by: ['port'], where: 'provider = EX' });
    expect(Object.fromEntries(r.rows.map((c) => [c['port'], c['suppression']]))).toEqual({ USLAX: null, USNYC: 'primary', USSEA: 'complementary' });
    expect(r.rows.find((c) => c['port'] === 'USNYC')).toMatchObject({ examinations: null, 'seizure-events': null, 'seized-goods-value': null, suppressed: true });
    expect(Math.abs(Number(r.totals['examinations']) - 8)).toBeLessThanOrEqual(5);
    expect(checkNotRecoverable(r.rows, full.rows, ['port'], ms)).toBeGreaterThan(0);
    await expect(measuresQuery(scopedDb(t.rt.store, enf), { measures: ['examinations'], by: ['importer'] })).rejects.toThrow(/named-party/);

    const a = await measuresQuery(scopedDb(t.rt.store, enf), { measures: ['anomaly-rate', 'value-at-risk', 'import-value'], by: ['origin'] });
    expect(a.rows.filter((c) => c['suppressed']).map((c) => c['origin'])).toEqual(['DE', 'MX']);
    for (const c of a.rows.filter((x) => x['suppressed'])) expect([c['anomaly-rate'], c['value-at-risk']]).toEqual([null, null]);
    // Mirror statistics describe countries, not businesses: aggregate readers see them unsuppressed.
    const m = await measuresQuery(scopedDb(t.rt.store, enf), { measures: ['mirror-gap'], by: ['nation'] });
    expect(m).toMatchObject({ level: 'aggregate', suppressed_cells: 0 });
    expect(m.rows.map((c) => c['nation'])).toEqual(['DE', 'US']);
  });

  it('top N at aggregate level: a suppressed member is never ranked, members rank by the values shown, others is a cell of its own', async () => {
    const r = await measuresQuery(edb(), { measures: ['import-value', 'lines'], by: ['origin'], top: 2 });
    // DE (10000, the largest, but too few parties) would have been ranked first, bounding its value from
    // below by the second; it is folded into (others) unseen instead.
    const ranked = r.rows.filter((c) => c['origin'] !== OTHERS);
    expect(ranked.map((c) => c['origin'])).not.toContain('DE');
    expect(ranked).toHaveLength(2);
    expect(ranked.every((c) => !c['suppressed'])).toBe(true);
    expect(Number(ranked[0]!['import-value'])).toBeGreaterThanOrEqual(Number(ranked[1]!['import-value']));
    expect(r.rows.at(-1)!['origin']).toBe(OTHERS);
    // The members ranked are the two largest of the members whose cell passes the rule, by the value shown.
    const all = await measuresQuery(edb(), { measures: ['import-value'], by: ['origin'] });
    const eligible = all.rows.filter((c) => c['suppression'] !== 'primary').sort((a, b) => Number(b['import-value']) - Number(a['import-value']));
    expect(ranked.map((c) => c['origin'])).toEqual(eligible.slice(0, 2).map((c) => c['origin']));
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
             coalesce(sum(value_usd) FILTER (WHERE flow = 'import'), 0)::DOUBLE AS iv,
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
    // Every KCS line loads (zero values included) and converts: nothing left out of the USD import value.
    expect(r.totals['lines']).toBe(37385 + 8134);
    expect(r.totals['import-value_without_rate']).toBe(0);
    console.log(`KCS measures: ${r.rows.length} cells (${new Set(r.rows.map((c) => c['port'])).size} offices), ${ms.toFixed(0)} ms; total lines ${r.totals['lines']}, import value ${r.totals['import-value']}, inspection rate ${r.totals['inspection-rate']}, hit rate ${r.totals['hit-rate']}`);
  }, 120_000);
});
