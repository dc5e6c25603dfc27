// Hand-computed value-per-kg case: Tukey fences on value / net mass (raw and log scale), and lines it does not
// judge: net mass 0 (a phantom shipment, phantom-shipment.test.ts) and no net mass (absent is not zero).
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

const run = async (params: Record<string, unknown>) =>
  (await valuePerKg.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(valuePerKg, params)).execute()) as Record<string, any>[];

describe('value-per-kg', () => {
  it('flags the implausible value per kg on the raw scale, to the cent; zero and absent mass are not judged', async () => {
    const rows = await run({ scale: 'linear' });
    expect(rows.map((r) => r['declaration_id'])).toEqual(['KG9']);
    const kg = rows[0]!;
    const ev = JSON.parse(kg['evidence']);
    expect(ev).toMatchObject({ n: 10, q1: 12.25, median: 14.5, q3: 16.75, lower_fence: 5.5, upper_fence: 23.5, observed: 100, unit: 'KG', direction: 'outflow' });
    expect(ev.value_at_risk).toBeCloseTo((100 - 16.75) * 20, 9); // 1,665.00 over 20 kg
    expect(kg['score']).toBe(97.22);
    expect(kg['reason']).toBe('Value per kg 100.00 USD/KG is 6.9× the median 14.50 of 10 imports of 720851 from CN; above the upper fence 23.50');
  });

  it('on the default log scale flags the same line with fences of ln(value per kg)', async () => {
    const rows = await run({});
    expect(rows.map((r) => r['declaration_id'])).toEqual(['KG9']);
    const ev = JSON.parse(rows[0]!['evidence']);
    const lq3 = 0.25 * Math.log(16) + 0.75 * Math.log(17);
    expect(ev.scale).toBe('log');
    expect(ev.q3).toBeCloseTo(Math.exp(lq3), 9);
    expect(ev.value_at_risk).toBeCloseTo((100 - Math.exp(lq3)) * 20, 6);
  });
});
