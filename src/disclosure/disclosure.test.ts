// The pieces of the cell-key method: the perturbation table's moments, deterministic noise per measure stream,
// sums perturbed in proportion to their largest contributions, the allow-list of published dimensions, and
// cell keys that depend on the set of records alone (on a real store).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { assertPublished, buildPTable, cellKeySql, countNoise, perturber, recordKeySql, uniform, CELL_KEY_MODULUS } from './index.ts';
import { ScopeDeniedError } from '../query/index.ts';
import { ingestFile } from '../ingest/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

describe('perturbation table', () => {
  it('has mean 0 and variance 3 in every row the support allows, never goes below zero, keeps zero at zero', () => {
    const t = buildPTable({ maxNoise: 5, variance: 3 });
    expect(t.rows).toHaveLength(6);
    t.rows.forEach((r, i) => {
      const mean = r.probs.reduce((s, p, k) => s + p * r.values[k]!, 0);
      const variance = r.probs.reduce((s, p, k) => s + p * r.values[k]! ** 2, 0);
      expect(mean).toBeCloseTo(0, 9);
      expect(variance).toBeCloseTo(i === 0 ? 0 : 3, 6);
      expect(Math.min(...r.values) + i).toBeGreaterThanOrEqual(0);
      expect(r.cumulative.at(-1)).toBe(1);
    });
    for (let u = 0; u < 1; u += 0.01) expect(countNoise(t, 0, u)).toBe(0);
    // Large counts use the symmetric row; the noise is bounded by D.
    for (let u = 0; u < 1; u += 0.013) expect(Math.abs(countNoise(t, 10_000, u))).toBeLessThanOrEqual(5);
    expect(() => buildPTable({ maxNoise: 2, variance: 9 })).toThrow(RangeError);
  });
});

describe('perturber', () => {
  const p = perturber();
  it('is deterministic per cell key and measure, with independent streams per measure', () => {
    expect(p.value('count', 'lines', 120, 12345)).toBe(p.value('count', 'lines', 120, 12345));
    const a = Array.from({ length: 200 }, (_, k) => p.value('count', 'lines', 100, k * 7919)! - 100);
    const b = Array.from({ length: 200 }, (_, k) => p.value('count', 'events', 100, k * 7919)! - 100);
    expect(a).not.toEqual(b);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.5);
    expect(p.value('sum', 'value', null, 1)).toBeNull();
    // A stream's uniform is a bijection of the key: 10,000 keys give 10,000 distinct values.
    expect(new Set(Array.from({ length: 10_000 }, (_, k) => uniform(k, 'value', 0))).size).toBe(10_000);
  });

  it('moves a sum by 2.5 % to 7.5 % of its largest contribution in the first term, and never leaves it exact', () => {
    for (let k = 0; k < 500; k++) {
      const shown = p.value('sum', 'value', 1_000_000, k * 104_729, [100_000])!;
      const moved = Math.abs(shown - 1_000_000);
      expect(moved).toBeGreaterThanOrEqual(2500 - 0.01);
      expect(moved).toBeLessThan(7500);
    }
    // Without contributions, the sum stands for its own largest one.
    expect(p.value('sum', 'value', 500, 3)).not.toBe(500);
    const rate = p.value('scale', 'inspection-rate', 0.2, 99)!;
    expect(Math.abs(rate / 0.2 - 1)).toBeGreaterThanOrEqual(0.025 - 1e-12);
    expect(Math.abs(rate / 0.2 - 1)).toBeLessThan(0.075);
  });
});

describe('published dimensions', () => {
  it('allows classifications and refuses identifiers, parties, days and measure values, naming them', () => {
    expect(() => assertPublished('trade', [{ id: 'origin', in: 'by' }, { id: 'hs6', in: 'where' }, { id: 'month', in: 'where' }])).not.toThrow();
    for (const id of ['declaration_id', 'line_no', 'value', 'date', 'importer', 'batch', 'invoice_ref', 'hs_code']) {
      expect(() => assertPublished('trade', [{ id, in: 'where' }])).toThrow(ScopeDeniedError);
    }
    expect(() => assertPublished('payments', [{ id: 'payment_id', in: 'where' }])).toThrow(/payment_id in where at aggregate-only access/);
    expect(() => assertPublished('payments', [{ id: 'payer_bank', in: 'by' }])).toThrow(ScopeDeniedError);
  });
});

describe('cell keys on a real store', () => {
  let t: TempRuntime;
  beforeAll(async () => {
    t = await tempRuntime();
    const lines = Array.from({ length: 40 }, (_, i) => canonicalLine({ declaration_id: `K${i}`, origin_country: i % 2 ? 'CN' : 'VN', value: 10 + i }));
    await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('k.csv', `${[CANONICAL_HEADER, ...lines].join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  });
  afterAll(async () => t.cleanup());

  it('a cell key is the sum of its record keys mod 2^32, whatever the grouping that gathered the records', async () => {
    const secret = t.rt.store.cellKeySecret!;
    expect(secret).toBeGreaterThan(0n);
    const k = t.rt.store.db;
    const keys = (await k.selectFrom('trade_lines as t').select(['t.origin_country', recordKeySql(secret).as('rk')]).execute()) as { origin_country: string; rk: string | number }[];
    for (const r of keys) {
      expect(Number(r.rk)).toBeGreaterThanOrEqual(0);
      expect(Number(r.rk)).toBeLessThan(CELL_KEY_MODULUS);
    }
    const expected = (o: string) => keys.filter((r) => r.origin_country === o).reduce((s, r) => (s + Number(r.rk)) % CELL_KEY_MODULUS, 0);
    const byOrigin = (await k.selectFrom('trade_lines as t').select(['t.origin_country', cellKeySql(secret).as('ck')]).groupBy('t.origin_country').execute()) as { origin_country: string; ck: number }[];
    for (const r of byOrigin) expect(r.ck).toBe(expected(r.origin_country));
    const filtered = (await k.selectFrom('trade_lines as t').select(cellKeySql(secret).as('ck')).where(sql<boolean>`t.origin_country = 'CN' AND t.value > 0`).executeTakeFirst()) as { ck: number };
    expect(filtered.ck).toBe(expected('CN'));
  });
});
