// Hand-computed payment-mismatch cases: invoice_ref link summing a declaration's lines, the ratio band,
// third-country payer/payee, cash, combined reasons and scores; a trade-only scope sees nothing. Party-pair
// link for payments without invoice_ref: nearest declaration in the window (not the closest amount), ties by
// declaration id, outside the window or no pair not judged, across providers only through resolved parties.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/index.ts';
import { resolveParties } from '../parties/index.ts';
import { localOperatorScope, scopedDb, type Scope } from '../query/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseParams } from './detector.ts';
import { paymentMismatch } from './payment-mismatch.ts';
import { h10Rate, toUsd } from '../../test/fx-rates.ts';

let t: TempRuntime;
const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';
const pay = (id: string, amount: number, payer: string, payee: string, instrument: string, ref: string) =>
  [id, '2024-03-20', amount, 'USD', 'Acme Steel LLC', 'IMP1', payer, 'Hebei Iron Co Ltd', 'EXP1', payee, instrument, ref].join(',');

beforeAll(async () => {
  t = await tempRuntime();
  const lines = [
    canonicalLine({ declaration_id: 'D1', line_no: 1, value: 600, invoice_ref: 'INV-1' }),
    canonicalLine({ declaration_id: 'D1', line_no: 2, value: 400, invoice_ref: 'INV-1' }),
  ];
  const deps = { store: t.rt.store, registry: t.rt.registry };
  await ingestFile(deps, t.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  const pays = [
    pay('P1', 1500, 'US', 'CN', 'wire', 'INV-1'), // ratio 1.5
    pay('P2', 1000, 'US', 'CN', 'wire', 'INV-1'), // clean
    pay('P3', 990, 'US', 'SG', 'wire', 'INV-1'), // payee in a third country
    pay('P4', 1000, 'US', 'AE', 'cash', 'INV-1'), // cash and third-country payee
    pay('P5', 50, 'US', 'CN', 'cash', 'INV-9'), // no visible declaration: not judged
  ];
  await ingestFile(deps, t.file('p.csv', `${PAY_HEADER}\n${pays.join('\n')}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
});
afterAll(async () => t.cleanup());

async function run(scope: Scope = localOperatorScope(), params: Record<string, unknown> = {}, rt: TempRuntime = t) {
  const rows = (await paymentMismatch.build(scopedDb(rt.rt.store, scope), parseParams(paymentMismatch, params)).execute()) as Record<string, any>[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r['evidence']) }) as Record<string, any>);
}

describe('payment-mismatch', () => {
  it('flags the over-payment, the third-country payee and cash, with combined reasons and scores', async () => {
    const rows = await run();
    const by = Object.fromEntries(rows.map((r) => [r.evidence.payment_id, r]));
    expect(Object.keys(by).sort()).toEqual(['P1', 'P3', 'P4']);
    const p1 = by['P1']!;
    expect(p1.evidence).toMatchObject({ link: 'invoice_ref', paid: 1500, invoiced: 1000, ratio: 1.5, currency: 'USD', payer_country: 'US', payee_country: 'CN', instrument: 'wire', declaration_ids: ['D1'], declaration_countries: ['CN', 'US'], amount_mismatch: true, cash: false });
    expect(p1['score']).toBe(55.26); // 50 + 40 * ln(1.5 / 1.25) / ln 4
    expect(p1['subject_kind']).toBe('payment');
    expect(p1['declaration_id']).toBe('D1');
    expect(p1['reason']).toBe('Payment P1: paid 1500.00 USD against 1000.00 invoiced on D1 (ratio 1.50, outside [0.80, 1.25])');
    expect(p1['row_ids']).toHaveLength(3); // the payment and both lines
    expect(by['P3']!['score']).toBe(70);
    expect(by['P3']!['reason']).toBe('Payment P3: payee in SG, a country not on the declaration (CN, US)');
    expect(by['P4']!['score']).toBe(80); // 70 + 10 for the second failed test
    expect(by['P4']!['reason']).toBe('Payment P4: payee in AE, a country not on the declaration (CN, US); settled in cash (1000.00 USD) for traded goods');
  });

  it('returns nothing (no error) for a scope without financial data', async () => {
    const tradeOnly: Scope = { principal: 't', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    expect(await run(tradeOnly)).toEqual([]);
  });

  it('tests can be switched off; bad parameters are named', async () => {
    const rows = await run(localOperatorScope(), { cash: false, third_country: false });
    expect(rows.map((r) => r.evidence.payment_id)).toEqual(['P1']);
    expect(() => parseParams(paymentMismatch, { min_ratio: 1.5 })).toThrow(/parameter payment-mismatch\.min_ratio:/);
  });
});

describe('payment-mismatch: party-pair link for payments without invoice_ref', () => {
  let u: TempRuntime;
  // Payer / payee as importer / exporter; no invoice_ref unless given.
  const payment = (o: Record<string, string | number>) => {
    const row: Record<string, string | number> = {
      payment_id: 'Q', date: '2024-01-01', amount: 0, currency: 'USD', payer_name: 'Acme Steel LLC', payer_id: 'IMP1', payer_country: 'US',
      payee_name: 'Hebei Iron Co Ltd', payee_id: 'EXP1', payee_country: 'CN', instrument: 'wire', invoice_ref: '', ...o,
    };
    return PAY_HEADER.split(',').map((c) => String(row[c] ?? '')).join(',');
  };
  const pair2 = { importer_id: 'IMP2', importer_name: 'Delta Tools Inc', exporter_id: 'EXP2', exporter_name: 'Shenzhen Bolt Co' };
  const pair3 = { importer_id: 'IMP3', importer_name: 'Orion Metals Corp', exporter_id: 'EXP3', exporter_name: 'Ningbo Wire Co' };

  beforeAll(async () => {
    u = await tempRuntime();
    const deps = { store: u.rt.store, registry: u.rt.registry };
    const lines = [
      canonicalLine({ declaration_id: 'D10', line_no: 1, date: '2024-01-10', value: 600, invoice_ref: 'INV-D10' }),
      canonicalLine({ declaration_id: 'D10', line_no: 2, date: '2024-01-10', value: 400, invoice_ref: 'INV-D10' }),
      canonicalLine({ declaration_id: 'D11', line_no: 1, date: '2024-03-01', value: 2000, invoice_ref: 'INV-D11' }),
      canonicalLine({ declaration_id: 'D12', line_no: 1, date: '2024-06-01', value: 5000, invoice_ref: 'INV-D12' }),
      // D21 before D20 in the file, so the tie is not broken by load order.
      canonicalLine({ declaration_id: 'D21', line_no: 1, date: '2024-04-10', value: 1000, invoice_ref: 'INV-D21', ...pair2 }),
      canonicalLine({ declaration_id: 'D20', line_no: 1, date: '2024-04-20', value: 3000, invoice_ref: 'INV-D20', ...pair2 }),
      canonicalLine({ declaration_id: 'D30', line_no: 1, date: '2024-06-01', value: 5000, invoice_ref: 'INV-D30', ...pair3 }),
    ];
    await ingestFile(deps, u.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
    const pays = [
      // D10 (36 days, 1000: the exact amount) and D11 (15 days, 2000) in the window, D12 (107 days) not: D11.
      payment({ payment_id: 'Q1', date: '2024-02-15', amount: 1000 }),
      // Cash, but D12 is 121 days before: nothing within 90 days, not judged.
      payment({ payment_id: 'Q2', date: '2024-09-30', amount: 5000, instrument: 'cash' }),
      // Cash, from a payer that imported nothing, and the reverse pair (exporter pays importer): not judged.
      payment({ payment_id: 'Q3', date: '2024-03-01', amount: 2000, instrument: 'cash', payer_id: 'IMP9', payer_name: 'Nobody Trading' }),
      payment({ payment_id: 'Q3R', date: '2024-03-01', amount: 2000, instrument: 'cash', payer_id: 'EXP1', payer_name: 'Hebei Iron Co Ltd', payee_id: 'IMP1', payee_name: 'Acme Steel LLC' }),
      // D21 and D20 both 5 days away: D20 by declaration id (3000: ratio 1.0, only the cash fires).
      payment({ payment_id: 'Q4', date: '2024-04-15', amount: 3000, instrument: 'cash', payer_id: 'IMP2', payer_name: 'Delta Tools Inc', payee_id: 'EXP2', payee_name: 'Shenzhen Bolt Co' }),
      // An invoice_ref naming no visible line is not re-linked by party pair, even with D11 on the same day.
      payment({ payment_id: 'Q7', date: '2024-03-01', amount: 50, instrument: 'cash', invoice_ref: 'INV-NONE' }),
    ];
    await ingestFile(deps, u.file('p.csv', `${PAY_HEADER}\n${pays.join('\n')}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
    // A bank's report of the same trading parties under its own ids: links only once resolution joins the
    // names (same name and country). D30 4 days before, 9000 against 5000. A pair no US payment names: today
    // resolution treats a name carried by one id in both US trade and US payments as ambiguous and links no
    // other provider to it by name.
    const bank = [
      payment({ payment_id: 'B5', date: '2024-06-05', amount: 9000, payer_id: 'B-100', payer_name: 'Orion Metals Corp', payee_id: 'B-200', payee_name: 'Ningbo Wire Co' }),
    ];
    await ingestFile(deps, u.file('b.csv', `${PAY_HEADER}\n${bank.join('\n')}\n`), { profile: 'canonical', category: 'financial', provider: 'BANK', loadedBy: 'test' });
  });
  afterAll(async () => u?.cleanup());

  const byId = (rows: Record<string, any>[]) => Object.fromEntries(rows.map((r) => [r.evidence.payment_id, r]));

  it('links to the nearest declaration in the window, not the closest amount; skips what it cannot link', async () => {
    const by = byId(await run(localOperatorScope(), {}, u));
    expect(Object.keys(by).sort()).toEqual(['Q1', 'Q4']);
    const q1 = by['Q1']!;
    expect(q1.evidence).toMatchObject({ link: 'party_pair', days_apart: 15, candidates: 2, window_days: 90, paid: 1000, invoiced: 2000, ratio: 0.5, declaration_ids: ['D11'], amount_mismatch: true, cash: false });
    expect(q1['declaration_id']).toBe('D11');
    expect(q1['score']).toBe(63.56); // 50 + 40 * ln(0.8 / 0.5) / ln 4
    expect(q1['reason']).toBe('Payment Q1 (linked by party pair, 15 days apart): paid 1000.00 USD against 2000.00 invoiced on D11 (ratio 0.50, outside [0.80, 1.25])');
    expect(q1['row_ids']).toHaveLength(2); // the payment and D11's line
  });

  it('breaks a tie in date by declaration id', async () => {
    const q4 = byId(await run(localOperatorScope(), {}, u))['Q4']!;
    expect(q4.evidence).toMatchObject({ link: 'party_pair', days_apart: 5, candidates: 2, declaration_ids: ['D20'], invoiced: 3000, ratio: 1, amount_mismatch: false, cash: true });
    expect(q4['score']).toBe(70);
    expect(q4['reason']).toBe('Payment Q4 (linked by party pair, 5 days apart): settled in cash (3000.00 USD) for traded goods');
  });

  it('the window is a parameter: narrower drops Q1, wider reaches D12 for Q2', async () => {
    expect(Object.keys(byId(await run(localOperatorScope(), { window_days: 10 }, u))).sort()).toEqual(['Q4']);
    const wide = byId(await run(localOperatorScope(), { window_days: 121 }, u));
    expect(Object.keys(wide).sort()).toEqual(['Q1', 'Q2', 'Q4']);
    expect(wide['Q2']!.evidence).toMatchObject({ days_apart: 121, candidates: 1, declaration_ids: ['D12'], window_days: 121 });
    expect(wide['Q1']!.evidence).toMatchObject({ declaration_ids: ['D11'], candidates: 3 }); // D12 now in the window too
    for (const bad of [-1, 1.5, 400, '90']) expect(() => parseParams(paymentMismatch, { window_days: bad })).toThrow(/parameter payment-mismatch\.window_days:/);
  });

  it('links a bank payment to a customs declaration of another provider only through resolved parties', async () => {
    // Not resolved: (BANK, B-100) is not (US, IMP1).
    expect(Object.keys(byId(await run(localOperatorScope(), {}, u))).sort()).toEqual(['Q1', 'Q4']);
    await resolveParties(u.rt.store, localOperatorScope(), []);
    const by = byId(await run(localOperatorScope(), {}, u));
    expect(Object.keys(by).sort()).toEqual(['B5', 'Q1', 'Q4']);
    const b5 = by['B5']!;
    expect(b5['provider']).toBe('BANK');
    expect(b5['declaration_id']).toBe('D30');
    expect(b5.evidence).toMatchObject({ link: 'party_pair', days_apart: 4, candidates: 1, paid: 9000, invoiced: 5000, ratio: 1.8, declaration_ids: ['D30'] });
    expect(b5['score']).toBe(60.52); // 50 + 40 * ln(1.8 / 1.25) / ln 4
    // The same-provider links are unchanged by resolution.
    expect(by['Q1']!.evidence).toMatchObject({ declaration_ids: ['D11'], days_apart: 15, candidates: 2 });
    expect(by['Q4']!.evidence).toMatchObject({ declaration_ids: ['D20'] });
  });
});

describe('payment-mismatch across currencies', () => {
  it('compares paid and invoiced in USD when they differ in currency, and leaves the amount unjudged without a rate', async () => {
    const x = await tempRuntime();
    try {
      const deps = { store: x.rt.store, registry: x.rt.registry };
      const eur = h10Rate('Euro', '2024-03')!;
      const krw = h10Rate('South Korea', '2024-03')!;
      const lines = [
        canonicalLine({ declaration_id: 'DU', value: 1000, currency: 'USD', invoice_ref: 'INV-U', date: '2024-03-05' }),
        canonicalLine({ declaration_id: 'DK', value: 1_000_000, currency: 'KRW', invoice_ref: 'INV-K', date: '2024-03-05' }),
      ];
      await ingestFile(deps, x.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
      const p = (id: string, amount: number, currency: string, ref: string) => [id, '2024-03-20', amount, currency, 'Acme Steel LLC', 'IMP1', 'US', 'Hebei Iron Co Ltd', 'EXP1', 'CN', 'wire', ref].join(',');
      const pays = [
        p('E-OK', +(1000 * eur).toFixed(2), 'EUR', 'INV-U'), // the invoice's value in euros: ratio 1 in USD
        p('E-3X', +(3000 * eur).toFixed(2), 'EUR', 'INV-U'), // three times it
        p('Z-NORATE', 5, 'ZZZ', 'INV-U'), // no rate for ZZZ: the amount cannot be judged
        p('U-KRW', +((2 * 1_000_000) / krw).toFixed(2), 'USD', 'INV-K'), // twice a KRW invoice, paid in USD
      ];
      await ingestFile(deps, x.file('p.csv', `${PAY_HEADER}\n${pays.join('\n')}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
      const rows = await run(localOperatorScope(), {}, x);
      const by = Object.fromEntries(rows.map((r) => [r.evidence.payment_id, r]));
      expect(Object.keys(by).sort()).toEqual(['E-3X', 'U-KRW']);
      const e3 = by['E-3X']!.evidence;
      expect(e3).toMatchObject({ ratio_currency: 'USD', currency: 'EUR', invoiced_usd: 1000, amount_mismatch: true });
      expect(e3.paid_usd).toBeCloseTo(toUsd(+(3000 * eur).toFixed(2), eur), 4);
      expect(e3.ratio).toBeCloseTo(3, 3);
      expect(by['E-3X']!['reason']).toMatch(/^Payment E-3X: paid [0-9.]+ EUR \(3000\.00 USD\) against 1000\.00 USD invoiced in USD on DU \(ratio 3\.00, outside \[0\.80, 1\.25\]\)$/);
      expect(by['U-KRW']!.evidence).toMatchObject({ ratio_currency: 'USD', currency: 'USD' });
      expect(by['U-KRW']!.evidence.ratio).toBeCloseTo(2, 3);
    } finally {
      await x.cleanup();
    }
  });
});
