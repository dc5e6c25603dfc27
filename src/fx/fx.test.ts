// Currencies: every trade line and payment gets value_usd at the monthly rate of its month from the shipped
// H.10 table, checked against a hand computation from the CSV; rows without a rate stay NULL and are counted;
// a user's rate table wins and converts every row again; bad rate tables change nothing; no total ever adds
// two currencies. Real DuckDB and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile, ingestReference, InputError, type BatchResult } from '../ingest/index.ts';
import { explore, lines, ExploreSpecError } from '../explore/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { CANONICAL_HEADER, canonicalLine, storeFingerprint, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { exactSum, h10Rate, toUsd } from '../../test/fx-rates.ts';

let t: TempRuntime;
let kr: BatchResult;
let us: BatchResult;
const deps = () => ({ store: t.rt.store, registry: t.rt.registry });
const db = () => scopedDb(t.rt.store, localOperatorScope());
const q = (text: string) => t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll(text)).getRowObjectsJson());
const csv = (...rows: string[]) => `${CANONICAL_HEADER}\n${rows.join('\n')}\n`;

/** The lines loaded, with the country whose H.10 series converts them (undefined: no rate). */
const KR_LINES = [
  { declaration_id: 'K1', value: 1_500_000, currency: 'KRW', date: '2024-03-05', country: 'South Korea' },
  { declaration_id: 'K2', value: 2_750_000.5, currency: 'KRW', date: '2024-04-10', country: 'South Korea' },
  { declaration_id: 'K3', value: 987_654_321_012, currency: 'KRW', date: '2024-04-30', country: 'South Korea' },
  // The table ends 2026-06: a later month has no rate.
  { declaration_id: 'K4', value: 1_000_000, currency: 'KRW', date: '2026-09-15', country: undefined },
  // A currency the table does not know.
  { declaration_id: 'K5', value: 10, currency: 'ZZZ', date: '2024-03-05', country: undefined },
];
const US_LINES = [
  { declaration_id: 'U1', value: 1000.1, currency: 'USD', date: '2024-03-05', country: 'USD' },
  { declaration_id: 'U2', value: 2000.2, currency: 'USD', date: '2026-09-15', country: 'USD' },
  { declaration_id: 'U3', value: 500, currency: 'EUR', date: '2024-03-05', country: 'Euro' },
];

function expectedUsd(l: { value: number; date: string; country: string | undefined }, rates: (country: string, date: string) => number | undefined = h10Rate): number | null {
  if (l.country === 'USD') return l.value;
  const r = l.country ? rates(l.country, l.date) : undefined;
  return r === undefined ? null : toUsd(l.value, r);
}

beforeAll(async () => {
  t = await tempRuntime();
  const line = (l: (typeof KR_LINES)[number]) => canonicalLine({ declaration_id: l.declaration_id, value: l.value, currency: l.currency, date: l.date, quantity: 4 });
  kr = await ingestFile(deps(), t.file('kr.csv', csv(...KR_LINES.map(line))), { profile: 'canonical', category: 'trade', provider: 'KR', loadedBy: 'test' });
  us = await ingestFile(deps(), t.file('us.csv', csv(...US_LINES.map(line))), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
});
afterAll(async () => t.cleanup());

describe('value_usd at the monthly rate of the shipped table', () => {
  it('converts each line as a hand computation from the H.10 file does, and keeps lines without a rate NULL', async () => {
    const got = await q('SELECT declaration_id, value_usd::DOUBLE AS u, unit_price_usd FROM trade_lines ORDER BY declaration_id');
    const all = [...KR_LINES, ...US_LINES].sort((a, b) => a.declaration_id.localeCompare(b.declaration_id));
    expect(got.map((r) => [r['declaration_id'], r['u']])).toEqual(all.map((l) => [l.declaration_id, expectedUsd(l)]));
    // Unit price in USD: value / rate / quantity (4 here), unrounded.
    const k1 = got.find((r) => r['declaration_id'] === 'K1')!;
    expect(k1['unit_price_usd']).toBeCloseTo(1_500_000 / h10Rate('South Korea', '2024-03')! / 4, 9);
    // A 1e12 KRW line (K3) fits the money type and converts to about 700M USD.
    expect(got.find((r) => r['declaration_id'] === 'K3')!['u']).toBeGreaterThan(6e8);
  });

  it('counts the lines without a rate in the batch result, its message and its provenance', async () => {
    expect(kr).toMatchObject({ rows_accepted: 5, rows_without_usd: 2 });
    expect(kr.message).toMatch(/2 rows have no exchange rate for their currency and month \(KRW, ZZZ\)/);
    expect(us).toMatchObject({ rows_accepted: 3, rows_without_usd: 0, message: null });
    expect(await q(`SELECT batch_id, rates, rows_converted::INTEGER AS c, rows_without_rate::INTEGER AS w, currencies_without_rate AS cur FROM batch_fx ORDER BY batch_id`)).toEqual([
      { batch_id: kr.batch_id, rates: expect.stringMatching(/^FRB-H10:[0-9a-f]{12}$/), c: 3, w: 2, cur: ['KRW', 'ZZZ'] },
      { batch_id: us.batch_id, rates: expect.stringMatching(/^FRB-H10:[0-9a-f]{12}$/), c: 3, w: 0, cur: [] },
    ]);
  });

  it('explore totals value_usd across providers exactly, and says how many lines it left out', async () => {
    const r = await explore(db(), { by: ['provider'], measures: ['value_usd'], sort: [{ key: 'provider', dir: 'asc' }] });
    expect(r.columns.map((c) => c.id)).toEqual(['provider', 'value_usd', 'lines_without_usd']);
    const krUsd = exactSum(KR_LINES.map((l) => expectedUsd(l) ?? 0));
    const usUsd = exactSum(US_LINES.map((l) => expectedUsd(l) ?? 0));
    expect(r.rows).toEqual([
      { provider: 'KR', value_usd: krUsd, lines_without_usd: 2 },
      { provider: 'US', value_usd: usUsd, lines_without_usd: 0 },
    ]);
    expect(r.totals).toEqual({ value_usd: exactSum([krUsd, usUsd]), lines_without_usd: 2 });
    expect(r.notes).toEqual(['value_usd leaves out 2 lines whose currency and month have no exchange rate (counted in lines_without_usd)']);
  });

  it('refuses to add the declared values of two currencies, and shows them per currency without a total', async () => {
    const refused = explore(db(), { by: ['provider'], measures: ['value'] });
    await expect(refused).rejects.toThrow(ExploreSpecError);
    await expect(refused).rejects.toThrow(/value adds amounts in each row's own currency, and 2 group\(s\) hold rows in 4 currencies \(EUR, KRW, USD, ZZZ\): use value_usd or median_unit_price_usd or duty_usd/);
    await expect(explore(db(), { by: [], measures: ['value', 'lines'] })).rejects.toThrow(/the rows hold 4 currencies/);
    const perCurrency = await explore(db(), { by: ['currency'], measures: ['value', 'value_usd'], sort: [{ key: 'currency', dir: 'asc' }] });
    expect(perCurrency.rows.map((r) => [r['currency'], r['value']])).toEqual([
      ['EUR', 500],
      ['KRW', 1_500_000 + 2_750_000.5 + 987_654_321_012 + 1_000_000],
      ['USD', 3000.3],
      ['ZZZ', 10],
    ]);
    expect(perCurrency.totals['value']).toBeNull();
    expect(perCurrency.notes[0]).toMatch(/^value: each group is in one currency, but the groups are in 4 \(EUR, KRW, USD, ZZZ\), so there is no total/);
    // One currency by filter: a total is fine.
    const oneCurrency = await explore(db(), { by: ['provider'], measures: ['value'], where: 'currency = KRW' });
    expect(oneCurrency.totals['value']).toBe(1_500_000 + 2_750_000.5 + 987_654_321_012 + 1_000_000);
    expect(oneCurrency.notes).toEqual([]);
  });

  it('lines sort by value only within one currency; by value_usd across currencies, lines without a rate last', async () => {
    await expect(lines(db(), { sort: [{ key: 'value', dir: 'desc' }] })).rejects.toThrow(/sorting lines by value compares amounts in 4 currencies \(EUR, KRW, USD, ZZZ\): sort by value_usd or unit_price_usd/);
    const byUsd = await lines(db(), { sort: [{ key: 'value_usd', dir: 'desc' }], limit: 10 });
    expect(byUsd.rows.map((r) => r['declaration_id'])).toEqual(['K3', 'K2', 'U2', 'K1', 'U1', 'U3', 'K4', 'K5']);
    expect(byUsd.rows[0]!['value_usd']).toBe(expectedUsd(KR_LINES[2]!));
    const krw = await lines(db(), { where: 'currency = KRW', sort: [{ key: 'value', dir: 'desc' }] });
    expect(krw.rows.map((r) => r['declaration_id'])).toEqual(['K3', 'K2', 'K1', 'K4']);
  });
});

describe('a rate table loaded by the user', () => {
  it('wins over the shipped rates, converts every stored row again, and records its provenance', async () => {
    const file = t.file('rates.csv', 'date,currency,rate\n2024-03-01,KRW,1000\n2024-03-15,KRW,1100\n2026-09-30,krw,1400.5\n2024-03-01,USD,1\n');
    const r = await ingestReference(deps(), file, 'fx', 'test');
    expect(r).toMatchObject({ dataset: 'ref_fx', rows_read: 4, rows_accepted: 4, rows_without_usd: 1, duplicate: false });
    expect(r.message).toMatch(/exchange rates for 1 currencies, 2024-03 to 2026-09 \(2 monthly averages of 4 rates\); they win over the shipped rates where both have one\. Converted again: 8 rows of 2 batches, 1 of them without a rate/);
    const loaded = (country: string, date: string) => (country === 'South Korea' && date.startsWith('2024-03') ? 1050 : country === 'South Korea' && date.startsWith('2026-09') ? 1400.5 : h10Rate(country, date));
    const got = await q('SELECT declaration_id, value_usd::DOUBLE AS u FROM trade_lines ORDER BY declaration_id');
    const all = [...KR_LINES.map((l) => (l.declaration_id === 'K4' ? { ...l, country: 'South Korea' } : l)), ...US_LINES].sort((a, b) => a.declaration_id.localeCompare(b.declaration_id));
    // K1 (2024-03) at the loaded average 1050; K4 (2026-09) now has a rate; K2, K3 (2024-04) and EUR keep the shipped one.
    expect(got.map((x) => [x['declaration_id'], x['u']])).toEqual(all.map((l) => [l.declaration_id, expectedUsd(l, loaded)]));
    expect(got.find((x) => x['declaration_id'] === 'K1')!['u']).toBe(toUsd(1_500_000, 1050));
    const prov = await q(`SELECT batch_id, rates, rows_without_rate::INTEGER AS w FROM batch_fx ORDER BY batch_id`);
    expect(prov).toEqual([
      { batch_id: kr.batch_id, rates: expect.stringMatching(new RegExp(`^FRB-H10:[0-9a-f]{12}\\+${r.batch_id}:[0-9a-f]{12}$`)), w: 1 },
      { batch_id: us.batch_id, rates: expect.stringMatching(new RegExp(`\\+${r.batch_id}:`)), w: 0 },
    ]);
    const total = await explore(db(), { by: [], measures: ['value_usd'] });
    expect(total.totals['lines_without_usd']).toBe(1);

    // The same bytes again: a no-op while they are the table in force.
    const again = await ingestReference(deps(), t.file('rates-copy.csv', 'date,currency,rate\n2024-03-01,KRW,1000\n2024-03-15,KRW,1100\n2026-09-30,krw,1400.5\n2024-03-01,USD,1\n'), 'fx', 'test');
    expect(again).toMatchObject({ duplicate: true, batch_id: r.batch_id });
    // Another table replaces it whole (K1 back at the shipped rate), and the first one loads again afterwards.
    const other = await ingestReference(deps(), t.file('rates-2.csv', 'month,currency,rate\n2024-04,KRW,1200\n'), 'fx', 'test');
    expect((await q(`SELECT value_usd::DOUBLE AS u FROM trade_lines WHERE declaration_id = 'K1'`))[0]!['u']).toBe(toUsd(1_500_000, h10Rate('South Korea', '2024-03')!));
    expect((await q(`SELECT value_usd::DOUBLE AS u FROM trade_lines WHERE declaration_id = 'K2'`))[0]!['u']).toBe(toUsd(2_750_000.5, 1200));
    expect(other.duplicate).toBe(false);
    const back = await ingestReference(deps(), file, 'fx', 'test');
    expect(back.duplicate).toBe(false);
    expect((await q(`SELECT value_usd::DOUBLE AS u FROM trade_lines WHERE declaration_id = 'K1'`))[0]!['u']).toBe(toUsd(1_500_000, 1050));
  });

  it('refuses a bad rate table naming file, line and field, and changes nothing', async () => {
    const cases: [string, string, number | null, string | null, RegExp][] = [
      ['no-rate.csv', 'date,currency,value\n2024-03-01,KRW,1000\n', 1, 'rate', /required column is missing/],
      ['text-rate.csv', 'date,currency,rate\n2024-03-01,KRW,1000\n2024-04-01,KRW,abc\n', 3, 'rate', /not a number/],
      ['negative.csv', 'date,currency,rate\n2024-03-01,KRW,-1000\n', 2, 'rate', /must be greater than 0/],
      ['zero.csv', 'date,currency,rate\n2024-03-01,KRW,0\n', 2, 'rate', /must be greater than 0/],
      ['usd.csv', 'date,currency,rate\n2024-03-01,KRW,1000\n2024-03-01,USD,1.1\n', 3, 'rate', /US dollar is 1/],
      ['date.csv', 'date,currency,rate\n2024-03-01,KRW,1000\n2024-13-01,KRW,1000\n', 3, 'date', /not a date/],
      ['currency.csv', 'date,currency,rate\n2024-03-01,EURO,0.9\n', 2, 'currency', /not an ISO 4217/],
      ['empty-rate.csv', 'date,currency,rate\n2024-03-01,KRW,\n', 2, 'rate', /required value is missing/],
      ['header-only.csv', 'date,currency,rate\n', null, null, /holds no rates/],
    ];
    const before = await storeFingerprint(t.rt);
    const rates = await q('SELECT count(*)::INTEGER AS n, sum(rate) AS s FROM ref_fx_rates');
    for (const [name, body, line, field, msg] of cases) {
      const path = t.file(name, body);
      const err = await ingestReference(deps(), path, 'fx', 'test').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(InputError);
      expect((err as InputError).file).toBe(path);
      expect((err as InputError).line, name).toBe(line);
      expect((err as InputError).field, name).toBe(field);
      expect((err as InputError).message, name).toMatch(msg);
      expect((err as InputError).message).not.toMatch(/abc|EURO|-1000|1\.1/);
    }
    expect(await storeFingerprint(t.rt)).toBe(before);
    expect(await q('SELECT count(*)::INTEGER AS n, sum(rate) AS s FROM ref_fx_rates')).toEqual(rates);
  });
});
