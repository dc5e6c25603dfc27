// Hand-computed price-robust-z case: median and MAD of ln price, z, score, normal bound, value at risk and
// the reason sentence. The expected statistics are recomputed here in plain arithmetic, independently of SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { priceRobustZ } from './price-robust-z.ts';

let t: TempRuntime;
const prices = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100];

beforeAll(async () => {
  t = await tempRuntime();
  const lines = prices.map((p, i) => canonicalLine({ declaration_id: `IM${i}`, value: p * 10, quantity: 10, net_mass_kg: 10 }));
  // A group whose prices are mostly equal has MAD 0 and no scale: not judged.
  lines.push(...[5, 5, 5, 5, 5, 5, 6, 50].map((p, i) => canonicalLine({ declaration_id: `FL${i}`, hs_code: '100630', value: p * 10, quantity: 10 })));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2;
};

describe('price-robust-z', () => {
  it('flags the outlier with z from the median and MAD of ln price', async () => {
    const rows = (await priceRobustZ.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(priceRobustZ, {})).execute()) as Record<string, any>[];
    expect(rows.map((r) => r['declaration_id'])).toEqual(['IM9']);
    const ev = JSON.parse(rows[0]!['evidence']);
    const lp = prices.map(Math.log);
    const med = median(lp); // (ln 14 + ln 15) / 2
    const mad = median(lp.map((x) => Math.abs(x - med))); // (|ln 16 - med| ... ) = 0.17415...
    const z = (Math.log(100) - med) / (1.4826 * mad);
    expect(med).toBeCloseTo(Math.log(Math.sqrt(210)), 12);
    expect(ev.n).toBe(10);
    expect(ev.median_log_price).toBeCloseTo(med, 12);
    expect(ev.median).toBeCloseTo(Math.sqrt(210), 9);
    expect(ev.mad).toBeCloseTo(mad, 12);
    expect(ev.z).toBeCloseTo(z, 9);
    expect(z).toBeCloseTo(7.4811, 4);
    const bound = Math.exp(med + 3.5 * 1.4826 * mad);
    expect(ev.normal_bound).toBeCloseTo(bound, 9);
    expect(ev.value_at_risk).toBeCloseTo((100 - bound) * 10, 6);
    expect(ev.value_at_risk).toBeCloseTo(642.25, 2);
    expect(ev.direction).toBe('outflow');
    expect(rows[0]!['score']).toBe(Math.round((100 - (50 * 3.5) / z) * 100) / 100); // 76.61
    expect(rows[0]!['score']).toBe(76.61);
    expect(rows[0]!['reason']).toBe(
      'Unit price 100.00 USD/KG is 6.9× the median 14.49 of 10 imports of 720851 from CN; robust z 7.48 in log space (MAD 0.1742), beyond ±3.5',
    );
  });

  it('a higher threshold flags nothing; bad thresholds are refused naming the parameter', async () => {
    const rows = await priceRobustZ.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(priceRobustZ, { threshold: 8 })).execute();
    expect(rows).toEqual([]);
    expect(() => parseParams(priceRobustZ, { threshold: 0 })).toThrow(/parameter price-robust-z\.threshold:/);
  });
});
