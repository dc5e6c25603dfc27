// The rolling comparison window of price-iqr (and value-per-kg, which shares the fences): with window_months
// a line is compared with its group's lines in its calendar month and the months before it (that many in
// all), so last year's prices neither hide nor create this year's outliers. Hand-computed quartiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { DetectorParamError, parseParams } from './detector.ts';
import { priceIqr } from './price-iqr.ts';

let t: TempRuntime;
const line = (id: string, price: number, date: string) => canonicalLine({ declaration_id: id, value: price * 10, quantity: 10, net_mass_kg: 10, date });

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    // 2022: ten lines at 100 per kg. 2024: eight lines at 200..207 and one at 100 (the old price).
    ...Array.from({ length: 10 }, (_, i) => line(`OLD${i}`, 100, `2022-0${1 + (i % 9)}-10`)),
    ...[200, 201, 202, 203, 204, 205, 206, 207].map((p, i) => line(`NEW${i}`, p, `2024-03-${String(10 + i).padStart(2, '0')}`)),
    line('NEWLOW', 100, '2024-03-20'),
    // Another product: the low line is the first of its month; the eight at the going price come later that month.
    canonicalLine({ declaration_id: 'EARLYLOW', value: 1000, quantity: 10, net_mass_kg: 10, date: '2025-06-01', hs_code: '730431' }),
    ...[200, 201, 202, 203, 204, 205, 206, 207].map((p, i) => canonicalLine({ declaration_id: `JUNE${i}`, value: p * 10, quantity: 10, net_mass_kg: 10, date: `2025-06-${String(10 + i).padStart(2, '0')}`, hs_code: '730431' })),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('w.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

// The window is independent of the scale; the raw-price scale keeps the hand-computed quartiles exact.
async function run(params: Record<string, unknown>) {
  const rows = (await priceIqr.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(priceIqr, { scale: 'linear', ...params })).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('price-iqr rolling window', () => {
  it('over the whole period (window 0) the old price is half the group and nothing is flagged', async () => {
    expect((await run({ window_months: 0 })).filter((r) => r.evidence.group.hs6 === '720851')).toEqual([]);
  });

  it('by default (12 months, detectors.md) the 2024 line at the old price is compared with 2024 lines only', async () => {
    const steel = (rows: Record<string, any>[]) => rows.filter((r) => r.evidence.group.hs6 === '720851');
    expect(steel(await run({})).map((r) => r['declaration_id'])).toEqual(['NEWLOW']);
    const rows = steel(await run({ window_months: 12 }));
    expect(rows.map((r) => r['declaration_id'])).toEqual(['NEWLOW']);
    const e = rows[0]!.evidence;
    // Window April 2023 .. March 2024: prices 100, 200..207 (n = 9). Q1 at rank 3 = 201, median 203, Q3 at rank 7 = 205.
    expect(e).toMatchObject({ n: 9, q1: 201, median: 203, q3: 205, iqr: 4, lower_fence: 195, upper_fence: 211, observed: 100 });
    expect(e.window).toEqual({ months: 12, from: '2023-04-01', to: '2024-03-31' });
    // A 2022 line is compared with 2021-2022 lines only: its own price, nothing to flag.
    expect(rows.some((r) => String(r['declaration_id']).startsWith('OLD'))).toBe(false);
  });

  it('the window is whole calendar months: a line is judged with the lines of its whole month, earlier or later in it', async () => {
    const rows = await run({ window_months: 1 });
    expect(rows.map((r) => r['declaration_id']).sort()).toEqual(['EARLYLOW', 'NEWLOW']);
    const early = rows.find((r) => r['declaration_id'] === 'EARLYLOW')!.evidence;
    expect(early).toMatchObject({ n: 9, q1: 201, median: 203, q3: 205, observed: 100 });
    expect(early.window).toEqual({ months: 1, from: '2025-06-01', to: '2025-06-30' });
  });

  it('refuses a window that is negative or not whole months', () => {
    expect(() => parseParams(priceIqr, { window_months: -1 })).toThrow(DetectorParamError);
    expect(() => parseParams(priceIqr, { window_months: 1.5 })).toThrow(/price-iqr\.window_months/);
  });
});
