// Hand-computed routing cases: 120 import lines of 720851 from CN, 117 shipped directly (one with no
// departure country, counted as direct), one each via AE (an entrepot), KR and VN. Every rare route has
// share 1 / 120 = 0.83 % < 1 %; the hs6 median value is 1,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { routing } from './routing.ts';

let t: TempRuntime;

beforeAll(async () => {
  t = await tempRuntime();
  const direct = Array.from({ length: 117 }, (_, i) =>
    canonicalLine({ declaration_id: `R${i}`, value: 1000, departure_country: i === 0 ? '' : 'CN' }),
  );
  const lines = [
    ...direct,
    canonicalLine({ declaration_id: 'VIA-AE', value: 5000, departure_country: 'AE' }),
    canonicalLine({ declaration_id: 'VIA-KR', value: 2000, departure_country: 'KR' }),
    canonicalLine({ declaration_id: 'VIA-VN', value: 500, departure_country: 'VN' }),
    // An export from a rare "route" is never judged: exports carry no departure of their own.
    canonicalLine({ declaration_id: 'EX1', flow: 'export', origin_country: 'US', departure_country: 'AE', destination_country: 'DE', value: 9000 }),
  ];
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await routing.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(routing, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('routing', () => {
  it('flags the rare entrepot route above the median with hand-computed share, score and reason', async () => {
    const rows = await run();
    expect(rows.map((r) => r['declaration_id'])).toEqual(['VIA-AE', 'VIA-KR']);
    const ae = rows[0]!;
    expect(ae.evidence).toMatchObject({
      reporter: 'US', hs6: '720851', origin: 'CN', departure: 'AE', entrepot: true, route_count: 1, hs6_total: 120,
      max_share: 0.01, hs6_median_value: 1000, observed_value: 5000, ratio_to_median: 5,
    });
    expect(ae.evidence.share).toBeCloseTo(1 / 120, 12);
    // 50 + 25 x (1 - 0.8333 / 1) + 15 x (1 - 1000 / 5000) + 10 = 76.1667
    expect(ae['score']).toBe(76.17);
    expect(ae['reason']).toBe(
      'Goods of origin CN under hs6 720851 arrive from AE (entrepot / free-trade zone): a route used by 1 of 120 import lines (0.83 %); value 5000.00 USD is 5.0× the hs6 median 1000.00',
    );
    expect(ae['row_ids']).toEqual([ae['row_id']]);
  });

  it('flags a rare non-entrepot route without the mark and a lower score', async () => {
    const kr = (await run()).find((r) => r['declaration_id'] === 'VIA-KR')!;
    expect(kr.evidence.entrepot).toBe(false);
    expect(kr['score']).toBe(61.67); // 50 + 4.1667 + 15 x 0.5
    expect(kr['reason']).toBe(
      'Goods of origin CN under hs6 720851 arrive from KR: a route used by 1 of 120 import lines (0.83 %); value 2000.00 USD is 2.0× the hs6 median 1000.00',
    );
  });

  it('above_median off also flags the small consignment; a lower max_share flags nothing', async () => {
    expect((await run({ above_median: false })).map((r) => r['declaration_id'])).toEqual(['VIA-AE', 'VIA-KR', 'VIA-VN']);
    expect(await run({ max_share: 0.008 })).toEqual([]);
  });

  it('rejects bad parameters naming the parameter', () => {
    expect(() => parseParams(routing, { max_share: 0 })).toThrow(/parameter routing\.max_share:/);
    expect(() => parseParams(routing, { entrepots: ['uae'] })).toThrow(/parameter routing\.entrepots\.0:/);
  });
});
