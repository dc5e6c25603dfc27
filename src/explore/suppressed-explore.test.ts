// Explore at aggregate-only access: small cells and dominated cells suppressed, with a complement, on a
// real store; SQL-built groups, suppression per access.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore } from './index.ts';
import { scopedDb, type Scope } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
const executive: Scope = { principal: 'exec', grants: [{ category: 'trade', providers: '*', level: 'aggregate' }] };

beforeAll(async () => {
  t = await tempRuntime();
  const lines: string[] = [];
  let n = 0;
  const add = (origin: string, importer: string, value: number) => lines.push(canonicalLine({ declaration_id: `D${n++}`, origin_country: origin, importer_id: importer, value }));
  for (let i = 0; i < 5; i++) add('CN', `CN-IMP${i}`, 1000); // 5 parties, even: visible
  for (let i = 0; i < 4; i++) add('TH', `TH-IMP${i}`, 700); // 4 parties, even: visible unless complement
  add('VN', 'VN-IMP0', 300); // one party: primary suppression
  add('VN', 'VN-IMP0', 200);
  for (let i = 0; i < 3; i++) add('MY', `MY-IMP${i}`, i === 0 ? 100_000 : 10); // one party holds > 80 %: dominated
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('d.csv', `${[CANONICAL_HEADER, ...lines].join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
});
afterAll(async () => t.cleanup());

describe('explore at aggregate-only access', () => {
  it('suppresses cells with fewer than 3 parties or one party over 80 %, plus a complement; totals stay whole', async () => {
    const r = await explore(scopedDb(t.rt.store, executive), { by: ['origin'], measures: ['value', 'lines'], limit: 50 });
    const by = Object.fromEntries(r.rows.map((x) => [x['origin'], x]));
    expect(by['VN']).toMatchObject({ value: null, lines: null, suppressed: true, suppression: 'primary' });
    expect(by['MY']).toMatchObject({ value: null, suppressed: true, suppression: 'primary' });
    expect(by['CN']).toMatchObject({ suppressed: false });
    // Visible values are perturbed (cell-key method): a sum by at most 0.05 x (1 + 1/2 + 1/4) x 1.5 of its
    // largest contribution (1000 here), a count by at most 5.
    expect(Math.abs(Number(by['CN']!['value']) - 5000)).toBeLessThanOrEqual(0.05 * 1.75 * 1.5 * 1000);
    expect(Math.abs(Number(by['CN']!['value']) - 5000)).toBeGreaterThan(0);
    expect(Math.abs(Number(by['CN']!['lines']) - 5)).toBeLessThanOrEqual(5);
    expect(r.perturbation).toBe('cell-key');
    // Two primaries already hide two cells of the one line (all cells), so no complement is needed.
    expect(r.suppressed_cells).toBe(2);
    const total = 5000 + 2800 + 500 + 100_020;
    expect(Math.abs(Number(r.totals['value']) - total)).toBeLessThanOrEqual(0.05 * 1.75 * 1.5 * 100_000);
    // The same records always show the same values, however the query is phrased.
    const again = await explore(scopedDb(t.rt.store, executive), { by: ['origin'], measures: ['lines', 'value'], where: 'origin in (CN, TH, VN, MY)', sort: [{ key: 'origin', dir: 'asc' }], limit: 50 });
    const cn = again.rows.find((x) => x['origin'] === 'CN')!;
    expect([cn['value'], cn['lines']]).toEqual([by['CN']!['value'], by['CN']!['lines']]);
    expect(again.totals['value']).toBe(r.totals['value']);
    // Suppressed cells sort last whatever the direction, so the order does not reveal their size.
    expect(r.rows.slice(-2).every((x) => x['suppressed'])).toBe(true);
  });

  it('adds a complementary cell when a single hidden cell could be recovered from the total', async () => {
    const r = await explore(scopedDb(t.rt.store, executive), { by: ['origin'], measures: ['value'], where: 'origin in (CN, TH, VN)', limit: 50 });
    const hidden = r.rows.filter((x) => x['suppressed']);
    expect(hidden.map((x) => [x['origin'], x['suppression']])).toEqual(expect.arrayContaining([['VN', 'primary'], ['TH', 'complementary']]));
    expect(hidden.length).toBe(2);
    // Two hidden cells: neither recoverable alone from the total (which is perturbed besides).
    expect(r.rows.find((x) => x['origin'] === 'CN')).toMatchObject({ suppressed: false });
  });

  it('suppresses the total itself when the whole slice has fewer than 3 parties', async () => {
    const r = await explore(scopedDb(t.rt.store, executive), { by: [], measures: ['value'], where: 'origin = VN' });
    expect(r.rows[0]).toMatchObject({ value: null, suppressed: true });
    expect(r.totals['value']).toBeNull();
  });
});
