// The price basis of the price detectors across currencies: a price family that mixes KRW and USD lines is
// compared in US dollars (a KRW line is not 1,300 times dearer than the same goods in USD), a family in one
// currency stays in it, and a line without an exchange rate in a mixed family is left out, never compared in
// the wrong unit. Real DuckDB, rates from the shipped H.10 table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { h10Rate, toUsd } from '../../test/fx-rates.ts';
import { parseParams } from './detector.ts';
import { priceIqr } from './price-iqr.ts';

let t: TempRuntime;
const krw = h10Rate('South Korea', '2024-03')!;
/** A line of 10 kg priced `price` per kg in `currency`. */
const line = (id: string, price: number, currency: string, over: Record<string, string | number> = {}) =>
  canonicalLine({ declaration_id: id, value: +(price * 10).toFixed(4), currency, quantity: '', net_mass_kg: 10, date: '2024-03-12', ...over });

beforeAll(async () => {
  t = await tempRuntime();
  const us = [
    // Family 720851 (imports from CN, per KG): USD lines at 10..14 USD/kg and one at 100.
    ...[10, 11, 12, 13, 14].map((p, i) => line(`U${i}`, p, 'USD')),
    line('U-HIGH', 100, 'USD'),
  ];
  const kr = [
    // ... and KRW lines of the same goods at 15..19 USD/kg in won: ordinary prices once in one currency.
    ...[15, 16, 17, 18, 19].map((p, i) => line(`K${i}`, p * krw, 'KRW')),
    // A KRW line of a month without a rate: no USD price, so not compared (it would look 2,000 times dear).
    line('K-NORATE', 2000 * krw, 'KRW', { date: '2026-09-10' }),
    // Family 851712: KRW only, 9 ordinary lines and one at 8 times their median, compared in won.
    ...[10, 11, 12, 13, 14, 15, 16, 17, 18].map((p, i) => line(`W${i}`, p * 1000, 'KRW', { hs_code: '851712' })),
    line('W-HIGH', 120_000, 'KRW', { hs_code: '851712' }),
  ];
  const load = (name: string, rows: string[], provider: string) =>
    ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(name, `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider, loadedBy: 'test' });
  await load('us.csv', us, 'US');
  await load('kr.csv', kr, 'KR');
});
afterAll(async () => t.cleanup());

async function run(params: Record<string, unknown> = {}) {
  const rows = (await priceIqr.build(scopedDb(t.rt.store, localOperatorScope()), parseParams(priceIqr, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('price basis across currencies', () => {
  it('compares a family that mixes currencies in USD, and leaves out lines without a rate', async () => {
    const rows = (await run()).filter((r) => r.evidence.group.hs6 === '720851');
    expect(rows.map((r) => r['declaration_id'])).toEqual(['U-HIGH']);
    const ev = rows[0]!.evidence;
    expect(ev.currency).toBe('USD');
    expect(ev.n).toBe(11);
    expect(ev.observed).toBe(100);
    // The KRW lines entered the quartiles at their USD price: sorted 10..19, 100 -> median 15.
    expect(ev.median).toBeCloseTo(toUsd(15 * krw * 10, krw) / 10, 6);
    expect(rows[0]!['reason']).toMatch(/^Unit price 100\.00 USD\/KG/);
  });

  it('keeps a family in one currency in that currency', async () => {
    const rows = (await run()).filter((r) => r.evidence.group.hs6 === '851712');
    expect(rows.map((r) => r['declaration_id'])).toEqual(['W-HIGH']);
    expect(rows[0]!.evidence).toMatchObject({ currency: 'KRW', observed: 120_000, n: 10 });
    // Fences are taken of ln(price): an even group's median is the geometric mean of its middle two prices.
    expect(rows[0]!.evidence.median).toBeCloseTo(Math.sqrt(14_000 * 15_000), 6);
  });
});
