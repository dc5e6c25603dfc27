// Hand-computed mirror-gap and mirror-quantity cases on a small canonical mirror file: gaps just above and
// just below the relative and the absolute threshold, both directions, a split importer side, orphans on
// either side, a quantity disagreement and a unit mismatch. Numbers in the comments are worked by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { mirrorGap } from './mirror-gap.ts';
import { mirrorQuantity } from './mirror-quantity.ts';

let t: TempRuntime;
const HEADER = 'reporter,partner,flow,period,hs,value,valuation_basis,quantity,quantity_unit';
const P = '2024-03';
const imp = (from: string, hs: string, v: number, q = '', u = '') => `US,${from},import,${P},${hs},${v},cif,${q},${u}`;
const exp = (rep: string, hs: string, v: number, q = '', u = '') => `${rep},US,export,${P},${hs},${v},fob,${q},${u}`;

beforeAll(async () => {
  t = await tempRuntime();
  const rows = [
    // A 7208 CN: M = 530,000 + 530,000 = 1,060,000 -> M/f 1,000,000; X 700,000: gap 0.30, 300,000. Flagged.
    imp('CN', '7208', 530000, '500', 'KG'), imp('CN', '7208', 530000, '500', 'KG'), exp('CN', '7208', 700000, '1000', 'kg'),
    // B 8471 DE: M/f 1,000,000, X 760,000: gap 0.24 just below 0.25. Not flagged.
    imp('DE', '8471', 1060000), exp('DE', '8471', 760000),
    // C 6403 VN: M/f 400,000, X 299,000: gap 0.2525, 101,000 just above both thresholds. Flagged.
    imp('VN', '6403', 424000), exp('VN', '6403', 299000),
    // D 6402 VN: M/f 350,000, X 255,000: gap 0.271 but only 95,000. Not flagged.
    imp('VN', '6402', 371000), exp('VN', '6402', 255000),
    // E 8703 MX: M/f 2,000,000, X 3,000,000: gap -1/3, 1,000,000; exporter higher (inflow). Flagged.
    imp('MX', '8703', 2120000), exp('MX', '8703', 3000000),
    // F 8542 JP: importer side only, M/f 500,000: orphan. G 8542 KR: exporter side only, 200,000: orphan.
    imp('JP', '8542', 530000), exp('KR', '8542', 200000),
    // H 8542 TW: exporter side only, 50,000 below min_abs: not listed.
    exp('TW', '8542', 50000),
    // I 5208 IN: values agree (M/f 1,000,000, X 980,000: gap 0.02), quantities 10,000 vs 6,000 KG: qgap 0.40.
    imp('IN', '5208', 1060000, '10000', 'KG'), exp('IN', '5208', 980000, '6000', 'KG'),
    // J 4011 TH: quantities 100 NO vs 50 KG are not comparable; values agree. Nothing.
    imp('TH', '4011', 1060000, '100', 'NO'), exp('TH', '4011', 1000000, '50', 'KG'),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('m.csv', `${HEADER}\n${rows.join('\n')}\n`), {
    profile: 'canonical-mirror', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

type Row = Record<string, any>;
async function run(d: typeof mirrorGap, params: Record<string, unknown> = {}): Promise<Row[]> {
  const rows = (await d.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(d, params)).execute()) as Row[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }));
}
const pairOf = (rows: Row[], partner: string, hs: string) =>
  rows.find((r) => r.evidence.pair.hs === hs && (r.evidence.pair.exporter === partner || r.evidence.pair.importer === partner));

describe('mirror-gap', () => {
  it('flags the gaps at or above both thresholds and lists orphans, nothing else', async () => {
    const rows = await run(mirrorGap);
    const keys = rows.map((r) => `${r.evidence.pair.exporter}/${r.evidence.pair.hs}`).sort();
    expect(keys).toEqual(['CN/7208', 'JP/8542', 'KR/8542', 'MX/8703', 'VN/6403']);
    expect(rows.every((r) => r['subject_kind'] === 'pair' && r['declaration_id'] === null)).toBe(true);
  });

  it('gives exact evidence, score and reason for a flagged pair (split importer side)', async () => {
    const a = pairOf(await run(mirrorGap), 'CN', '7208')!;
    expect(a.evidence).toMatchObject({ pair: { importer: 'US', exporter: 'CN', hs: '7208', period: P }, m: 1060000, f: 1.06, x: 700000, direction: 'outflow', orphan: false });
    expect(a.evidence.m_over_f).toBeCloseTo(1000000, 6);
    expect(a.evidence.gap).toBeCloseTo(0.3, 12);
    expect(a.evidence.abs_gap).toBeCloseTo(300000, 6);
    expect(a.evidence.import_row_ids).toHaveLength(2);
    expect(a.evidence.export_row_ids).toHaveLength(1);
    expect(a['row_ids']).toHaveLength(3);
    expect(Number(a['row_id'])).toBe(Math.min(...a['row_ids'].map(Number)));
    // 50 + 40 x (0.30 - 0.25) / 0.75 + 10 x 300,000 / 400,000 = 50 + 2.667 + 7.5
    expect(a['score']).toBe(60.17);
    expect(a['reason']).toBe('US reports 1.1 M USD imports of 7208 from CN in 2024-03 (1.0 M FOB at 1.06); CN reports 0.7 M exports: gap 30 % (0.3 M), importer side higher');
    expect(a.evidence.history_periods).toBe(1);
    expect(a.evidence.history_z).toBeNull();
  });

  it('scores the exporter-higher pair as inflow, and monotone in |gap| and money', async () => {
    const rows = await run(mirrorGap);
    const e = pairOf(rows, 'MX', '8703')!;
    expect(e.evidence.gap).toBeCloseTo(-1 / 3, 12);
    expect(e.evidence.direction).toBe('inflow');
    // 50 + 40 x (1/3 - 0.25) / 0.75 + 10 x 1,000,000 / 1,100,000 = 50 + 4.444 + 9.091
    expect(e['score']).toBe(63.54);
    expect(e['reason']).toBe('US reports 2.1 M USD imports of 8703 from MX in 2024-03 (2.0 M FOB at 1.06); MX reports 3.0 M exports: gap 33 % (1.0 M), exporter side higher');
    const c = pairOf(rows, 'VN', '6403')!;
    expect(c.evidence.gap).toBeCloseTo(0.2525, 12);
    expect(c.evidence.abs_gap).toBeCloseTo(101000, 6);
    // 50 + 40 x 0.0025 / 0.75 + 10 x 101,000 / 201,000 = 50 + 0.133 + 5.025
    expect(c['score']).toBe(55.16);
    expect(c['score']).toBeLessThan(a(rows)['score']);
    expect(a(rows)['score']).toBeLessThan(e['score']);
  });

  it('lists orphans of either side with the fixed score, and drops them when switched off', async () => {
    const rows = await run(mirrorGap);
    const f = pairOf(rows, 'JP', '8542')!;
    expect(f['score']).toBe(40);
    expect(f.evidence).toMatchObject({ orphan: true, missing_side: 'export', m: 1060000 / 2, x: null, export_row_ids: [] });
    expect(f['reason']).toBe('US reports 0.5 M USD imports of 8542 from JP in 2024-03 (0.5 M FOB at 1.06); JP reports no exports of them to US: orphaned, exporter side missing');
    const g = pairOf(rows, 'KR', '8542')!;
    expect(g.evidence).toMatchObject({ orphan: true, missing_side: 'import', m: null, x: 200000, import_row_ids: [] });
    expect(g['reason']).toBe('KR reports 0.2 M USD exports of 8542 to US in 2024-03; US reports no imports of them from KR: orphaned, importer side missing');
    const off = await run(mirrorGap, { orphans: false });
    expect(off.map((r) => r.evidence.pair.exporter).sort()).toEqual(['CN', 'MX', 'VN']);
  });

  it('follows its parameters: a lower money threshold catches D, f = 1 changes M/f', async () => {
    expect(pairOf(await run(mirrorGap, { min_abs: 90000, orphans: false }), 'VN', '6402')).toBeDefined();
    const f1 = await run(mirrorGap, { f: 1, orphans: false });
    // With f = 1: B becomes 1,060,000 vs 760,000, gap 0.283: flagged.
    expect(pairOf(f1, 'DE', '8471')!.evidence.gap).toBeCloseTo(300000 / 1060000, 12);
  });

  it('rejects bad parameters naming the parameter', () => {
    expect(() => parseParams(mirrorGap, { min_gap: 1 })).toThrow(/parameter mirror-gap\.min_gap:/);
    expect(() => parseParams(mirrorGap, { f: 0.5 })).toThrow(/parameter mirror-gap\.f:/);
    expect(() => parseParams(mirrorQuantity, { orphans: true })).toThrow(/parameter mirror-quantity\./);
  });
});

function a(rows: Row[]) {
  return pairOf(rows, 'CN', '7208')!;
}

describe('mirror-quantity', () => {
  it('flags the quantity gap with agreeing values, and the reverse, never unit mismatches', async () => {
    const rows = await run(mirrorQuantity);
    expect(rows.map((r) => `${r.evidence.pair.exporter}/${r.evidence.kind}`).sort()).toEqual(['CN/value', 'IN/quantity']);
    const i = pairOf(rows, 'IN', '5208')!;
    expect(i.evidence).toMatchObject({ kind: 'quantity', quantity_m: 10000, quantity_x: 6000, unit: 'KG', abs_quantity_gap: 4000 });
    expect(i.evidence.quantity_gap).toBeCloseTo(0.4, 12);
    expect(i.evidence.gap).toBeCloseTo(0.02, 12);
    expect(i.evidence.value_at_risk).toBeCloseTo(400000, 6); // 0.40 x 1,000,000
    // 50 + 40 x 0.15 / 0.75 + 10 x 400,000 / 500,000
    expect(i['score']).toBe(66);
    expect(i['reason']).toBe('US reports 10000.000 KG of 5208 imported from IN in 2024-03, IN reports 6000.000 KG exported: quantity gap 40 % while values agree (1.0 M FOB vs 1.0 M, gap 2 %)');
    const c = pairOf(rows, 'CN', '7208')!;
    expect(c.evidence).toMatchObject({ kind: 'value', quantity_m: 1000, quantity_x: 1000, unit: 'KG', quantity_gap: 0 });
    expect(c['score']).toBe(60.17);
    expect(c['reason']).toBe('US reports 1.1 M USD imports of 7208 from CN in 2024-03 (1.0 M FOB at 1.06), CN reports 0.7 M exports: value gap 30 % while quantities agree (1000.000 vs 1000.000 KG, gap 0 %)');
    expect((await run(mirrorQuantity, { reverse: false })).map((r) => r.evidence.pair.exporter)).toEqual(['IN']);
  });
});
