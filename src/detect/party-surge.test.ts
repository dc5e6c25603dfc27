// Hand-computed party-surge cases. IMP1 imports 1000, 1200, 800, 1000, 1100, 900, 1000 in January-July
// 2024 (median 1000, absolute deviations 200, 200, 100, 100, 0, 0, 0: MAD 100), then 25,000 in August (two
// lines) and 1000 in September. IMP2 has only five prior months. Exporter EXP9 exports 100 a month for six
// months (MAD 0) and then 5,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { partySurge } from './party-surge.ts';

let t: TempRuntime;
const day = (m: number) => `2024-${String(m).padStart(2, '0')}-05`;

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    ...[1000, 1200, 800, 1000, 1100, 900, 1000].map((v, i) => canonicalLine({ declaration_id: `A${i}`, importer_id: 'IMP1', date: day(i + 1), value: v })),
    canonicalLine({ declaration_id: 'A-SURGE', importer_id: 'IMP1', date: '2024-08-10', value: 15000 }),
    canonicalLine({ declaration_id: 'A-SURGE', line_no: 2, importer_id: 'IMP1', date: '2024-08-10', value: 10000 }),
    canonicalLine({ declaration_id: 'A-AFTER', importer_id: 'IMP1', date: day(9), value: 1000 }),
    ...[100, 100, 100, 100, 100].map((v, i) => canonicalLine({ declaration_id: `B${i}`, importer_id: 'IMP2', date: day(i + 1), value: v })),
    canonicalLine({ declaration_id: 'B-SURGE', importer_id: 'IMP2', date: day(6), value: 9000 }),
    ...[100, 100, 100, 100, 100, 100, 5000].map((v, i) =>
      canonicalLine({ declaration_id: `E${i}`, flow: 'export', exporter_id: 'EXP9', origin_country: 'US', departure_country: '', destination_country: 'DE', date: day(i + 1), value: v }),
    ),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await partySurge.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(partySurge, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('party-surge', () => {
  it('flags the importer month with hand-computed median, MAD, score and reason', async () => {
    const rows = await run();
    expect(rows.map((r) => `${r.evidence.party}|${r.evidence.month}`).sort()).toEqual(['EXP9|2024-07', 'IMP1|2024-08']);
    const a = rows.find((r) => r.evidence.party === 'IMP1')!;
    expect(a['subject_kind']).toBe('party');
    expect(a['declaration_id']).toBeNull();
    expect(a.evidence).toMatchObject({
      role: 'importer', flow: 'import', month: '2024-08', value: 25000, lines: 2, history_months: 7, median: 1000, mad: 100,
      mad_k: 5, min_ratio: 10, threshold: 10000, ratio_to_median: 25, z_mad: 240, row_ids_listed: 2, row_ids_truncated: false,
    });
    expect(a['score']).toBe(80); // 100 - 50 x 10 / 25
    expect(a['reason']).toBe(
      'Importer IMP1: import value 25000.00 in 2024-08 is 25.0× the median 1000.00 of its 7 prior months with trade; above median + 5 MAD = 1500.00 (MAD 100.00) and 10× the median = 10000.00',
    );
    expect(a['row_ids']).toHaveLength(2);
    expect(Number(a['row_id'])).toBe(Math.min(...a['row_ids'].map(Number)));
  });

  it('judges exporters by their exporter key; a flat history (MAD 0) is held by the 10x guard only', async () => {
    const e = (await run()).find((r) => r.evidence.party === 'EXP9')!;
    expect(e.evidence).toMatchObject({ role: 'exporter', flow: 'export', value: 5000, history_months: 6, median: 100, mad: 0, z_mad: null });
    expect(e['score']).toBe(90); // ratio 50: 100 - 50 x 10 / 50
  });

  it('needs min_prior_months of history; caps row_ids and says so', async () => {
    const five = await run({ min_prior_months: 5 });
    expect(five.some((r) => r.evidence.party === 'IMP2' && r.evidence.month === '2024-06')).toBe(true);
    const capped = (await run({ max_row_ids: 1 })).find((r) => r.evidence.party === 'IMP1')!;
    expect(capped['row_ids']).toHaveLength(1);
    expect(capped.evidence).toMatchObject({ lines: 2, row_ids_listed: 1, row_ids_truncated: true });
  });

  it('rejects bad parameters naming the parameter', () => {
    expect(() => parseParams(partySurge, { mad_k: -1 })).toThrow(/parameter party-surge\.mad_k:/);
    expect(() => parseParams(partySurge, { min_prior_months: 13 })).toThrow(/parameter party-surge\.min_prior_months:/);
  });
});
