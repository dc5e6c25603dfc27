// Hand-computed party-new-line cases. IMP1 imports 12 lines of chapter 72 (1,000 each) from January to June
// 2024 (profile window 2024-01-05 .. 2024-07-05), then in the autumn: chapter 85 at 5,000 and at 500,
// chapter 72 at 9,000 and chapter 30 at 3,000. Its 16 line values have median 1,000. IMP2 has only nine
// profile lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { partyNewLine } from './party-new-line.ts';

let t: TempRuntime;
const day = (m: number, d = 5) => `2024-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    ...Array.from({ length: 12 }, (_, i) => canonicalLine({ declaration_id: `P${i}`, importer_id: 'IMP1', date: day(1 + (i >> 1)), value: 1000 })),
    canonicalLine({ declaration_id: 'NEW85', importer_id: 'IMP1', date: day(9), hs_code: '851712', value: 5000 }),
    canonicalLine({ declaration_id: 'SMALL85', importer_id: 'IMP1', date: day(9, 20), hs_code: '851712', value: 500 }),
    canonicalLine({ declaration_id: 'OLD72', importer_id: 'IMP1', date: day(9), value: 9000 }),
    canonicalLine({ declaration_id: 'NEW30', importer_id: 'IMP1', date: day(10), hs_code: '300490', value: 3000 }),
    ...Array.from({ length: 9 }, (_, i) => canonicalLine({ declaration_id: `Q${i}`, importer_id: 'IMP2', date: day(1 + (i >> 1)), value: 1000 })),
    canonicalLine({ declaration_id: 'IMP2-NEW', importer_id: 'IMP2', date: day(9), hs_code: '851712', value: 5000 }),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await partyNewLine.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(partyNewLine, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('party-new-line', () => {
  it('flags lines in chapters outside the profile above the party median, with hand-computed evidence', async () => {
    const rows = await run();
    expect(rows.map((r) => r['declaration_id'])).toEqual(['NEW85', 'NEW30']);
    const a = rows[0]!;
    expect(a.evidence).toMatchObject({
      party: 'IMP1', role: 'importer', flow: 'import', chapter: '85', hs6: '851712', profile_chapters: ['72'], profile_months: 6,
      profile_end: '2024-07-05', profile_lines: 12, party_lines: 16, party_median_value: 1000, observed_value: 5000, ratio_to_median: 5,
      first_in_chapter: true,
    });
    expect(a['score']).toBe(90); // 100 - 50 x 1000 / 5000
    expect(a['reason']).toBe(
      'Importer IMP1 imports hs6 851712 in chapter 85, outside the chapters 72 of its first 6 months (12 lines); value 5000.00 USD is 5.0× its median line value 1000.00',
    );
    expect(a['row_ids']).toEqual([a['row_id']]);
    expect(rows[1]!['score']).toBe(83.33); // 100 - 50 / 3
  });

  it('judges a party only with min_profile_lines in its profile window', async () => {
    expect((await run({ min_profile_lines: 9 })).map((r) => r['declaration_id'])).toContain('IMP2-NEW');
    // A 9-month profile (to 2024-10-05) takes in the September lines: chapter 85 is then known, only chapter 30 is new.
    expect((await run({ profile_months: 9 })).map((r) => r['declaration_id'])).toEqual(['NEW30']);
  });

  it('rejects bad parameters naming the parameter', () => {
    expect(() => parseParams(partyNewLine, { profile_months: 0 })).toThrow(/parameter party-new-line\.profile_months:/);
    expect(() => parseParams(partyNewLine, { min_profile_lines: 1.5 })).toThrow(/parameter party-new-line\.min_profile_lines:/);
  });
});
