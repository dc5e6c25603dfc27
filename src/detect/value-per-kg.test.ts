// Hand-computed value-per-kg case: Tukey fences on value / net mass, a phantom shipment (net mass 0 with a
// value), and a line without net mass, which is not judged (absent is not zero).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { valuePerKg } from './value-per-kg.ts';

let t: TempRuntime;

beforeAll(async () => {
  t = await tempRuntime();
  // Value per kg 10..18 and 100 (quantity is irrelevant here: 1 piece each).
  const lines = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) =>
    canonicalLine({ declaration_id: `KG${i}`, value: p * 20, quantity: 1, quantity_unit: 'NO', net_mass_kg: 20 }),
  );
  lines.push(canonicalLine({ declaration_id: 'PH1', value: 12345.6, net_mass_kg: 0 }));
  lines.push(canonicalLine({ declaration_id: 'NM1', value: 99999, net_mass_kg: '' }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

describe('value-per-kg', () => {
  it('flags the implausible value per kg and the phantom shipment, in row order', async () => {
    const rows = (await valuePerKg.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(valuePerKg, {})).execute()) as Record<string, any>[];
    expect(rows.map((r) => r['declaration_id'])).toEqual(['KG9', 'PH1']);
    const kg = rows[0]!;
    const ev = JSON.parse(kg['evidence']);
    expect(ev).toMatchObject({ n: 10, q1: 12.25, median: 14.5, q3: 16.75, lower_fence: 5.5, upper_fence: 23.5, observed: 100, unit: 'KG', direction: 'outflow' });
    expect(ev.value_at_risk).toBeCloseTo((100 - 16.75) * 20, 9); // 1,665.00 over 20 kg
    expect(kg['score']).toBe(97.22);
    expect(kg['reason']).toBe('Value per kg 100.00 USD/KG is 6.9× the median 14.50 of 10 imports of 720851 from CN; above the upper fence 23.50');
    const ph = rows[1]!;
    expect(ph['score']).toBe(100);
    expect(ph['reason']).toBe('Net mass 0 kg declared for a value of 12345.60 USD: a phantom shipment');
    expect(JSON.parse(ph['evidence'])).toMatchObject({ value: 12345.6, net_mass_kg: 0, value_at_risk: 12345.6, group: { level: 'phantom', hs6: '720851' } });
  });
});
