// Hand-computed phantom shipments: net mass 0 with a material value, a mass below the floor for the goods
// declared, and the lines that are not phantoms (a token value, an absent mass, a plausible light line).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { phantomShipment } from './phantom-shipment.ts';

let t: TempRuntime;

beforeAll(async () => {
  t = await tempRuntime();
  // 851712 imports: ten lines of 100 NO at 0.5 kg each (50 kg), values 1,000..1,900 (median 1,450).
  const lines = Array.from({ length: 10 }, (_, i) =>
    canonicalLine({ declaration_id: `OK${i}`, hs_code: '851712', value: 1000 + 100 * i, quantity: 100, quantity_unit: 'NO', net_mass_kg: 50 }),
  );
  lines.push(canonicalLine({ declaration_id: 'ZERO', hs_code: '851712', value: 14500, quantity: 100, quantity_unit: 'NO', net_mass_kg: 0 }));
  // 200 NO at 0.005 kg: floor = 0.02 x 0.5 kg x 200 = 2 kg, 1 kg is below it.
  lines.push(canonicalLine({ declaration_id: 'LIGHT', hs_code: '851712', value: 1450, quantity: 200, quantity_unit: 'NO', net_mass_kg: 1 }));
  // 100 NO at 30 kg: lighter than usual, not impossible (floor 1 kg).
  lines.push(canonicalLine({ declaration_id: 'FINE', hs_code: '851712', value: 1450, quantity: 100, quantity_unit: 'NO', net_mass_kg: 30 }));
  // A free sample declared at a token value, and a line whose mass is not known.
  lines.push(canonicalLine({ declaration_id: 'TOKEN', hs_code: '851712', value: 10, quantity: 1, quantity_unit: 'NO', net_mass_kg: 0 }));
  lines.push(canonicalLine({ declaration_id: 'NOMASS', hs_code: '851712', value: 5000, quantity: 100, quantity_unit: 'NO', net_mass_kg: '' }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('a.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), {
    profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test',
  });
});
afterAll(async () => t.cleanup());

const run = async (params: Record<string, unknown> = {}) =>
  ((await phantomShipment.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(phantomShipment, params)).execute()) as Record<string, any>[]).map(
    (r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>,
  );

describe('phantom-shipment', () => {
  it('flags zero mass and an impossible mass for a material value, with the numbers', async () => {
    const rows = await run();
    expect(rows.map((r) => r['declaration_id'])).toEqual(['ZERO', 'LIGHT']);
    const [zero, light] = rows as [Record<string, any>, Record<string, any>];
    // Values of the 15 lines seen (all 851712 imports in USD): median 1,450 → ZERO is 10x, LIGHT 1x.
    expect(zero.evidence).toMatchObject({ kind: 'zero mass', value: 14500, net_mass_kg: 0, n: 15, median_value: 1450, value_to_median: 10, value_at_risk: 14500, direction: 'outflow' });
    expect(zero['score']).toBe(95.45); // 100 - 50 / 11
    expect(zero['reason']).toBe('Net mass 0 kg declared for a value of 14500.00 USD (10.0× the median line value 1450.00 of 15 imports of 851712): a phantom shipment');
    // Median kg per NO over the 12 lines with quantity and mass > 0 is 0.5; floor = 0.02 x 0.5 x 200 = 2 kg.
    expect(light.evidence).toMatchObject({ kind: 'mass below floor', net_mass_kg: 1, quantity: 200, unit: 'NO', median_kg_per_unit: 0.5, mass_group_n: 12, value_to_median: 1 });
    expect(light.evidence.floor_kg).toBeCloseTo(2, 12);
    expect(light['score']).toBe(75);
    expect(light['reason']).toBe('Net mass 1.000 kg for 200 NO declared at 1450.00 USD, below the floor 2.000 kg (2% of the median 0.5 kg per NO of 12 imports of 851712): a phantom shipment');
  });

  it('a higher value ranks higher; materiality and the floor are parameters', async () => {
    const rows = await run();
    expect(rows[0]!['score']).toBeGreaterThan(rows[1]!['score']);
    expect((await run({ floor_ratio: 0 })).map((r) => r['declaration_id'])).toEqual(['ZERO']);
    expect((await run({ materiality: 0 })).map((r) => r['declaration_id'])).toEqual(['ZERO', 'LIGHT', 'TOKEN']);
    expect((await run({ materiality: 5 })).map((r) => r['declaration_id'])).toEqual(['ZERO']);
    expect(() => parseParams(phantomShipment, { floor_ratio: 2 })).toThrow(/parameter phantom-shipment\.floor_ratio:/);
  });
});
