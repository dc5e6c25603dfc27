// Hand-computed price-iqr cases: quartiles by linear interpolation (quantile_cont), Tukey fences, score,
// direction, value at risk and the reason sentence, to the cent, on the raw-price scale (scale=linear, the
// Pak & Zdanowicz filter) and on the default log scale, where x8 and /8 are equally strong evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { priceIqr } from './price-iqr.ts';

let t: TempRuntime;
const line = (id: string, price: number, over: Record<string, string | number> = {}) =>
  canonicalLine({ declaration_id: id, value: price * 10, quantity: 10, net_mass_kg: 10, ...over });

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    // Imports of 720851 from CN, unit prices 10..18 and one at 100.
    ...[10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) => line(`IM${i}`, p)),
    // Exports of 720851 to DE, unit prices 20..28 and one at 2.
    ...[20, 21, 22, 23, 24, 25, 26, 27, 28, 2].map((p, i) =>
      line(`EX${i}`, p, { flow: 'export', origin_country: 'US', departure_country: '', destination_country: 'DE' }),
    ),
    // 851712: five lines from CN and five from VN; each origin group is under 8, so hs6 x flow is used.
    ...[10, 11, 12, 13, 100].map((p, i) => line(`FC${i}`, p, { hs_code: '851712' })),
    ...[14, 15, 16, 17, 18].map((p, i) => line(`FV${i}`, p, { hs_code: '851712', origin_country: 'VN', departure_country: 'VN' })),
    // 440890 from CN: symmetric in log space around 100 (x/÷ 1.25, 1.5625 and 8): 12.5 and 800 are /8 and x8.
    ...[12.5, 64, 80, 100, 100, 100, 100, 125, 156.25, 800].map((p, i) => line(`SY${i}`, p, { hs_code: '440890' })),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await priceIqr.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(priceIqr, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

const linear = (params: Record<string, unknown> = {}) => run({ scale: 'linear', ...params });

describe('price-iqr on the raw-price scale (scale=linear)', () => {
  it('flags the over-priced import with hand-computed quartiles, fences, score and value at risk', async () => {
    const rows = await linear();
    const im = rows.find((r) => r['declaration_id'] === 'IM9')!;
    // Sorted prices 10..18, 100 (n = 10): Q1 at rank 2.25 = 12.25, median 14.5, Q3 at rank 6.75 = 16.75.
    expect(im.evidence).toMatchObject({ n: 10, q1: 12.25, median: 14.5, q3: 16.75, iqr: 4.5, k: 1.5, lower_fence: 5.5, upper_fence: 23.5, observed: 100 });
    expect(im.evidence.group).toEqual({ level: 'hs6 x partner x flow', hs6: '720851', flow: 'import', partner: 'CN', unit: 'KG' });
    expect(im.evidence.direction).toBe('outflow');
    // (100 - 16.75) x 10
    expect(im.evidence.value_at_risk).toBeCloseTo(832.5, 9);
    // d = (100 - 23.5) / 4.5 = 17 IQRs beyond the fence; score 100 - 50 / 18
    expect(im.evidence.deviation_iqr).toBeCloseTo(17, 9);
    expect(im['score']).toBe(97.22);
    expect(im['reason']).toBe('Unit price 100.00 USD/KG is 6.9× the median 14.50 of 10 imports of 720851 from CN; above the upper fence 23.50');
    expect(im['row_ids']).toEqual([im['row_id']]);
  });

  it('flags the under-priced export as outflow, to the cent', async () => {
    const ex = (await linear()).find((r) => r['declaration_id'] === 'EX9')!;
    // Sorted 2, 20..28: Q1 = 21.25, median 23.5, Q3 = 25.75, fences 14.5 / 32.5.
    expect(ex.evidence).toMatchObject({ n: 10, q1: 21.25, median: 23.5, q3: 25.75, lower_fence: 14.5, upper_fence: 32.5, direction: 'outflow' });
    expect(ex.evidence.value_at_risk).toBeCloseTo(192.5, 9); // (21.25 - 2) x 10
    expect(ex['score']).toBe(86.76); // d = 12.5 / 4.5; 100 - 50 / (1 + d)
    expect(ex['reason']).toBe('Unit price 2.00 USD/KG is 0.09× the median 23.50 of 10 exports of 720851 to DE; below the lower fence 14.50');
  });

  it('falls back to hs6 x flow when the origin group is under min_group, and flags nothing else at k = 1.5', async () => {
    const rows = (await linear()).filter((r) => !String(r['declaration_id']).startsWith('SY'));
    expect(rows.map((r) => r['declaration_id'])).toEqual(['IM9', 'EX9', 'FC4']);
    const fc = rows.find((r) => r['declaration_id'] === 'FC4')!;
    expect(fc.evidence.group).toEqual({ level: 'hs6 x flow', hs6: '851712', flow: 'import', partner: null, unit: 'KG' });
    expect(fc['reason']).toBe('Unit price 100.00 USD/KG is 6.9× the median 14.50 of 10 imports of 851712 (all partners); above the upper fence 23.50');
  });

  it('k = 0 is the strict inter-quartile filter: everything outside [Q1, Q3] is flagged', async () => {
    const rows = await linear({ k: 0 });
    const im = rows.filter((r) => String(r['declaration_id']).startsWith('IM')).map((r) => r['declaration_id']);
    expect(im).toEqual(['IM0', 'IM1', 'IM2', 'IM7', 'IM8', 'IM9']); // 13..16 lie within [12.25, 16.75]
    const im0 = rows.find((r) => r['declaration_id'] === 'IM0')!;
    expect(im0.evidence.direction).toBe('inflow'); // an under-priced import
    expect(im0.evidence.value_at_risk).toBeCloseTo(22.5, 9); // (12.25 - 10) x 10
    // A larger distance beyond the fence never scores lower.
    const s = (id: string) => rows.find((r) => r['declaration_id'] === id)!['score'] as number;
    expect(s('IM9')).toBeGreaterThan(s('IM8'));
    expect(s('IM8')).toBeGreaterThan(s('IM7'));
  });

  it('is lopsided on skewed prices: x8 scores far higher than /8', async () => {
    const rows = await linear();
    const s = (id: string) => rows.find((r) => r['declaration_id'] === id)?.['score'] as number;
    // Q1 = 80 + 0.25 x 20 = 85, Q3 = 100 + 0.75 x 25 = 118.75, IQR 33.75: fences 34.375 and 169.375.
    // 800: d = 630.625 / 33.75 → 97.46; 12.5: d = 21.875 / 33.75 → 69.66.
    expect(s('SY9')).toBe(97.46);
    expect(s('SY0')).toBe(69.66);
  });
});

describe('price-iqr on the log scale (default)', () => {
  it('takes quartiles and fences of ln(price) and reports them as prices', async () => {
    const im = (await run()).find((r) => r['declaration_id'] === 'IM9')!;
    // ln prices of 10..18, 100: Q1 at rank 2.25 between ln 12 and ln 13, median between ln 14 and ln 15,
    // Q3 at rank 6.75 between ln 16 and ln 17; back on the price scale these are geometric interpolations.
    const lq1 = 0.75 * Math.log(12) + 0.25 * Math.log(13);
    const lq3 = 0.25 * Math.log(16) + 0.75 * Math.log(17);
    const liqr = lq3 - lq1;
    expect(im.evidence.scale).toBe('log');
    expect(im.evidence.q1).toBeCloseTo(Math.exp(lq1), 9);
    expect(im.evidence.median).toBeCloseTo(Math.sqrt(14 * 15), 9);
    expect(im.evidence.q3).toBeCloseTo(Math.exp(lq3), 9);
    expect(im.evidence.log_iqr).toBeCloseTo(liqr, 12);
    expect(im.evidence.lower_fence).toBeCloseTo(Math.exp(lq1 - 1.5 * liqr), 9);
    expect(im.evidence.upper_fence).toBeCloseTo(Math.exp(lq3 + 1.5 * liqr), 9);
    const d = (Math.log(100) - (lq3 + 1.5 * liqr)) / liqr;
    expect(im.evidence.deviation_iqr).toBeCloseTo(d, 9);
    expect(im['score']).toBe(Math.round((100 - 50 / (1 + d)) * 100) / 100);
    expect(im.evidence.value_at_risk).toBeCloseTo((100 - Math.exp(lq3)) * 10, 9);
    expect(im['reason']).toMatch(/^Unit price 100\.00 USD\/KG is 6\.9× the median 14\.49 of 10 imports of 720851 from CN; above the upper fence 2\d\.\d\d$/);
  });

  it('scores x8 and /8 alike, and flags the under-priced export the raw scale also flags', async () => {
    const rows = await run();
    const s = (id: string) => rows.find((r) => r['declaration_id'] === id)?.['score'] as number;
    expect(s('SY9')).toBeGreaterThan(50);
    expect(s('SY0')).toBe(s('SY9'));
    const sy0 = rows.find((r) => r['declaration_id'] === 'SY0')!;
    expect(sy0.evidence.direction).toBe('inflow');
    expect(sy0.evidence.ratio_to_median).toBeCloseTo(0.125, 12);
    expect(rows.find((r) => r['declaration_id'] === 'SY1')).toBeUndefined(); // /1.5625 is inside the fences
    expect(s('EX9')).toBeGreaterThan(50);
    expect(rows.find((r) => r['declaration_id'] === 'EX9')!.evidence.direction).toBe('outflow');
  });

  it('k = 0 flags the same lines on both scales (quartiles are order statistics)', async () => {
    const ids = (rows: Record<string, any>[]) => rows.map((r) => r['declaration_id']).sort();
    expect(ids(await run({ k: 0 }))).toEqual(ids(await linear({ k: 0 })));
  });

  it('rejects bad parameters naming the parameter', () => {
    expect(() => parseParams(priceIqr, { scale: 'cubic' })).toThrow(/parameter price-iqr\.scale:/);
    expect(() => parseParams(priceIqr, { k: -1 })).toThrow(/parameter price-iqr\.k:/);
    expect(() => parseParams(priceIqr, { min_group: 2.5 })).toThrow(/parameter price-iqr\.min_group:/);
    expect(() => parseParams(priceIqr, { kk: 1 })).toThrow(/parameter price-iqr\./);
  });
});
