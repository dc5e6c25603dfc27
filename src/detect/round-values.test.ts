// Hand-computed round-values case: leave-one-out smoothed hs6 norm, Chernoff tail bound, z, score, reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { roundValues } from './round-values.ts';

let t: TempRuntime;

beforeAll(async () => {
  t = await tempRuntime();
  const lines: string[] = [];
  const add = (party: string, count: number, round: number, hs_code = '720851') => {
    for (let i = 0; i < count; i++) {
      lines.push(canonicalLine({ declaration_id: `${party}-${i}`, importer_id: party, value: i < round ? 1000 * (i + 1) : 1234.5 + i, hs_code }));
    }
  };
  add('IMPR', 20, 5); // 5 of 20 round
  add('IMPS', 20, 1); // 1 of 20 round: within its norm's noise
  add('IMPT', 180, 0);
  add('IMPU', 19, 19, '851712'); // all round but under min_n (another hs6)
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await roundValues.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(roundValues, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('round-values', () => {
  it('flags 5 round of 20 against a leave-one-out norm, with the hand-computed tail bound', async () => {
    const rows = await run();
    expect(rows.map((r) => r.evidence.party)).toEqual(['IMPR']);
    const r = rows[0]!;
    // Others of hs6 720851 without IMPR: IMPS 20 + IMPT 180 = 200 lines, 1 round; smoothed (1 + 0.5) / (200 + 1).
    const q = (1 + 0.5) / (200 + 1);
    const a = 5 / 20;
    const bound = Math.exp(-20 * (a * Math.log(a / q) + (1 - a) * Math.log((1 - a) / (1 - q))));
    expect(r.evidence).toMatchObject({ party: 'IMPR', role: 'importer', hs6: '720851', n: 20, round: 5, unit: 1000, share: 0.25, norm_n: 200, norm_round: 1 });
    expect(r.evidence.norm_share).toBeCloseTo(q, 12);
    expect(bound).toBeCloseTo(1.5851e-6, 9);
    expect(r.evidence.p_bound).toBeCloseTo(bound, 12);
    expect(r.evidence.z).toBeCloseTo((5 - 20 * q) / Math.sqrt(20 * q * (1 - q)), 9);
    expect(r['score']).toBe(Math.round((100 - (50 * Math.log(0.001)) / Math.log(bound)) * 100) / 100);
    expect(r['reason']).toBe(
      '5 of 20 values declared by importer IMPR for hs6 720851 are multiples of 1000 (25.0 %) against 0.75 % for other parties of that hs6; binomial tail p <= 1.6e-06',
    );
    expect(r['row_ids']).toHaveLength(5);
  });

  it('min_n is a parameter; bad parameters are named', async () => {
    const rows = await run({ min_n: 19 });
    expect(rows.map((r) => r.evidence.party).sort()).toEqual(['IMPR', 'IMPU']);
    expect(() => parseParams(roundValues, { alpha: 0 })).toThrow(/parameter round-values\.alpha:/);
  });
});
