// Hand-computed benford cases: first-digit counts, chi-square (8 df) with its closed-form p-value, Nigrini's
// MAD, score and reason; a Benford-conforming party and a party under min_n are not flagged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { BENFORD_P, benford, CHI2_CRIT_P01_DF8 } from './benford.ts';
import { parseParams } from './detector.ts';

let t: TempRuntime;

beforeAll(async () => {
  t = await tempRuntime();
  const lines: string[] = [];
  // IMPA: 50 values, ten each with first digit 1..5 (111.00, 222.00, ... 555.00).
  for (let i = 0; i < 50; i++) lines.push(canonicalLine({ declaration_id: `A${i}`, importer_id: 'IMPA', value: (1 + (i % 5)) * 111 }));
  // IMPB: 100 values 10^(1 + i/100): mantissas uniform in log, so digits follow Benford closely.
  for (let i = 0; i < 100; i++) lines.push(canonicalLine({ declaration_id: `B${i}`, importer_id: 'IMPB', value: (10 ** (1 + i / 100)).toFixed(2) }));
  // IMPC: 49 values all starting with 9: under min_n, not judged.
  for (let i = 0; i < 49; i++) lines.push(canonicalLine({ declaration_id: `C${i}`, importer_id: 'IMPC', value: 950 + i }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await benford.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(benford, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('benford', () => {
  it('the closed-form 8-df p-value at the documented critical value is 0.01', () => {
    const h = CHI2_CRIT_P01_DF8 / 2;
    expect(Math.exp(-h) * (1 + h + h ** 2 / 2 + h ** 3 / 6)).toBeCloseTo(0.01, 5);
  });

  it('flags the party whose digits are 1-5 only, with hand-computed chi-square, p, MAD and score', async () => {
    const rows = await run();
    expect(rows.map((r) => r.evidence.party)).toEqual(['IMPA']);
    const a = rows[0]!;
    // Counts 10,10,10,10,10,0,0,0,0 of n = 50; expected 50 * log10(1 + 1/d).
    const c = [10, 10, 10, 10, 10, 0, 0, 0, 0];
    const chi2 = c.reduce((s, o, i) => s + (o - 50 * BENFORD_P[i]!) ** 2 / (50 * BENFORD_P[i]!), 0);
    expect(chi2).toBeCloseTo(29.9057, 4);
    expect(a.evidence.chi2).toBeCloseTo(chi2, 9);
    expect(a.evidence.p).toBeCloseTo(0.00021965, 8); // exp(-x/2)(1 + x/2 + (x/2)^2/2 + (x/2)^3/6)
    expect(a.evidence.mad).toBeCloseTo(0.0717508, 7); // mean of |c/n - p_d| over 9 digits
    expect(a.evidence).toMatchObject({ party: 'IMPA', role: 'importer', n: 50, counts: c, df: 8, alpha: 0.01, min_mad: 0.015 });
    expect(a.evidence.observed).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0]);
    expect(a.evidence.expected[0]).toBeCloseTo(0.30103, 5);
    expect(a['score']).toBe(89.55); // 100 - 50 * 0.015 / 0.07175
    expect(a['subject_kind']).toBe('party');
    expect(a['declaration_id']).toBeNull();
    expect(a['reason']).toBe(
      "First digits of 50 values declared by importer IMPA depart from Benford's law: chi-square 29.91 (8 df, p = 0.00022), mean absolute deviation 0.0718 above 0.0150; digits 5-9 lead 20.0 % of values against 30.1 % expected",
    );
    expect(a['row_ids']).toHaveLength(50);
    expect(Number(a['row_id'])).toBe(Math.min(...a['row_ids'].map(Number)));
  });

  it('min_n and thresholds are parameters', async () => {
    const rows = await run({ min_n: 40 });
    expect(rows.map((r) => r.evidence.party).sort()).toEqual(['IMPA', 'IMPC']);
    expect(await run({ min_mad: 0.08 })).toEqual([]);
    expect(() => parseParams(benford, { alpha: 2 })).toThrow(/parameter benford\.alpha:/);
    expect(() => parseParams(benford, { min_n: 5 })).toThrow(/parameter benford\.min_n:/);
  });
});
